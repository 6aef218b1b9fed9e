"""Choices of the governance app (ISO/IEC 42001 clauses 5, 6.2 and 7; Annex A.3)."""

from django.db import models


class AimsProcess(models.TextChoices):
    """The AIMS processes the RACI view lists, in the order an auditor walks them (clause numbers in brackets)."""

    CONTEXT_SCOPE = "context_scope", "Context and scope (4)"
    LEADERSHIP = "leadership", "Leadership and commitment (5.1)"
    POLICY = "policy", "AI policy (5.2)"
    RISK_ASSESSMENT = "risk_assessment", "AI risk assessment (6.1.2, 8.2)"
    RISK_TREATMENT = "risk_treatment", "AI risk treatment and SoA (6.1.3, 8.3)"
    IMPACT_ASSESSMENT = "impact_assessment", "AI system impact assessment (6.1.4, 8.4)"
    OBJECTIVES = "objectives", "AI objectives (6.2)"
    COMPETENCE = "competence", "Competence and awareness (7.2, 7.3)"
    COMMUNICATION = "communication", "Communication (7.4)"
    DOCUMENTS = "documents", "Documented information (7.5)"
    LIFE_CYCLE = "life_cycle", "AI system life cycle (8.1, A.6)"
    DATA = "data", "Data for AI systems (A.7)"
    SUPPLIERS = "suppliers", "Suppliers and third parties (A.10)"
    MONITORING = "monitoring", "Monitoring and measurement (9.1)"
    INTERNAL_AUDIT = "internal_audit", "Internal audit (9.2)"
    MANAGEMENT_REVIEW = "management_review", "Management review (9.3)"
    IMPROVEMENT = "improvement", "Nonconformity and improvement (10)"


class Raci(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved (in progress)"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Not achieved"
    CANCELLED = "cancelled", "Cancelled"


OPEN_OBJECTIVE_STATUSES = (ObjectiveStatus.DRAFT, ObjectiveStatus.APPROVED)
CLOSED_OBJECTIVE_STATUSES = (ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED, ObjectiveStatus.CANCELLED)


class Direction(models.TextChoices):
    """Whether the measure should end at or above the target, or at or below it."""

    AT_LEAST = "at_least", "At least the target (higher is better)"
    AT_MOST = "at_most", "At most the target (lower is better)"


class TrainingResult(models.TextChoices):
    PASSED = "passed", "Passed"
    ATTENDED = "attended", "Attended (no assessment)"
    FAILED = "failed", "Failed"


# Results that give the course's competences.
QUALIFYING_RESULTS = (TrainingResult.PASSED, TrainingResult.ATTENDED)


class Delivery(models.TextChoices):
    E_LEARNING = "e_learning", "E-learning"
    CLASSROOM = "classroom", "Classroom or workshop"
    ON_THE_JOB = "on_the_job", "On the job"
    EXTERNAL = "external", "External course or qualification"


class CompetenceState(models.TextChoices):
    """A member's standing on one required competence (the competence matrix)."""

    MET = "met", "Met"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    MISSING = "missing", "Missing"


# A competence whose training expires within this many days shows as "expiring".
EXPIRING_DAYS = 30


class AudienceKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"
    BOTH = "both", "Internal and external"


class Frequency(models.TextChoices):
    """How often a communication recurs; the number of months is used to compute the next one."""

    ONCE = "once", "Once"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    ANNUALLY = "annually", "Annually"
    ON_EVENT = "on_event", "When an event calls for it"


FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.ANNUALLY: 12,
}


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    INTRANET = "intranet", "Intranet"
    MEETING = "meeting", "Meeting or briefing"
    TRAINING = "training", "Training session"
    REPORT = "report", "Report"
    WEBSITE = "website", "Public website"
    CONTRACT = "contract", "Contract or letter"
    PORTAL = "portal", "Customer or supplier portal"
    OTHER = "other", "Other"
