"""Competence and training (ISO/IEC 42001 clauses 7.1, 7.2; Annex A.4.6).

Each AIMS role needs competences; courses give competences; a member's training record for a course (passed
or attended, not expired) shows the competence is met. The competence matrix compares the two.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from controls.models import Evidence
from governance.constants import EXPIRING_DAYS, QUALIFYING_RESULTS, Delivery, TrainingResult
from governance.models.roles import AimsRole
from governance.querysets import TrainingRecordQuerySet

USER = settings.AUTH_USER_MODEL


class Competence(ReferencedModel):
    """A competence the AIMS needs, ``CMP-002``, and the AIMS roles that require it (clause 7.2 a)."""

    REFERENCE_PREFIX = "CMP"
    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("What the person must know or be able to do."))
    roles = models.ManyToManyField(
        AimsRole, blank=True, related_name="competences", verbose_name=_("required for roles")
    )
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class TrainingCourse(OwnedMixin, ReferencedModel):
    """A course, workshop or qualification, ``CRS-005``, and the competences it gives (clause 7.2 c)."""

    REFERENCE_PREFIX = "CRS"

    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True, help_text=_("Who delivers it (a team or a company)."))
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.E_LEARNING)
    description = models.TextField(blank=True)
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="courses", help_text=_("The competences a member has after it.")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty when it never expires.")
    )
    is_active = models.BooleanField(_("offered"), default=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title


class TrainingRecord(ReferencedModel):
    """A member's completed course, ``TRN-031``: date, result, expiry and certificate (clause 7.2 d)."""

    REFERENCE_PREFIX = "TRN"
    OWNER_FIELDS = ("member",)  # a contributor records and corrects their own training

    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField(default=timezone.localdate)
    result = models.CharField(max_length=20, choices=TrainingResult.choices, default=TrainingResult.PASSED)
    score = models.CharField(max_length=40, blank=True, help_text=_("Mark or grade, if there is one."))
    expires_on = models.DateField(
        null=True, blank=True, help_text=_("Left empty, it follows from the course's validity.")
    )
    certificate = models.ForeignKey(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The certificate as an evidence record (uploaded here, or chosen from the evidence register)."),
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = TrainingRecordQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "reference"]
        constraints = [
            *ReferencedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("completed_on")),
                name="governance_training_expiry_after_completion",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "member"]),
            models.Index(fields=["organisation", "expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.course.title} ({self.member})"

    @property
    def name(self) -> str:
        return self.course.title

    @property
    def qualifies(self) -> bool:
        return self.result in QUALIFYING_RESULTS

    @property
    def is_expired(self) -> bool:
        return bool(self.expires_on and self.expires_on < timezone.localdate())

    @property
    def expires_soon(self) -> bool:
        """Expires within ``EXPIRING_DAYS`` (and has not yet)."""
        today = timezone.localdate()
        return bool(self.expires_on and today <= self.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS))
