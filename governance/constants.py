"""Choices of the governance app (ISO/IEC 42001 clauses 5, 6.2 and 7; Annex A.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AimsProcess(models.TextChoices):
    """The AIMS processes the RACI view lists, in the order an auditor walks them (clause numbers in brackets)."""

    CONTEXT_SCOPE = "context_scope", _("Context and scope (4)")
    LEADERSHIP = "leadership", _("Leadership and commitment (5.1)")
    POLICY = "policy", _("AI policy (5.2)")
    RISK_ASSESSMENT = "risk_assessment", _("AI risk assessment (6.1.2, 8.2)")
    RISK_TREATMENT = "risk_treatment", _("AI risk treatment and SoA (6.1.3, 8.3)")
    IMPACT_ASSESSMENT = "impact_assessment", _("AI system impact assessment (6.1.4, 8.4)")
    OBJECTIVES = "objectives", _("AI objectives (6.2)")
    COMPETENCE = "competence", _("Competence and awareness (7.2, 7.3)")
    COMMUNICATION = "communication", _("Communication (7.4)")
    DOCUMENTS = "documents", _("Documented information (7.5)")
    LIFE_CYCLE = "life_cycle", _("AI system life cycle (8.1, A.6)")
    DATA = "data", _("Data for AI systems (A.7)")
    SUPPLIERS = "suppliers", _("Suppliers and third parties (A.10)")
    MONITORING = "monitoring", _("Monitoring and measurement (9.1)")
    INTERNAL_AUDIT = "internal_audit", _("Internal audit (9.2)")
    MANAGEMENT_REVIEW = "management_review", _("Management review (9.3)")
    IMPROVEMENT = "improvement", _("Nonconformity and improvement (10)")


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved (in progress)")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Not achieved")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_OBJECTIVE_STATUSES = (ObjectiveStatus.DRAFT, ObjectiveStatus.APPROVED)
CLOSED_OBJECTIVE_STATUSES = (ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED, ObjectiveStatus.CANCELLED)


class Direction(models.TextChoices):
    """Whether the measure should end at or above the target, or at or below it."""

    AT_LEAST = "at_least", _("At least the target (higher is better)")
    AT_MOST = "at_most", _("At most the target (lower is better)")


class TrainingResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    ATTENDED = "attended", _("Attended (no assessment)")
    FAILED = "failed", _("Failed")


# Results that give the course's competences.
QUALIFYING_RESULTS = (TrainingResult.PASSED, TrainingResult.ATTENDED)


class Delivery(models.TextChoices):
    E_LEARNING = "e_learning", _("E-learning")
    CLASSROOM = "classroom", _("Classroom or workshop")
    ON_THE_JOB = "on_the_job", _("On the job")
    EXTERNAL = "external", _("External course or qualification")


class CompetenceState(models.TextChoices):
    """A member's standing on one required competence (the competence matrix)."""

    MET = "met", _("Met")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    MISSING = "missing", _("Missing")


# A competence whose training expires within this many days shows as "expiring".
EXPIRING_DAYS = 30


class AudienceKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    BOTH = "both", _("Internal and external")


class Frequency(models.TextChoices):
    """How often a communication recurs; the number of months is used to compute the next one."""

    ONCE = "once", _("Once")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    ANNUALLY = "annually", _("Annually")
    ON_EVENT = "on_event", _("When an event calls for it")


FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.ANNUALLY: 12,
}


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    INTRANET = "intranet", _("Intranet")
    MEETING = "meeting", _("Meeting or briefing")
    TRAINING = "training", _("Training session")
    REPORT = "report", _("Report")
    WEBSITE = "website", _("Public website")
    CONTRACT = "contract", _("Contract or letter")
    PORTAL = "portal", _("Customer or supplier portal")
    OTHER = "other", _("Other")
