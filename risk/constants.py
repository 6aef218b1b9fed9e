"""Choices of the risk app (ISO/IEC 42001 clauses 6.1.1–6.1.4, 8.2–8.4; Annex A.5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """The levels a criteria matrix maps to, lowest first (the order is the ranking)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


LEVEL_ORDER: tuple[str, ...] = tuple(RiskLevel.values)


class RiskType(models.TextChoices):
    """Clause 6.1.1 asks for risks and opportunities: both live in one register."""

    RISK = "risk", _("Risk")
    OPPORTUNITY = "opportunity", _("Opportunity")


class RiskCategory(models.TextChoices):
    BIAS = "bias", _("Bias and discrimination")
    SAFETY = "safety", _("Safety")
    PRIVACY = "privacy", _("Privacy")
    SECURITY = "security", _("Security")
    MISUSE = "misuse", _("Misuse")
    RELIABILITY = "reliability", _("Reliability and performance")
    TRANSPARENCY = "transparency", _("Transparency")
    SUPPLIER = "supplier", _("Supplier and third party")
    LEGAL = "legal", _("Legal and compliance")
    OTHER = "other", _("Other")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    TREATMENT_PLANNED = "treatment_planned", _("Treatment planned")
    TREATED = "treated", _("Treated")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    RiskStatus.IDENTIFIED,
    RiskStatus.ASSESSED,
    RiskStatus.TREATMENT_PLANNED,
    RiskStatus.TREATED,
    RiskStatus.ACCEPTED,
)


class TreatmentOption(models.TextChoices):
    """How the organisation responds to a risk (clause 6.1.3)."""

    MODIFY = "modify", _("Modify (reduce the risk)")
    AVOID = "avoid", _("Avoid (stop the activity)")
    SHARE = "share", _("Share (transfer, e.g. contract or insurance)")
    RETAIN = "retain", _("Retain (accept as it is)")


# Shared with the other action registers; re-exported here for this app's modules.
from aims.actions import OPEN_ACTION_STATUSES, ActionStatus  # noqa: E402,F401


class CriteriaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    APPROVED = "approved", _("Approved")


class AssessmentStep(models.TextChoices):
    """The steps of the risk assessment workflow (clause 6.1.2 identify, analyse, evaluate; 6.1.3 treat)."""

    IDENTIFY = "identify", _("Identify")
    ANALYSE = "analyse", _("Analyse")
    EVALUATE = "evaluate", _("Evaluate")
    TREAT = "treat", _("Treat")


class ImpactStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class ImpactAreaKind(models.TextChoices):
    """Where an AI system can affect individuals, groups or society (clause 6.1.4, Annex A.5)."""

    FUNDAMENTAL_RIGHTS = "fundamental_rights", _("Fundamental rights")
    DISCRIMINATION = "discrimination", _("Discrimination")
    HEALTH_SAFETY = "health_safety", _("Health and safety")
    PRIVACY = "privacy", _("Privacy")
    ECONOMIC = "economic", _("Economic")
    ENVIRONMENTAL = "environmental", _("Environmental")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    SOCIETAL = "societal", _("Societal")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    SEVERE = "severe", _("Severe")


class ImpactLikelihood(models.TextChoices):
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely")
    ALMOST_CERTAIN = "almost_certain", _("Almost certain")


class Reversibility(models.TextChoices):
    REVERSIBLE = "reversible", _("Easily reversed")
    HARD = "hard_to_reverse", _("Hard to reverse")
    IRREVERSIBLE = "irreversible", _("Irreversible")


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
