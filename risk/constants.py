"""Choices of the risk app (ISO/IEC 42001 clauses 6.1.1–6.1.4, 8.2–8.4; Annex A.5)."""

from django.db import models


class RiskLevel(models.TextChoices):
    """The levels a criteria matrix maps to, lowest first (the order is the ranking)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


LEVEL_ORDER: tuple[str, ...] = tuple(RiskLevel.values)


class RiskType(models.TextChoices):
    """Clause 6.1.1 asks for risks and opportunities: both live in one register."""

    RISK = "risk", "Risk"
    OPPORTUNITY = "opportunity", "Opportunity"


class RiskCategory(models.TextChoices):
    BIAS = "bias", "Bias and discrimination"
    SAFETY = "safety", "Safety"
    PRIVACY = "privacy", "Privacy"
    SECURITY = "security", "Security"
    MISUSE = "misuse", "Misuse"
    RELIABILITY = "reliability", "Reliability and performance"
    TRANSPARENCY = "transparency", "Transparency"
    SUPPLIER = "supplier", "Supplier and third party"
    LEGAL = "legal", "Legal and compliance"
    OTHER = "other", "Other"


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASSESSED = "assessed", "Assessed"
    TREATMENT_PLANNED = "treatment_planned", "Treatment planned"
    TREATED = "treated", "Treated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    RiskStatus.IDENTIFIED,
    RiskStatus.ASSESSED,
    RiskStatus.TREATMENT_PLANNED,
    RiskStatus.TREATED,
    RiskStatus.ACCEPTED,
)


class TreatmentOption(models.TextChoices):
    """How the organisation responds to a risk (clause 6.1.3)."""

    MODIFY = "modify", "Modify (reduce the risk)"
    AVOID = "avoid", "Avoid (stop the activity)"
    SHARE = "share", "Share (transfer, e.g. contract or insurance)"
    RETAIN = "retain", "Retain (accept as it is)"


# Shared with the other action registers; re-exported here for this app's modules.
from aims.actions import OPEN_ACTION_STATUSES, ActionStatus  # noqa: E402,F401


class CriteriaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    APPROVED = "approved", "Approved"


class AssessmentStep(models.TextChoices):
    """The steps of the risk assessment workflow (clause 6.1.2 identify, analyse, evaluate; 6.1.3 treat)."""

    IDENTIFY = "identify", "Identify"
    ANALYSE = "analyse", "Analyse"
    EVALUATE = "evaluate", "Evaluate"
    TREAT = "treat", "Treat"


class ImpactStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class ImpactAreaKind(models.TextChoices):
    """Where an AI system can affect individuals, groups or society (clause 6.1.4, Annex A.5)."""

    FUNDAMENTAL_RIGHTS = "fundamental_rights", "Fundamental rights"
    DISCRIMINATION = "discrimination", "Discrimination"
    HEALTH_SAFETY = "health_safety", "Health and safety"
    PRIVACY = "privacy", "Privacy"
    ECONOMIC = "economic", "Economic"
    ENVIRONMENTAL = "environmental", "Environmental"
    PSYCHOLOGICAL = "psychological", "Psychological"
    SOCIETAL = "societal", "Societal"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    SEVERE = "severe", "Severe"


class ImpactLikelihood(models.TextChoices):
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    LIKELY = "likely", "Likely"
    ALMOST_CERTAIN = "almost_certain", "Almost certain"


class Reversibility(models.TextChoices):
    REVERSIBLE = "reversible", "Easily reversed"
    HARD = "hard_to_reverse", "Hard to reverse"
    IRREVERSIBLE = "irreversible", "Irreversible"


# An impact area raises a risk in the register under this category and Annex C objectives.
AREA_TO_CATEGORY = {
    ImpactAreaKind.FUNDAMENTAL_RIGHTS: (RiskCategory.LEGAL, ["accountability", "transparency_explainability"]),
    ImpactAreaKind.DISCRIMINATION: (RiskCategory.BIAS, ["fairness"]),
    ImpactAreaKind.HEALTH_SAFETY: (RiskCategory.SAFETY, ["safety", "robustness"]),
    ImpactAreaKind.PRIVACY: (RiskCategory.PRIVACY, ["privacy", "security"]),
    ImpactAreaKind.ECONOMIC: (RiskCategory.OTHER, ["fairness", "accountability"]),
    ImpactAreaKind.ENVIRONMENTAL: (RiskCategory.OTHER, ["environmental_impact"]),
    ImpactAreaKind.PSYCHOLOGICAL: (RiskCategory.SAFETY, ["safety", "transparency_explainability"]),
    ImpactAreaKind.SOCIETAL: (RiskCategory.OTHER, ["fairness", "transparency_explainability"]),
}
