"""AI objectives and the plans to achieve them (ISO/IEC 42001 clause 6.2; Annex C objectives).

An objective says what will be achieved, how it is measured, the target and deadline, who is accountable,
the resources and actions, and how the result will be evaluated. It is approved once it is measurable.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from governance.constants import OPEN_OBJECTIVE_STATUSES, Direction, ObjectiveStatus
from governance.querysets import ObjectiveQuerySet
from risk import annex_c

USER = settings.AUTH_USER_MODEL


class Objective(OwnedMixin, ReferencedModel):
    """An AI objective, ``OBJ-004`` (clause 6.2), owned by the member accountable for it.

    The measure is text with a unit, a target and a direction for now.
    Seam: when the audits app brings the KPI register, a nullable ``kpi`` link will sit next to ``measure``
    and the KPI's snapshots will fill ``current_value``/``measured_on``; the text stays for objectives
    measured outside the KPI register.
    """

    REFERENCE_PREFIX = "OBJ"

    title = models.CharField(_("objective"), max_length=200)
    description = models.TextField(blank=True, help_text=_("What will be achieved and why it matters."))
    annex_c_objective = models.CharField(
        _("Annex C objective served"), max_length=40, choices=annex_c.objective_choices, blank=True
    )
    measure = models.CharField(
        max_length=300, blank=True, help_text=_("What is measured, e.g. 'Share of high-risk systems with a bias test'.")
    )
    unit = models.CharField(max_length=40, blank=True, help_text=_("E.g. %, days, count."))
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    baseline = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("Where we start.")
    )
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    start = models.DateField(
        _("work starts"),
        null=True,
        blank=True,
        help_text=_("Progress is expected to run evenly from here to the deadline."),
    )
    deadline = models.DateField(null=True, blank=True, help_text=_("When the target should be reached."))
    current_value = models.DecimalField(
        _("latest value"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    measured_on = models.DateField(null=True, blank=True, editable=False)
    resources = models.TextField(blank=True, help_text=_("People, budget and tools it needs."))
    plan = models.TextField(_("plan of actions"), blank=True, help_text=_("What will be done, by whom and when."))
    evaluation = models.TextField(
        _("how results are evaluated"), blank=True, help_text=_("Who checks the result, how and how often.")
    )
    status = models.CharField(
        max_length=20, choices=ObjectiveStatus.choices, default=ObjectiveStatus.DRAFT, editable=False
    )
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_note = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    objects = ObjectiveQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI objective")
        verbose_name_plural = _("AI objectives")
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    def get_annex_c_objective_display(self) -> str:
        return annex_c.objective_title(self.annex_c_objective) if self.annex_c_objective else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTIVE_STATUSES

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.deadline and self.deadline < timezone.localdate())

    @property
    def target_met(self) -> bool | None:
        """Whether the latest value meets the target; None until both are known."""
        if self.current_value is None or self.target is None:
            return None
        if self.direction == Direction.AT_MOST:
            return self.current_value <= self.target
        return self.current_value >= self.target

    @property
    def progress(self) -> int | None:
        """Percent of the way from the baseline (or zero) to the target, 0–100; None until measured."""
        if self.current_value is None or self.target is None:
            return None
        if self.target_met:
            return 100
        start = self.baseline
        if start is None:
            if self.direction == Direction.AT_MOST:
                # Lower is better and no baseline: how close the value has come down to the target.
                return _clamp(self.target / self.current_value * 100) if self.current_value else 100
            start = Decimal(0)
        span = self.target - start
        if span == 0:
            return 0
        return _clamp((self.current_value - start) / span * 100)

    @property
    def expected_progress(self) -> int | None:
        """Where progress should be today if it ran evenly from approval (or drafting) to the deadline."""
        if self.deadline is None:
            return None
        if self.start is not None:
            start = self.start
        else:
            started = self.approved_at or self.created_at
            start = timezone.localdate(started) if started else timezone.localdate()
        span = (self.deadline - start).days
        if span <= 0:
            return 100
        return _clamp((timezone.localdate() - start).days / span * 100)

    @property
    def on_track(self) -> bool | None:
        """Met, or at least as far along as the time elapsed; None until a value is recorded."""
        progress = self.progress
        if progress is None:
            return None
        if self.target_met:
            return True
        expected = self.expected_progress
        return expected is None or progress >= expected


def _clamp(value) -> int:
    return max(0, min(100, int(value)))
