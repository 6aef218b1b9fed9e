"""The AI system inventory and the AIMS context (ISO/IEC 42001 clauses 4.1–4.3; Annex A.4, A.6, A.7, A.9, A.10)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from registry.constants import (
    AITechnique,
    ApprovalStatus,
    AutomationLevel,
    Criticality,
    DatasetPurpose,
    DataSource,
    DeploymentStatus,
    DueDiligenceStatus,
    EUTier,
    IssueKind,
    LegalBasis,
    LifecycleStage,
    MetricComparison,
    OperatorRole,
    ScopeStatus,
    SupplyType,
)

USER = settings.AUTH_USER_MODEL


def _member_fk(related_name: str, verbose_name: str):
    return models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name=related_name, verbose_name=verbose_name
    )


class Supplier(OwnedMixin, ReferencedModel):
    """A third party that supplies AI models, APIs, data or services (Annex A.10.3)."""

    REFERENCE_PREFIX = "SUP"

    name = models.CharField(max_length=200)
    supply_type = models.CharField(max_length=20, choices=SupplyType.choices, default=SupplyType.MODEL_API)
    supplies = models.TextField("what they supply", blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    due_diligence_status = models.CharField(
        max_length=20, choices=DueDiligenceStatus.choices, default=DueDiligenceStatus.NOT_STARTED
    )
    due_diligence_date = models.DateField(null=True, blank=True)
    assessment_notes = models.TextField(blank=True)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        ordering = ["reference"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class Dataset(OwnedMixin, ReferencedModel):
    """Data used to train, validate, test or operate AI systems (Annex A.7)."""

    REFERENCE_PREFIX = "DS"

    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=DataSource.choices, default=DataSource.INTERNAL)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets")
    provenance = models.TextField(blank=True, help_text="Where the data comes from and how it was obtained.")
    collection_method = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True)
    contains_personal_data = models.BooleanField(default=False)
    contains_special_category_data = models.BooleanField(
        "contains special-category data", default=False, help_text="GDPR Art. 9: health, biometric, ethnicity..."
    )
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices, default=LegalBasis.NOT_APPLICABLE)
    quality_checks = models.TextField("data-quality checks done", blank=True)
    quality_results = models.TextField("results of the checks", blank=True)
    known_biases = models.TextField("known biases and gaps", blank=True)
    retention = models.CharField(max_length=200, blank=True, help_text="How long it is kept, and why.")
    derived_from = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="derivatives")
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        ordering = ["reference"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self) -> str:
        label = f"{self.reference} {self.name}"
        return f"{label} v{self.version}" if self.version else label


class AISystem(ReferencedModel):
    """An AI system the organisation develops, provides, deploys, imports or distributes (Annex A.4, A.6)."""

    REFERENCE_PREFIX = "AIS"
    OWNER_FIELDS = ("business_owner", "technical_owner")

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    intended_purpose = models.TextField(blank=True)
    intended_users = models.TextField(blank=True)
    foreseeable_misuse = models.TextField("reasonably foreseeable misuse", blank=True)
    affected_persons = models.TextField("affected persons and groups", blank=True)
    business_owner = _member_fk("+", "business owner")
    technical_owner = _member_fk("+", "technical owner")
    business_unit = models.CharField(max_length=120, blank=True)
    operator_role = models.CharField(
        "our role", max_length=20, choices=OperatorRole.choices, default=OperatorRole.DEPLOYER
    )
    lifecycle_stage = models.CharField(max_length=30, choices=LifecycleStage.choices, default=LifecycleStage.INCEPTION)
    deployment_status = models.CharField(
        max_length=20, choices=DeploymentStatus.choices, default=DeploymentStatus.PLANNED
    )
    deployment_date = models.DateField(null=True, blank=True)
    ai_techniques = models.CharField(
        "AI techniques", max_length=200, blank=True, help_text="Comma-separated technique keys."
    )
    automation_level = models.CharField(
        max_length=30, choices=AutomationLevel.choices, default=AutomationLevel.ADVISORY
    )
    human_oversight = models.TextField("human-oversight arrangement", blank=True)
    geography = models.CharField("geography of use", max_length=200, blank=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    in_scope = models.BooleanField("in AIMS scope", default=True)
    scope_justification = models.TextField(
        "scope justification", help_text="Why the system is in, or out of, the AIMS scope (required either way)."
    )
    review_cadence_months = models.PositiveSmallIntegerField(default=12)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True, editable=False)
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    suppliers = models.ManyToManyField(Supplier, blank=True, related_name="ai_systems")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    eu_tier = models.CharField(
        "EU AI Act tier", max_length=20, choices=EUTier.choices, default=EUTier.UNCLASSIFIED, editable=False
    )
    reassessment_required = models.BooleanField(default=False, editable=False)
    reassessment_reason = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = "AI system"
        verbose_name_plural = "AI systems"
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["organisation", "lifecycle_stage"]),
            models.Index(fields=["organisation", "eu_tier"]),
            models.Index(fields=["organisation", "next_review"]),
            models.Index(fields=["organisation", "business_owner"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def technique_list(self) -> list[str]:
        return [t for t in self.ai_techniques.split(",") if t]

    def get_ai_techniques_display(self) -> str:
        labels = dict(AITechnique.choices)
        return ", ".join(labels.get(t, t) for t in self.technique_list)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class DatasetUsage(OrganisationScopedModel):
    """Which dataset a system uses, and for what (training, validation, test, operational input)."""

    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="dataset_usages")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="usages")
    purpose = models.CharField(max_length=20, choices=DatasetPurpose.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dataset__reference", "purpose"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "dataset", "purpose"], name="registry_datasetusage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} for {self.get_purpose_display().lower()} in {self.ai_system}"


class AIModel(OwnedMixin, ReferencedModel):
    """A model the organisation trains or obtains; its versions are what systems deploy."""

    REFERENCE_PREFIX = "MDL"

    name = models.CharField(max_length=200)
    model_type = models.CharField(max_length=100, blank=True, help_text="e.g. gradient-boosted classifier, LLM")
    description = models.TextField(blank=True)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="models")
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = "model"
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class ModelVersion(OrganisationScopedModel):
    """One version of a model, with its evaluation metrics and approval (Annex A.6.2.4, A.6.2.5)."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="versions")
    version_label = models.CharField(max_length=50)
    external_id = models.CharField(
        max_length=200, null=True, blank=True, help_text="The MLOps pipeline's id; used to upsert idempotently."
    )
    description = models.TextField("release notes", blank=True)
    training_datasets = models.ManyToManyField(Dataset, blank=True, related_name="trained_versions")
    deployed_in = models.ManyToManyField(AISystem, blank=True, related_name="model_versions")
    approval_status = models.CharField(max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PROPOSED)
    approved_by = _member_fk("+", "approved by")
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["model__reference", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["model", "version_label"], name="registry_modelversion_unique_label"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="registry_modelversion_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} {self.version_label}"

    OWNER_FIELDS = ()

    def is_owned_by(self, user) -> bool:
        return self.model.owner_id == user.pk


class ModelMetric(OrganisationScopedModel):
    """An evaluation result of a model version against its threshold (accuracy, fairness gap, ...)."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=100)
    value = models.FloatField()
    threshold = models.FloatField(null=True, blank=True)
    comparison = models.CharField(max_length=3, choices=MetricComparison.choices, default=MetricComparison.AT_LEAST)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["model_version", "name"], name="registry_modelmetric_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value:g}"

    @property
    def passed(self) -> bool | None:
        if self.threshold is None:
            return None
        return (
            self.value >= self.threshold
            if self.comparison == MetricComparison.AT_LEAST
            else self.value <= self.threshold
        )


class ScopeStatement(OrganisationScopedModel):
    """The AIMS scope (clause 4.3), versioned: the approved version with the highest number is current."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False  # the scope is the organisation's, set by officers

    version = models.PositiveIntegerField()
    boundaries = models.TextField(help_text="What the AIMS covers: activities, products, AI systems.")
    units = models.TextField("organisational units", blank=True)
    locations = models.TextField(blank=True)
    ai_roles = models.TextField(
        "AI roles of the organisation", blank=True, help_text="e.g. provider of X, deployer of Y"
    )
    exclusions = models.TextField("exclusions and their reasons", blank=True)
    status = models.CharField(max_length=20, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    approved_by = _member_fk("+", "approved by")
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "AIMS scope"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="registry_scope_unique_version")
        ]

    def __str__(self) -> str:
        return f"AIMS scope v{self.version} ({self.get_status_display().lower()})"


