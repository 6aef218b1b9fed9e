"""The AI policy and topic policies (ISO/IEC 42001 clause 5.2; Annex A.2), versioned.

Every version is its own row sharing the policy's reference (``POL-001`` v1, v2 ...). A draft is edited,
sent for review and approved; approving a version retires the one approved before it. Approved and retired
versions are never edited: a change starts a new draft version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from controls.constants import PolicyKind, PolicyStatus
from controls.models.catalogue import Requirement
from controls.models.evidence import Evidence
from controls.querysets import PolicyQuerySet

USER = settings.AUTH_USER_MODEL
EDITABLE_POLICY_STATUSES = (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW)


class Policy(OwnedMixin, ReferencedModel):
    """One version of a policy. ``body`` is Markdown, rendered through an allow-list (``controls.markdown``)."""

    REFERENCE_PREFIX = "POL"

    kind = models.CharField(max_length=20, choices=PolicyKind.choices, default=PolicyKind.TOPIC)
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1, editable=False)
    body = models.TextField(blank=True, help_text=_("The policy text in Markdown (headings, lists, tables, links)."))
    document = models.ForeignKey(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policies",
        verbose_name=_("attached document"),
        help_text=_("An evidence record holding the signed or formatted policy file, if there is one."),
    )
    change_summary = models.TextField(_("what changed in this version"), blank=True)
    status = models.CharField(max_length=20, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT, editable=False)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_date = models.DateField(_("next review"), null=True, blank=True)
    requirements = models.ManyToManyField(
        Requirement, blank=True, related_name="policies", help_text=_("What it answers, e.g. 5.2 and A.2.2.")
    )
    history = HistoricalRecords()

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["reference", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference", "version"], name="controls_policy_unique_version"
            ),
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                condition=Q(status__in=["draft", "in_review"]),
                name="controls_policy_one_open_draft",
            ),
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                condition=Q(status="approved"),
                name="controls_policy_one_approved",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"]), models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title} v{self.version}"

    @property
    def name(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_POLICY_STATUSES

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.status == PolicyStatus.APPROVED and self.review_date and self.review_date < timezone.localdate()
        )
