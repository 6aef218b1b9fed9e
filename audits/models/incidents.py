"""AI incidents (ISO/IEC 42001 Annex A.8.4; clause 10.2) and the EU AI Act Art. 73 serious-incident clock.

Flagging a serious incident involving a high-risk AI system starts the reporting clock: the service computes
``reporting_deadline`` in the organisation's time zone (``audits.deadlines``) and stores it, so lists sort and
filter on it in SQL. Reporting to the authority is recorded on the incident; escalations (who was told, when)
are rows of their own.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from audits.constants import (
    OPEN_INCIDENT_STATUSES,
    HarmType,
    IncidentSeverity,
    IncidentStatus,
    SeriousCategory,
)
from audits.models.improvement import Nonconformity
from audits.querysets import IncidentQuerySet
from registry.models import AISystem

USER = settings.AUTH_USER_MODEL


class Incident(OwnedMixin, ReferencedModel):
    """An AI incident, ``INC-004``, handled by ``owner`` and reported by ``reported_by``."""

    REFERENCE_PREFIX = "INC"
    OWNER_FIELDS = ("owner", "reported_by")

    title = models.CharField(max_length=200)
    ai_systems = models.ManyToManyField(AISystem, blank=True, related_name="incidents", verbose_name=_("AI systems"))
    detected_at = models.DateTimeField(default=timezone.now)
    reported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reported by")
    )
    description = models.TextField(help_text=_("What happened, to whom, and how it was noticed."))
    harm_types = models.CharField(
        _("harm"), max_length=200, blank=True, help_text=_("Comma-separated harm keys (health_safety, security ...).")
    )
    severity = models.CharField(max_length=10, choices=IncidentSeverity.choices, default=IncidentSeverity.MEDIUM)
    affected_persons = models.TextField(_("persons affected"), blank=True)
    affected_count = models.PositiveIntegerField(_("number of persons affected"), null=True, blank=True)
    containment = models.TextField(
        _("containment"), blank=True, help_text=_("What was done to stop or limit the harm.")
    )
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    root_cause = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    nonconformity = models.ForeignKey(
        Nonconformity, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    serious = models.BooleanField(
        _("serious incident (EU AI Act Art. 3(49))"),
        default=False,
        help_text=_("For high-risk AI systems this starts the Art. 73 reporting clock."),
    )
    serious_category = models.CharField(
        _("reporting limit"), max_length=20, choices=SeriousCategory.choices, blank=True
    )
    aware_at = models.DateTimeField(
        _("became aware at"),
        null=True,
        blank=True,
        help_text=_("When the organisation became aware of the serious incident; the clock counts from this day."),
    )
    reporting_deadline = models.DateTimeField(null=True, blank=True, editable=False)
    reported_to_authority_at = models.DateTimeField(_("reported to the authority at"), null=True, blank=True)
    authority = models.CharField(
        _("authority"), max_length=200, blank=True, help_text=_("The market surveillance authority.")
    )
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI incident")
        verbose_name_plural = _("AI incidents")
        ordering = ["-detected_at", "-reference"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "reporting_deadline"]),
            models.Index(fields=["organisation", "detected_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INCIDENT_STATUSES

    @property
    def harm_list(self) -> list[str]:
        return [key for key in self.harm_types.split(",") if key]

    def get_harm_types_display(self) -> str:
        labels = dict(HarmType.choices)
        return ", ".join(str(labels.get(key, key)) for key in self.harm_list)

    @property
    def reporting_last_minute(self):
        """The deadline as people read it: the last minute of the period's last day (23:59 local time)."""
        if self.reporting_deadline is None:
            return None
        import datetime as dt

        return self.reporting_deadline - dt.timedelta(minutes=1)

    @property
    def clock_running(self) -> bool:
        return self.reporting_deadline is not None and self.reported_to_authority_at is None

    @property
    def reported_late(self) -> bool:
        return bool(
            self.reporting_deadline
            and self.reported_to_authority_at
            and self.reported_to_authority_at > self.reporting_deadline
        )


class IncidentEscalation(OrganisationScopedModel):
    """Who was told about an incident, when and how (the escalation record)."""

    OWNER_FIELDS = ()

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="escalations")
    notified = models.CharField(_("who was notified"), max_length=200)
    notified_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=100, blank=True, help_text=_("Phone, e-mail, meeting ..."))
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["notified_at"]

    def __str__(self) -> str:
        return f"{self.notified} at {self.notified_at:%Y-%m-%d %H:%M}"
