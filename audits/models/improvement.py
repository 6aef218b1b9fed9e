"""Nonconformities and corrective actions (ISO/IEC 42001 clause 10.2).

A nonconformity comes from an audit finding, an AI incident, a risk review or anyone's report. It records the
immediate correction, the root cause, the corrective actions with owners and due dates, and closes only once a
corrective action has been verified effective (``audits.services.nonconformity_close``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.actions import ActionStateMixin
from aims.models import OwnedMixin, ReferencedModel
from audits.constants import (
    ActionStatus,
    Effectiveness,
    Grade,
    NCSource,
    NCStatus,
    RootCauseMethod,
)
from audits.models.programme import Finding
from audits.querysets import ActionQuerySet, NonconformityQuerySet
from controls.models import Evidence, Requirement
from risk.models import Risk

USER = settings.AUTH_USER_MODEL


def _member_fk(verbose_name: str, **kwargs):
    return models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=verbose_name, **kwargs
    )


class Nonconformity(OwnedMixin, ReferencedModel):
    """A nonconformity, ``NC-007`` (clause 10.2), owned by the member who sees it through to closure."""

    REFERENCE_PREFIX = "NC"
    OWNER_FIELDS = ("owner", "detected_by")

    source = models.CharField(max_length=20, choices=NCSource.choices, default=NCSource.REPORT)
    finding = models.OneToOneField(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="nonconformity", editable=False
    )
    risk = models.ForeignKey(
        Risk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
        help_text=_("The risk whose review found it, if any."),
    )
    title = models.CharField(max_length=200)
    description = models.TextField(help_text=_("What does not conform, and where."))
    requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The requirement not met (any framework)."),
    )
    grade = models.CharField(max_length=10, choices=Grade.choices, default=Grade.MINOR)
    detected_on = models.DateField(default=timezone.localdate)
    detected_by = _member_fk(_("detected by"))
    immediate_correction = models.TextField(blank=True, help_text=_("What was done at once to contain it."))
    root_cause_method = models.CharField(
        _("root-cause method"), max_length=20, choices=RootCauseMethod.choices, default=RootCauseMethod.FIVE_WHYS
    )
    five_whys = models.JSONField(
        _("5 whys"), default=list, blank=True, help_text=_("The successive answers to 'why?'.")
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    risk_register_changed = models.BooleanField(_("the risk register was updated"), default=False)
    controls_changed = models.BooleanField(_("controls were changed"), default=False)
    changes_note = models.TextField(_("changes made to risks or controls"), blank=True)
    status = models.CharField(max_length=20, choices=NCStatus.choices, default=NCStatus.OPEN, editable=False)
    closed_by = _member_fk(_("closed by"), editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closure_note = models.TextField(blank=True, editable=False)
    days_to_close = models.PositiveIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = NonconformityQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-detected_on", "-reference"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "closed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != NCStatus.CLOSED

    @property
    def whys(self) -> list[str]:
        return [str(item) for item in (self.five_whys or []) if str(item).strip()]

    @property
    def has_root_cause(self) -> bool:
        return bool(self.root_cause.strip() or self.whys)


class CorrectiveAction(ActionStateMixin, OwnedMixin, ReferencedModel):
    """A corrective action, ``CA-011`` (clause 10.2 c–d): owner, due date, status, and the verification of its
    effectiveness (who, when, result, evidence)."""

    REFERENCE_PREFIX = "CA"

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completion_note = models.TextField(_("what was done"), blank=True)
    effectiveness = models.CharField(max_length=20, choices=Effectiveness.choices, blank=True, editable=False)
    verified_by = _member_fk(_("verified by"), editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verification_note = models.TextField(_("how effectiveness was checked"), blank=True, editable=False)
    verification_evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("verification evidence")
    )
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_date", "reference"]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def verified_effective(self) -> bool:
        return self.effectiveness == Effectiveness.EFFECTIVE

    def is_owned_by(self, user) -> bool:
        """The action's owner, and the owner of its nonconformity, may update it."""
        return self.owner_id == user.pk or self.nonconformity.owner_id == user.pk
