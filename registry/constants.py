"""Choices of the AI system inventory (ISO/IEC 42001 clause 4 and Annex A.4, A.6, A.7, A.9, A.10)."""

from django.db import models


class OperatorRole(models.TextChoices):
    """The organisation's role for a system (42001 clause 4.1; EU AI Act Art. 3 operator roles)."""

    DEVELOPER = "developer", "Developer"
    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer (user)"
    IMPORTER = "importer", "Importer"
    DISTRIBUTOR = "distributor", "Distributor"


class LifecycleStage(models.TextChoices):
    INCEPTION = "inception", "Inception"
    DESIGN = "design_development", "Design and development"
    VERIFICATION = "verification_validation", "Verification and validation"
    DEPLOYMENT = "deployment", "Deployment"
    OPERATION = "operation_monitoring", "Operation and monitoring"
    REEVALUATION = "re_evaluation", "Re-evaluation"
    RETIREMENT = "retirement", "Retirement"


class DeploymentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_DEVELOPMENT = "in_development", "In development"
    PILOT = "pilot", "Pilot"
    PRODUCTION = "production", "In production"
    SUSPENDED = "suspended", "Suspended"
    RETIRED = "retired", "Retired"


class AITechnique(models.TextChoices):
    MACHINE_LEARNING = "machine_learning", "Machine learning"
    DEEP_LEARNING = "deep_learning", "Deep learning"
    GENERATIVE = "generative", "Generative AI / LLM"
    RULE_BASED = "rule_based", "Rule-based / expert system"
    OTHER = "other", "Other"


class AutomationLevel(models.TextChoices):
    ADVISORY = "advisory", "Advisory: a person decides"
    HUMAN_IN_LOOP = "human_in_the_loop", "Human in the loop: a person approves each output"
    HUMAN_ON_LOOP = "human_on_the_loop", "Human on the loop: a person monitors and can intervene"
    AUTONOMOUS = "autonomous", "Fully automated"


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class EUTier(models.TextChoices):
    """The EU AI Act tier of a system's current classification."""

    UNCLASSIFIED = "unclassified", "Not classified"
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High-risk (Art. 6)"
    LIMITED = "limited", "Transparency obligations (Art. 50)"
    GPAI = "gpai", "General-purpose AI model (Chapter V)"
    MINIMAL = "minimal", "Minimal risk"


class DataSource(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External / public"
    SUPPLIER = "supplier", "Supplier"


class LegalBasis(models.TextChoices):
    """GDPR Art. 6(1) lawful bases, for datasets holding personal data."""

    NOT_APPLICABLE = "not_applicable", "Not applicable (no personal data)"
    CONSENT = "consent", "Consent (6(1)(a))"
    CONTRACT = "contract", "Contract (6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (6(1)(f))"


class DatasetPurpose(models.TextChoices):
    TRAINING = "training", "Training"
    VALIDATION = "validation", "Validation"
    TEST = "test", "Test"
    OPERATIONAL = "operational", "Operational input"


class ApprovalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    RESTRICTED = "restricted", "Approved with restrictions"
    REJECTED = "rejected", "Rejected"
    RETIRED = "retired", "Retired"


class MetricComparison(models.TextChoices):
    AT_LEAST = "gte", "at least (≥)"
    AT_MOST = "lte", "at most (≤)"


class SupplyType(models.TextChoices):
    MODEL_API = "model_api", "AI model or API"
    DATA = "data", "Data"
    PLATFORM = "platform", "AI platform or tooling"
    SERVICES = "services", "Development or consulting services"


class DueDiligenceStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    APPROVED = "approved", "Approved"
    CONDITIONAL = "conditional", "Approved with conditions"
    REJECTED = "rejected", "Rejected"


class IssueKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class ScopeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