class ContextIssue(OwnedMixin, ReferencedModel):
    """An internal or external issue relevant to the AIMS (clause 4.1)."""

    REFERENCE_PREFIX = "CTX"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=IssueKind.choices, default=IssueKind.EXTERNAL)
    description = models.TextField(blank=True)
    effect_on_aims = models.TextField("effect on the AIMS", blank=True)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = "context issue"
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title


class InterestedParty(OwnedMixin, ReferencedModel):
    """An interested party and its requirements relevant to the AIMS (clause 4.2)."""

    REFERENCE_PREFIX = "IP"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=IssueKind.choices, default=IssueKind.EXTERNAL)
    requirements = models.TextField("relevant requirements", blank=True)
    addressed = models.BooleanField("addressed by the AIMS", default=False)
    how_addressed = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class Classification(OrganisationScopedModel):
    """One EU AI Act classification of an AI system: the answers, the tier and why.

    Every classification is kept; the newest is current and its tier is copied to ``AISystem.eu_tier``
    for fast filtering.
    """

    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="classifications")
    answers = models.JSONField(default=dict)
    tier = models.CharField(max_length=20, choices=EUTier.choices)
    basis = models.CharField(max_length=200, blank=True, help_text="The article or annex point that decided the tier.")
    operator_role = models.CharField(max_length=20, choices=OperatorRole.choices)
    obligations = models.JSONField(default=list, blank=True)  # empty for e.g. a distributor of a minimal system
    reasons = models.JSONField(default=list, blank=True)
    classified_by = _member_fk("+", "classified by")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.ai_system.reference}: {self.get_tier_display()}"

    OWNER_FIELDS = ()

    def is_owned_by(self, user) -> bool:
        return self.ai_system.is_owned_by(user)
