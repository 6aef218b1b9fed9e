"""Evidence that controls work and requirements are met (ISO/IEC 42001 clause 7.5, 9.1): files or links.

A file is stored under ``MEDIA_ROOT/evidence/<organisation id>/`` with a random name, its SHA-256, size and
sniffed type recorded, and is served only through an authorised view. A new file for the same evidence is
a new ``EvidenceRevision``; earlier revisions stay.
"""

import datetime as dt
import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from controls.constants import EXPIRING_DAYS, EvidenceKind, EvidenceState, ReviewStatus
from controls.models.catalogue import Requirement
from controls.models.implementation import Control
from controls.querysets import EvidenceQuerySet
from registry.models import AISystem

USER = settings.AUTH_USER_MODEL


def evidence_state(*, has_content: bool, effective, expiry, review_status, today) -> str:
    """Where evidence stands on ``today``: an ``EvidenceState`` value."""
    if not has_content:
        return EvidenceState.EMPTY
    if review_status == ReviewStatus.REJECTED:
        return EvidenceState.REJECTED
    if effective and effective > today:
        return EvidenceState.NOT_YET
    if expiry and expiry < today:
        return EvidenceState.EXPIRED
    if expiry and expiry <= today + dt.timedelta(days=EXPIRING_DAYS):
        return EvidenceState.EXPIRING
    return EvidenceState.CURRENT


def evidence_upload_to(instance, filename: str) -> str:
    """``evidence/<organisation id>/<32 random hex>.<ext>``: never the uploader's file name."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.organisation_id}/{secrets.token_hex(16)}{suffix}"


class Evidence(OwnedMixin, ReferencedModel):
    """A piece of evidence, ``EVD-012``: a file (with revisions) or a link, and what it supports."""

    REFERENCE_PREFIX = "EVD"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.FILE)
    url = models.URLField(
        _("link"), max_length=500, blank=True, help_text=_("For a link: an http(s) address where the evidence lives.")
    )
    effective_date = models.DateField(
        null=True, blank=True, help_text=_("The date the evidence speaks for (not the upload date).")
    )
    expiry_date = models.DateField(null=True, blank=True, help_text=_("After this date it no longer counts."))
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    controls = models.ManyToManyField(Control, blank=True, related_name="evidence")
    requirements = models.ManyToManyField(Requirement, blank=True, related_name="evidence")
    ai_systems = models.ManyToManyField(AISystem, blank=True, related_name="evidence", verbose_name=_("AI systems"))
    current_revision = models.ForeignKey(
        "EvidenceRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("evidence")
        verbose_name_plural = pgettext_lazy("plural", "evidence")  # the same word in English, not in German
        ordering = ["reference"]
        constraints = [
            *ReferencedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(expiry_date__gte=models.F("effective_date")),
                name="controls_evidence_expiry_after_effective",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "expiry_date"]),
            models.Index(fields=["organisation", "review_status"]),
            models.Index(fields=["organisation", "title"], name="controls_evd_org_title"),  # sorts (issue 9)
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        """Today's ``EvidenceState`` (current, expiring, expired ...)."""
        return evidence_state(
            has_content=bool(self.current_revision_id or self.url),
            effective=self.effective_date,
            expiry=self.expiry_date,
            review_status=self.review_status,
            today=timezone.localdate(),
        )

    @property
    def counts(self) -> bool:
        """Does it count as current evidence in the gap analysis?"""
        return self.state in (EvidenceState.CURRENT, EvidenceState.EXPIRING)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.expiry_date and self.effective_date and self.expiry_date < self.effective_date:
            raise ValidationError({"expiry_date": gettext("The expiry date cannot be before the effective date.")})
        if self.kind == EvidenceKind.LINK and not self.url:
            raise ValidationError({"url": gettext("Give the link for link evidence.")})
        if self.url and not self.url.lower().startswith(("http://", "https://")):
            raise ValidationError({"url": gettext("Only http and https links are allowed.")})


class EvidenceRevision(OrganisationScopedModel):
    """One uploaded file of an evidence record. Immutable: a new file is a new revision."""

    OWNER_FIELDS = ("uploaded_by",)

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True, help_text=_("What changed in this file."))

    class Meta:
        verbose_name = _("evidence revision")
        verbose_name_plural = _("evidence revisions")
        ordering = ["evidence", "-number"]
        constraints = [models.UniqueConstraint(fields=["evidence", "number"], name="controls_evidencerevision_unique")]

    def __str__(self) -> str:
        return gettext("%(reference)s revision %(number)s (%(name)s)") % {
            "reference": self.evidence.reference,
            "number": self.number,
            "name": self.original_name,
        }

    @property
    def reference(self) -> str:
        return f"{self.evidence.reference} r{self.number}"

    def is_owned_by(self, user) -> bool:
        return self.uploaded_by_id == user.pk or self.evidence.is_owned_by(user)
