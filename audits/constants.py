"""Choices of the audits app: internal audits, nonconformities and corrective actions, KPIs, management review
and AI incidents (ISO/IEC 42001 clauses 9.1–9.3, 10.1–10.2; Annex A.6.2.6, A.8.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


class Importance(models.TextChoices):
    """How much an audited area matters; with earlier results it sets how often it is audited (9.2.2)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# Months between audits of an area by importance; halved after a major nonconformity in the last audit.
BASE_FREQUENCY_MONTHS = {Importance.HIGH: 6, Importance.MEDIUM: 12, Importance.LOW: 24}


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Reported")
    CLOSED = "closed", _("Closed")


class ChecklistResult(models.TextChoices):
    """What the auditor found against one requirement of the audit criteria."""

    NOT_ASSESSED = "", _("Not assessed yet")
    CONFORMING = "conforming", _("Conforming")
    MAJOR_NC = "major_nc", _("Major nonconformity")
    MINOR_NC = "minor_nc", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    OFI = "ofi", _("Opportunity for improvement")


# Results that are findings (everything but conforming), and those that raise a nonconformity.
FINDING_RESULTS = (ChecklistResult.MAJOR_NC, ChecklistResult.MINOR_NC, ChecklistResult.OBSERVATION, ChecklistResult.OFI)
NC_RESULTS = (ChecklistResult.MAJOR_NC, ChecklistResult.MINOR_NC)


class FindingKind(models.TextChoices):
    MAJOR_NC = "major_nc", _("Major nonconformity")
    MINOR_NC = "minor_nc", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    OFI = "ofi", _("Opportunity for improvement")


class Grade(models.TextChoices):
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


GRADE_FOR_RESULT = {ChecklistResult.MAJOR_NC: Grade.MAJOR, ChecklistResult.MINOR_NC: Grade.MINOR}


class NCSource(models.TextChoices):
    """Where a nonconformity was detected (clause 10.2)."""

    AUDIT = "audit", _("Audit finding")
    INCIDENT = "incident", _("AI incident")
    RISK_REVIEW = "risk_review", _("Risk review")
    REPORT = "report", _("Report by anyone")


class NCStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTION_PLANNED = "action_planned", _("Corrective action under way")
    CLOSED = "closed", _("Closed")


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", _("5 whys")
    FREE_TEXT = "free_text", _("Free text")


# Shared with the other action registers; re-exported here for this app's modules.
from aims.actions import OPEN_ACTION_STATUSES, ActionStatus  # noqa: E402,F401


class Effectiveness(models.TextChoices):
    """The verification of a corrective action's effectiveness (clause 10.2 d)."""

    NOT_VERIFIED = "", _("Not verified yet")
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class KPIKind(models.TextChoices):
    BUILTIN = "builtin", _("Computed from AIMS data")
    MANUAL = "manual", _("Entered or posted")


class KPIDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class RAG(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    NONE = "none", _("No value yet")


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", _("On demand")
    JOB = "job", _("Scheduled job")
    API = "api", _("Posted through the API")


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PREPARED = "prepared", _("Pack prepared")
    HELD = "held", _("Held")


class DecisionKind(models.TextChoices):
    """The outputs clause 9.3.3 asks the review to decide on."""

    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    AIMS_CHANGE = "aims_change", _("Change to the AIMS")
    RESOURCES = "resources", _("Resources")
    OTHER = "other", _("Other decision")


class HarmType(models.TextChoices):
    HEALTH_SAFETY = "health_safety", _("Health and safety")
    FUNDAMENTAL_RIGHTS = "fundamental_rights", _("Fundamental rights")
    PROPERTY = "property", _("Property")
    ENVIRONMENT = "environment", _("Environment")
    SERVICE_DISRUPTION = "service_disruption", _("Service disruption")
    SECURITY = "security", _("Security")


class IncidentSeverity(models.TextChoices):
    """Lowest first: the order is the ranking."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_ORDER: tuple[str, ...] = tuple(IncidentSeverity.values)


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_INCIDENT_STATUSES = (IncidentStatus.OPEN, IncidentStatus.CONTAINED)


class SeriousCategory(models.TextChoices):
    """EU AI Act Art. 73: which reporting limit applies to a serious incident."""

    GENERAL = "general", _("Serious incident (15 days, Art. 73(2))")
    DEATH = "death", _("A person's death may be involved (10 days, Art. 73(4))")
    WIDESPREAD = (
        "widespread",
        _("Widespread infringement or serious disruption of critical infrastructure (2 days, Art. 73(3))"),
    )


REPORTING_DAYS = {SeriousCategory.GENERAL: 15, SeriousCategory.DEATH: 10, SeriousCategory.WIDESPREAD: 2}
