"""The implementation roadmap: gaps turned into planned actions with an owner, a phase and a due date."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from controls.constants import GapKind, RoadmapPhase, RoadmapStatus
from controls.models.catalogue import Requirement
from controls.models.implementation import Control
from controls.querysets import RoadmapQuerySet

OPEN_ROADMAP_STATUSES = (RoadmapStatus.PLANNED, RoadmapStatus.IN_PROGRESS)


class RoadmapAction(OwnedMixin, ReferencedModel):
    """A planned step towards readiness, ``RMA-007``, usually made from a gap of the gap analysis."""

    REFERENCE_PREFIX = "RMA"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    phase = models.CharField(max_length=2, choices=RoadmapPhase.choices, default=RoadmapPhase.FOUNDATIONS)
    status = models.CharField(max_length=20, choices=RoadmapStatus.choices, default=RoadmapStatus.PLANNED)
    due_date = models.DateField(null=True, blank=True)
    requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roadmap_actions",
        help_text=_("The requirement whose gap it closes."),
    )
    control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_actions"
    )
    gap_kind = models.CharField(_("gap"), max_length=20, choices=GapKind.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = RoadmapQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")
        ordering = ["phase", "due_date", "reference"]
        indexes = [models.Index(fields=["organisation", "phase", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ROADMAP_STATUSES

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())
