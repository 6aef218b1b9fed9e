"""Choices of the audits app: internal audits, nonconformities and corrective actions, KPIs, management review
and AI incidents (ISO/IEC 42001 clauses 9.1–9.3, 10.1–10.2; Annex A.6.2.6, A.8.4)."""

from django.db import models


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    CLOSED = "closed", "Closed"


class Importance(models.TextChoices):
    """How much an audited area matters; with earlier results it sets how often it is audited (9.2.2)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Months between audits of an area by importance; halved after a major nonconformity in the last audit.
BASE_FREQUENCY_MONTHS = {Importance.HIGH: 6, Importance.MEDIUM: 12, Importance.LOW: 24}


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


class ChecklistResult(models.TextChoices):
    """What the auditor found against one requirement of the audit criteria."""

    NOT_ASSESSED = "", "Not assessed yet"
    CONFORMING = "conforming", "Conforming"
    MAJOR_NC = "major_nc", "Major nonconformity"
    MINOR_NC = "minor_nc", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


# Results that are findings (everything but conforming), and those that raise a nonconformity.
FINDING_RESULTS = (ChecklistResult.MAJOR_NC, ChecklistResult.MINOR_NC, ChecklistResult.OBSERVATION, ChecklistResult.OFI)
NC_RESULTS = (ChecklistResult.MAJOR_NC, ChecklistResult.MINOR_NC)


class FindingKind(models.TextChoices):
    MAJOR_NC = "major_nc", "Major nonconformity"
    MINOR_NC = "minor_nc", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


class Grade(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


GRADE_FOR_RESULT = {ChecklistResult.MAJOR_NC: Grade.MAJOR, ChecklistResult.MINOR_NC: Grade.MINOR}


class NCSource(models.TextChoices):
    """Where a nonconformity was detected (clause 10.2)."""

    AUDIT = "audit", "Audit finding"
    INCIDENT = "incident", "AI incident"
    RISK_REVIEW = "risk_review", "Risk review"
    REPORT = "report", "Report by anyone"


class NCStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTION_PLANNED = "action_planned", "Corrective action under way"
    CLOSED = "closed", "Closed"


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "5 whys"
    FREE_TEXT = "free_text", "Free text"


# Shared with the other action registers; re-exported here for this app's modules.
from aims.actions import OPEN_ACTION_STATUSES, ActionStatus  # noqa: E402,F401


class Effectiveness(models.TextChoices):
    """The verification of a corrective action's effectiveness (clause 10.2 d)."""

    NOT_VERIFIED = "", "Not verified yet"
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class KPIKind(models.TextChoices):
    BUILTIN = "builtin", "Computed from AIMS data"
    MANUAL = "manual", "Entered or posted"


class KPIDirection(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class RAG(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NONE = "none", "No value yet"


class SnapshotSource(models.TextChoices):
    MANUAL = "manual", "On demand"
    JOB = "job", "Scheduled job"
    API = "api", "Posted through the API"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PREPARED = "prepared", "Pack prepared"
    HELD = "held", "Held"


class DecisionKind(models.TextChoices):
    """The outputs clause 9.3.3 asks the review to decide on."""

    IMPROVEMENT = "improvement", "Opportunity for improvement"
    AIMS_CHANGE = "aims_change", "Change to the AIMS"
    RESOURCES = "resources", "Resources"
    OTHER = "other", "Other decision"


class HarmType(models.TextChoices):
    HEALTH_SAFETY = "health_safety", "Health and safety"
    FUNDAMENTAL_RIGHTS = "fundamental_rights", "Fundamental rights"
    PROPERTY = "property", "Property"
    ENVIRONMENT = "environment", "Environment"
    SERVICE_DISRUPTION = "service_disruption", "Service disruption"
    SECURITY = "security", "Security"


class IncidentSeverity(models.TextChoices):
    """Lowest first: the order is the ranking."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_ORDER: tuple[str, ...] = tuple(IncidentSeverity.values)


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_INCIDENT_STATUSES = (IncidentStatus.OPEN, IncidentStatus.CONTAINED)


class SeriousCategory(models.TextChoices):
    """EU AI Act Art. 73: which reporting limit applies to a serious incident."""

    GENERAL = "general", "Serious incident (15 days, Art. 73(2))"
    DEATH = "death", "A person's death may be involved (10 days, Art. 73(4))"
    WIDESPREAD = (
        "widespread",
        "Widespread infringement or serious disruption of critical infrastructure (2 days, Art. 73(3))",
    )


REPORTING_DAYS = {SeriousCategory.GENERAL: 15, SeriousCategory.DEATH: 10, SeriousCategory.WIDESPREAD: 2}
