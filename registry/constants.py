"""Choices of the AI system inventory (ISO/IEC 42001 clause 4 and Annex A.4, A.6, A.7, A.9, A.10)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def inline_label(label) -> str:
    """A choice label inside a sentence: lower case in English ("is approved", "for training"). Other languages
    keep the label's own capitals (German nouns are capitalised); their translations quote it where needed."""
    text = str(label)
    return text.lower() if (get_language() or "en").startswith("en") else text


class OperatorRole(models.TextChoices):
    """The organisation's role for a system (42001 clause 4.1; EU AI Act Art. 3 operator roles)."""

    DEVELOPER = "developer", _("Developer")
    PROVIDER = "provider", _("Provider")
    DEPLOYER = "deployer", _("Deployer (user)")
    IMPORTER = "importer", _("Importer")
    DISTRIBUTOR = "distributor", _("Distributor")


class LifecycleStage(models.TextChoices):
    INCEPTION = "inception", _("Inception")
    DESIGN = "design_development", _("Design and development")
    VERIFICATION = "verification_validation", _("Verification and validation")
    DEPLOYMENT = "deployment", _("Deployment")
    OPERATION = "operation_monitoring", _("Operation and monitoring")
    REEVALUATION = "re_evaluation", _("Re-evaluation")
    RETIREMENT = "retirement", _("Retirement")


class DeploymentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_DEVELOPMENT = "in_development", _("In development")
    PILOT = "pilot", _("Pilot")
    PRODUCTION = "production", _("In production")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class AITechnique(models.TextChoices):
    MACHINE_LEARNING = "machine_learning", _("Machine learning")
    DEEP_LEARNING = "deep_learning", _("Deep learning")
    GENERATIVE = "generative", _("Generative AI / LLM")
    RULE_BASED = "rule_based", _("Rule-based / expert system")
    OTHER = "other", _("Other")


class AutomationLevel(models.TextChoices):
    ADVISORY = "advisory", _("Advisory: a person decides")
    HUMAN_IN_LOOP = "human_in_the_loop", _("Human in the loop: a person approves each output")
    HUMAN_ON_LOOP = "human_on_the_loop", _("Human on the loop: a person monitors and can intervene")
    AUTONOMOUS = "autonomous", _("Fully automated")


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class EUTier(models.TextChoices):
    """The EU AI Act tier of a system's current classification."""

    UNCLASSIFIED = "unclassified", _("Not classified")
    PROHIBITED = "prohibited", _("Prohibited (Art. 5)")
    HIGH = "high", _("High-risk (Art. 6)")
    LIMITED = "limited", _("Transparency obligations (Art. 50)")
    GPAI = "gpai", _("General-purpose AI model (Chapter V)")
    MINIMAL = "minimal", _("Minimal risk")


class DataSource(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External / public")
    SUPPLIER = "supplier", _("Supplier")


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1) lawful bases, for datasets holding personal data."""

    NOT_APPLICABLE = "not_applicable", _("Not applicable (no personal data)")
    CONSENT = "consent", _("Consent (6(1)(a))")
    CONTRACT = "contract", _("Contract (6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (6(1)(c))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (6(1)(d))")
    PUBLIC_TASK = "public_task", _("Public task (6(1)(e))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (6(1)(f))")


class DatasetPurpose(models.TextChoices):
    TRAINING = "training", _("Training")
    VALIDATION = "validation", _("Validation")
    TEST = "test", _("Test")
    OPERATIONAL = "operational", _("Operational input")


class ApprovalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    RESTRICTED = "restricted", _("Approved with restrictions")
    REJECTED = "rejected", _("Rejected")
    RETIRED = "retired", _("Retired")


class MetricComparison(models.TextChoices):
    AT_LEAST = "gte", _("at least (≥)")
    AT_MOST = "lte", _("at most (≤)")


class SupplyType(models.TextChoices):
    MODEL_API = "model_api", _("AI model or API")
    DATA = "data", _("Data")
    PLATFORM = "platform", _("AI platform or tooling")
    SERVICES = "services", _("Development or consulting services")


class DueDiligenceStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Approved with conditions")
    REJECTED = "rejected", _("Rejected")


class IssueKind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class ScopeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")
