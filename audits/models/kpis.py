"""Key performance indicators of the AIMS and their snapshots (ISO/IEC 42001 clause 9.1).

A built-in KPI is computed from live data (``audits.builtin_kpis``); a manual one is entered by its owner or
posted by an integration. Every value is a ``KPISnapshot`` (value, time, who or which job). The KPI keeps its
latest two values so lists, the dashboard and the review pack read RAG and trend without a query per KPI.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from audits.constants import KPIDirection, KPIKind, SnapshotSource
from audits.querysets import KPIQuerySet
from audits.rag import misses_target, rag_status, trend_word
from governance.models import Objective

USER = settings.AUTH_USER_MODEL
_NUMBER = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}


class KPI(OwnedMixin, ReferencedModel):
    """A key performance indicator, ``KPI-003``: definition, unit, direction, target, amber and red
    thresholds, owner and the AI objective it measures."""

    REFERENCE_PREFIX = "KPI"
    CONTRIBUTOR_MAY_ADD = False

    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True, help_text=_("What is measured, how, and from which data."))
    kind = models.CharField(max_length=10, choices=KPIKind.choices, default=KPIKind.MANUAL)
    builtin_key = models.CharField(
        _("computation"),
        max_length=40,
        blank=True,
        help_text=_("For a KPI computed from AIMS data: which computation."),
    )
    unit = models.CharField(max_length=20, blank=True, help_text=_("E.g. %, days, count."))
    direction = models.CharField(max_length=10, choices=KPIDirection.choices, default=KPIDirection.HIGHER)
    target = models.DecimalField(**_NUMBER, help_text=_("The value aimed for (drawn on the chart)."))
    amber_threshold = models.DecimalField(
        **_NUMBER, help_text=_("Worse than this, the KPI shows amber. Left empty, the target is used.")
    )
    red_threshold = models.DecimalField(**_NUMBER, help_text=_("Worse than this, the KPI shows red."))
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
        verbose_name=_("AI objective measured"),
        help_text=_("New values are recorded against this objective (when it is approved)."),
    )
    is_active = models.BooleanField(_("measured"), default=True, help_text=_("Inactive KPIs keep their history."))
    last_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True, editable=False)
    last_taken_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_value", "last_taken_at", "previous_value"])

    objects = KPIQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["reference"]
        constraints = [
            *ReferencedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["organisation", "builtin_key"],
                condition=~Q(builtin_key=""),
                name="audits_kpi_one_per_builtin",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The name in the reader's language while it is a built-in KPI's catalogue name."""
        from audits.builtin_kpis import catalogue_text

        return catalogue_text(self.name)

    @property
    def is_builtin(self) -> bool:
        return self.kind == KPIKind.BUILTIN

    @property
    def rag(self) -> str:
        return rag_status(
            self.last_value,
            direction=self.direction,
            target=self.target,
            amber=self.amber_threshold,
            red=self.red_threshold,
        )

    @property
    def off_target(self) -> bool:
        """Worse than the target (or, without a target, amber or red). The thresholds only colour how far off."""
        if self.target is None:
            return self.rag in ("amber", "red")
        return misses_target(self.last_value, direction=self.direction, target=self.target)

    @property
    def trend(self) -> str:
        """better, worse, steady, or "" before two values exist."""
        return trend_word(self.last_value, self.previous_value, direction=self.direction)


class KPISnapshot(OrganisationScopedModel):
    """One value of a KPI at a time, taken on demand, by the scheduled job or posted through the API.

    ``taken_on`` is the day in the organisation's time zone: the job takes at most one snapshot per KPI and day.
    ``breakdown`` holds the parts of a built-in value (incidents by severity, numerator and denominator).
    """

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("KPI"))
    value = models.DecimalField(max_digits=16, decimal_places=4)
    taken_at = models.DateTimeField()
    taken_on = models.DateField(editable=False)
    source = models.CharField(max_length=10, choices=SnapshotSource.choices, default=SnapshotSource.MANUAL)
    taken_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.CharField(max_length=100, blank=True, help_text=_("The job that took it, for scheduled snapshots."))
    note = models.CharField(max_length=300, blank=True)
    breakdown = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "taken_on"], condition=Q(source="job"), name="audits_snapshot_one_job_per_day"
            )
        ]
        indexes = [models.Index(fields=["kpi", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.kpi.reference} = {self.value} at {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def reference(self) -> str:
        return f"{self.kpi.reference} {self.taken_on:%Y-%m-%d}"

    @property
    def taken_by_label(self) -> str:
        if self.source == SnapshotSource.JOB:
            return _("job %(job)s") % {"job": self.job} if self.job else _("scheduled job")
        if self.taken_by is not None:
            return self.taken_by.get_full_name() or self.taken_by.get_username()
        return _("a former member")
