"""The AI system inventory and the AIMS context (ISO/IEC 42001 clauses 4.1–4.3; Annex A.4, A.6, A.7, A.9, A.10)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from registry.classification import QUESTIONS, VALUE_WORDS
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
    inline_label,
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
    supplies = models.TextField(_("what they supply"), blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)
    due_diligence_status = models.CharField(
        max_length=20, choices=DueDiligenceStatus.choices, default=DueDiligenceStatus.NOT_STARTED
    )
    due_diligence_date = models.DateField(null=True, blank=True)
    assessment_notes = models.TextField(blank=True)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
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
    provenance = models.TextField(blank=True, help_text=_("Where the data comes from and how it was obtained."))
    collection_method = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True)
    contains_personal_data = models.BooleanField(default=False)
    contains_special_category_data = models.BooleanField(
        _("contains special-category data"), default=False, help_text=_("GDPR Art. 9: health, biometric, ethnicity...")
    )
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices, default=LegalBasis.NOT_APPLICABLE)
    quality_checks = models.TextField(_("data-quality checks done"), blank=True)
    quality_results = models.TextField(_("results of the checks"), blank=True)
    known_biases = models.TextField(_("known biases and gaps"), blank=True)
    retention = models.CharField(max_length=200, blank=True, help_text=_("How long it is kept, and why."))
    derived_from = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="derivatives")
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
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
    foreseeable_misuse = models.TextField(_("reasonably foreseeable misuse"), blank=True)
    affected_persons = models.TextField(_("affected persons and groups"), blank=True)
    business_owner = _member_fk("+", _("business owner"))
    technical_owner = _member_fk("+", _("technical owner"))
    business_unit = models.CharField(max_length=120, blank=True)
    operator_role = models.CharField(
        _("our role"), max_length=20, choices=OperatorRole.choices, default=OperatorRole.DEPLOYER
    )
    lifecycle_stage = models.CharField(max_length=30, choices=LifecycleStage.choices, default=LifecycleStage.INCEPTION)
    deployment_status = models.CharField(
        max_length=20, choices=DeploymentStatus.choices, default=DeploymentStatus.PLANNED
    )
    deployment_date = models.DateField(null=True, blank=True)
    ai_techniques = models.CharField(
        _("AI techniques"), max_length=200, blank=True, help_text=_("Comma-separated technique keys.")
    )
    automation_level = models.CharField(
        max_length=30, choices=AutomationLevel.choices, default=AutomationLevel.ADVISORY
    )
    human_oversight = models.TextField(_("human-oversight arrangement"), blank=True)
    geography = models.CharField(_("geography of use"), max_length=200, blank=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    in_scope = models.BooleanField(_("in AIMS scope"), default=True)
    scope_justification = models.TextField(
        _("scope justification"), help_text=_("Why the system is in, or out of, the AIMS scope (required either way).")
    )
    review_cadence_months = models.PositiveSmallIntegerField(default=12)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True, editable=False)
    tags = models.CharField(max_length=300, blank=True, help_text=_("Comma-separated."))
    suppliers = models.ManyToManyField(Supplier, blank=True, related_name="ai_systems")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    eu_tier = models.CharField(
        _("EU AI Act tier"), max_length=20, choices=EUTier.choices, default=EUTier.UNCLASSIFIED, editable=False
    )
    reassessment_required = models.BooleanField(default=False, editable=False)
    reassessment_reason = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI system")
        verbose_name_plural = _("AI systems")
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
        return ", ".join(str(labels.get(t, t)) for t in self.technique_list)

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
        verbose_name = _("dataset usage")
        verbose_name_plural = _("dataset usages")
        ordering = ["dataset__reference", "purpose"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "dataset", "purpose"], name="registry_datasetusage_unique")
        ]

    def __str__(self) -> str:
        return gettext("%(dataset)s for %(purpose)s in %(system)s") % {
            "dataset": self.dataset,
            "purpose": inline_label(self.get_purpose_display()),
            "system": self.ai_system,
        }


class AIModel(OwnedMixin, ReferencedModel):
    """A model the organisation trains or obtains; its versions are what systems deploy."""

    REFERENCE_PREFIX = "MDL"

    name = models.CharField(max_length=200)
    model_type = models.CharField(max_length=100, blank=True, help_text=_("e.g. gradient-boosted classifier, LLM"))
    description = models.TextField(blank=True)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="models")
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("model")
        verbose_name_plural = _("models")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class ModelVersion(OrganisationScopedModel):
    """One version of a model, with its evaluation metrics and approval (Annex A.6.2.4, A.6.2.5)."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="versions")
    version_label = models.CharField(max_length=50)
    external_id = models.CharField(
        max_length=200, null=True, blank=True, help_text=_("The MLOps pipeline's id; used to upsert idempotently.")
    )
    description = models.TextField(_("release notes"), blank=True)
    training_datasets = models.ManyToManyField(Dataset, blank=True, related_name="trained_versions")
    deployed_in = models.ManyToManyField(AISystem, blank=True, related_name="model_versions")
    approval_status = models.CharField(max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PROPOSED)
    approved_by = _member_fk("+", _("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
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
        verbose_name = _("model metric")
        verbose_name_plural = _("model metrics")
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
    boundaries = models.TextField(help_text=_("What the AIMS covers: activities, products, AI systems."))
    units = models.TextField(_("organisational units"), blank=True)
    locations = models.TextField(blank=True)
    ai_roles = models.TextField(
        _("AI roles of the organisation"), blank=True, help_text=_("e.g. provider of X, deployer of Y")
    )
    exclusions = models.TextField(_("exclusions and their reasons"), blank=True)
    status = models.CharField(max_length=20, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    approved_by = _member_fk("+", _("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("AIMS scope")
        verbose_name_plural = _("AIMS scopes")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="registry_scope_unique_version")
        ]

    def __str__(self) -> str:
        return gettext("AIMS scope v%(version)s (%(status)s)") % {
            "version": self.version,
            "status": inline_label(self.get_status_display()),
        }


class ContextIssue(OwnedMixin, ReferencedModel):
    """An internal or external issue relevant to the AIMS (clause 4.1)."""

    REFERENCE_PREFIX = "CTX"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=IssueKind.choices, default=IssueKind.EXTERNAL)
    description = models.TextField(blank=True)
    effect_on_aims = models.TextField(_("effect on the AIMS"), blank=True)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("context issue")
        verbose_name_plural = _("context issues")
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
    requirements = models.TextField(_("relevant requirements"), blank=True)
    addressed = models.BooleanField(_("addressed by the AIMS"), default=False)
    how_addressed = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")
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
    basis = models.CharField(
        max_length=200, blank=True, help_text=_("The article or annex point that decided the tier.")
    )
    operator_role = models.CharField(max_length=20, choices=OperatorRole.choices)
    obligations = models.JSONField(default=list, blank=True)  # empty for e.g. a distributor of a minimal system
    reasons = models.JSONField(default=list, blank=True)
    classified_by = _member_fk("+", _("classified by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.ai_system.reference}: {self.get_tier_display()}"

    def reason_rows(self) -> list[dict]:
        """The reasons for display. The question is looked up by its key, so it reads in the reader's language
        (the stored one is in the language of whoever classified); roles and yes/no/none are shown as words."""
        rows = []
        for reason in self.reasons:
            answer, value = reason.get("answer", ""), reason.get("value", "")
            question = QUESTIONS.get(answer) or reason.get("question") or answer
            if answer == "operator_role":
                value = dict(OperatorRole.choices).get(value, value)
            rows.append({**reason, "question": question, "value": VALUE_WORDS.get(value, value)})
        return rows

    OWNER_FIELDS = ()

    def is_owned_by(self, user) -> bool:
        return self.ai_system.is_owned_by(user)


# --- Translatable labels Django would otherwise derive from names ----------------------------------------
# A field without a verbose name gets one derived from its Python name ("intended_purpose" → "intended
# purpose"), which cannot be translated. Writing the labels into the field definitions above would add a
# migration that alters every field (and every historical model) for nothing in the database, so they are set
# here, after the classes are built: the migration state keeps the derived English text, which is the same text.
# Forms, filters and the History tab read these labels. (Model names are in each model's Meta.)
_FIELD_LABELS = {
    "ai_system": _("AI system"),
    "answers": _("answers"),
    "approval_status": _("approval status"),
    "approved_at": _("approved at"),
    "assessment_notes": _("assessment notes"),
    "automation_level": _("automation level"),
    "basis": _("basis"),
    "boundaries": _("boundaries"),
    "business_unit": _("business unit"),
    "collection_method": _("collection method"),
    "comparison": _("comparison"),
    "contains_personal_data": _("contains personal data"),
    "contract_reference": _("contract reference"),
    "criticality": _("criticality"),
    "dataset": _("dataset"),
    "deployed_in": _("deployed in"),
    "depends_on": _("depends on"),
    "deployment_date": _("deployment date"),
    "deployment_status": _("deployment status"),
    "derived_from": _("derived from"),
    "description": _("description"),
    "due_diligence_date": _("due diligence date"),
    "due_diligence_status": _("due diligence status"),
    "external_id": _("external id"),
    "how_addressed": _("how addressed"),
    "intended_purpose": _("intended purpose"),
    "intended_users": _("intended users"),
    "kind": _("kind"),
    "last_reviewed": _("last reviewed"),
    "legal_basis": _("legal basis"),
    "licence": _("licence"),
    "lifecycle_stage": _("lifecycle stage"),
    "locations": _("locations"),
    "model": _("model"),
    "model_type": _("model type"),
    "model_version": _("model version"),
    "name": _("name"),
    "next_review": _("next review"),
    "obligations": _("obligations"),
    "operator_role": _("operator role"),
    "provenance": _("provenance"),
    "purpose": _("purpose"),
    "reasons": _("reasons"),
    "reassessment_reason": _("reassessment reason"),
    "reassessment_required": _("reassessment required"),
    "retention": _("retention"),
    "review_cadence_months": _("review cadence months"),
    "source": _("source"),
    "status": _("status"),
    "supplier": _("supplier"),
    "suppliers": _("suppliers"),
    "supply_type": _("supply type"),
    "tags": _("tags"),
    "threshold": _("threshold"),
    "tier": _("tier"),
    "title": _("title"),
    "training_datasets": _("training datasets"),
    "value": _("value"),
    "version": _("version"),
    "version_label": _("version label"),
}


def _set_translatable_labels() -> None:
    for model in (
        Supplier,
        Dataset,
        AISystem,
        DatasetUsage,
        AIModel,
        ModelVersion,
        ModelMetric,
        ScopeStatement,
        ContextIssue,
        InterestedParty,
        Classification,
    ):
        for field in [*model._meta.local_fields, *model._meta.local_many_to_many]:
            label = _FIELD_LABELS.get(field.name)
            # Only derived labels: an explicit verbose name (and its own translation) stays as written.
            if label is not None and field._verbose_name is None:
                field.verbose_name = label


_set_translatable_labels()
