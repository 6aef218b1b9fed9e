"""FilterSets shared by the inventory pages and the API."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from aims.filters import OrganisationFilterSet, YesNoFilter
from registry.constants import (
    AITechnique,
    ApprovalStatus,
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
from registry.models import (
    AIModel,
    AISystem,
    ContextIssue,
    Dataset,
    DatasetUsage,
    InterestedParty,
    ModelMetric,
    ModelVersion,
    ScopeStatement,
    Supplier,
)


def _members(request):
    from accounts.models import User

    organisation = getattr(request, "organisation", None)
    return User.objects.filter(memberships__organisation=organisation).order_by("username")


class AISystemFilterSet(OrganisationFilterSet):
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices, label=_("Stage"))
    eu_tier = django_filters.ChoiceFilter(choices=EUTier.choices, label=_("EU AI Act tier"))
    in_scope = YesNoFilter(label=_("In scope"))
    owner = django_filters.ModelChoiceFilter(
        queryset=_members, field_name="business_owner", method="filter_owner", label=_("Owner")
    )
    reassessment_required = YesNoFilter(label=_("Reassessment required"))
    operator_role = django_filters.ChoiceFilter(choices=OperatorRole.choices, label=_("Our role"))
    deployment_status = django_filters.ChoiceFilter(choices=DeploymentStatus.choices, label=_("Deployment"))
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices, label=_("Criticality"))
    technique = django_filters.ChoiceFilter(
        choices=AITechnique.choices, method="filter_technique", label=_("Technique")
    )
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label=_("Review due by"))
    mine = YesNoFilter(method="filter_mine", label=_("My systems"))

    class Meta:
        model = AISystem
        fields = ["q", "lifecycle_stage", "eu_tier", "in_scope", "owner", "reassessment_required"]

    search_fields = ("reference", "name", "description", "business_unit", "tags")

    def filter_owner(self, queryset, name, value):
        return queryset.filter(Q(business_owner=value) | Q(technical_owner=value)) if value else queryset

    def filter_technique(self, queryset, name, value):
        return queryset.filter(ai_techniques__regex=rf"(^|,){value}(,|$)") if value else queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(Q(business_owner=user) | Q(technical_owner=user))
        return queryset


# --- AIMS scope, context issues and interested parties (clause 4) ---------------------------------------


class ScopeStatementFilterSet(OrganisationFilterSet):
    status = django_filters.ChoiceFilter(choices=ScopeStatus.choices, label=_("Status"))
    version = django_filters.NumberFilter(label=_("Version"))

    class Meta:
        model = ScopeStatement
        fields = ["q", "status", "version"]

    search_fields = ("boundaries", "units", "locations", "ai_roles", "exclusions")


class ContextIssueFilterSet(OrganisationFilterSet):
    kind = django_filters.ChoiceFilter(choices=IssueKind.choices, label=_("Kind"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label=_("Review due by"))

    class Meta:
        model = ContextIssue
        fields = ["q", "kind", "owner", "review_due_before"]

    search_fields = ("reference", "title", "description", "effect_on_aims")


class InterestedPartyFilterSet(OrganisationFilterSet):
    kind = django_filters.ChoiceFilter(choices=IssueKind.choices, label=_("Kind"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    addressed = YesNoFilter(label=_("Addressed by the AIMS"))

    class Meta:
        model = InterestedParty
        fields = ["q", "kind", "owner", "addressed"]

    search_fields = ("reference", "name", "requirements", "how_addressed")


# --- Datasets, suppliers, models and model versions (Annex A.6.2, A.7, A.10) ------------------------------


def _records(model_cls):
    """Choices of ``model_cls`` from the request's organisation only (a filter never lists another tenant's)."""

    def _queryset(request):
        organisation = getattr(request, "organisation", None)
        return model_cls.objects.filter(organisation=organisation).order_by("reference")

    return _queryset


def _failing_metrics():
    """Metrics of a version that miss their threshold."""
    return (
        ModelMetric.objects.filter(model_version=OuterRef("pk"), threshold__isnull=False)
        .filter(
            Q(comparison=MetricComparison.AT_LEAST, value__lt=F("threshold"))
            | Q(comparison=MetricComparison.AT_MOST, value__gt=F("threshold"))
        )
        .values("pk")
    )


class DatasetFilterSet(OrganisationFilterSet):
    source = django_filters.ChoiceFilter(choices=DataSource.choices, label=_("Source"))
    supplier = django_filters.ModelChoiceFilter(queryset=_records(Supplier), label=_("Supplier"))
    contains_personal_data = YesNoFilter(label=_("Personal data"))
    contains_special_category_data = YesNoFilter(label=_("Special-category data"))
    legal_basis = django_filters.ChoiceFilter(choices=LegalBasis.choices, label=_("Legal basis"))
    used_by = django_filters.ModelChoiceFilter(
        queryset=_records(AISystem), field_name="usages__ai_system", method="filter_usage", label=_("Used by")
    )
    purpose = django_filters.ChoiceFilter(
        choices=DatasetPurpose.choices, field_name="usages__purpose", method="filter_usage", label=_("Used for")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label=_("Review due by"))

    class Meta:
        model = Dataset
        fields = ["q", "source", "supplier", "contains_personal_data", "legal_basis", "used_by", "purpose", "owner"]

    search_fields = ("reference", "name", "description", "provenance", "licence", "known_biases")

    def filter_usage(self, queryset, name, value):
        # "Used by" and "Used for" together mean one usage with both (AIS-001 uses it for training).
        data = self.form.cleaned_data
        system, purpose = data.get("used_by"), data.get("purpose")
        if name == "purpose" and system:
            return queryset  # applied with used_by
        usages = DatasetUsage.objects.filter(dataset=OuterRef("pk"))
        if system:
            usages = usages.filter(ai_system=system)
        if purpose:
            usages = usages.filter(purpose=purpose)
        return queryset.filter(Exists(usages))


class SupplierFilterSet(OrganisationFilterSet):
    supply_type = django_filters.ChoiceFilter(choices=SupplyType.choices, label=_("Supplies"))
    due_diligence_status = django_filters.ChoiceFilter(choices=DueDiligenceStatus.choices, label=_("Due diligence"))
    ai_system = django_filters.ModelChoiceFilter(
        queryset=_records(AISystem), field_name="ai_systems", method="filter_ai_system", label=_("Supplies system")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    review_due_before = django_filters.DateFilter(field_name="next_review", lookup_expr="lte", label=_("Review due by"))

    class Meta:
        model = Supplier
        fields = ["q", "supply_type", "due_diligence_status", "ai_system", "owner", "review_due_before"]

    search_fields = ("reference", "name", "supplies", "contract_reference", "assessment_notes")

    def filter_ai_system(self, queryset, name, value):
        links = AISystem.suppliers.through.objects.filter(supplier=OuterRef("pk"), aisystem=value)
        return queryset.filter(Exists(links))


class AIModelFilterSet(OrganisationFilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=_records(Supplier), label=_("Supplier"))
    owner = django_filters.ModelChoiceFilter(queryset=_members, label=_("Owner"))
    deployed_in = django_filters.ModelChoiceFilter(
        queryset=_records(AISystem),
        field_name="versions__deployed_in",
        method="filter_deployed_in",
        label=_("Deployed in"),
    )

    class Meta:
        model = AIModel
        fields = ["q", "supplier", "owner", "deployed_in"]

    search_fields = ("reference", "name", "model_type", "description")

    def filter_deployed_in(self, queryset, name, value):
        return queryset.filter(Exists(ModelVersion.objects.filter(model=OuterRef("pk"), deployed_in=value)))


class ModelVersionFilterSet(OrganisationFilterSet):
    model = django_filters.ModelChoiceFilter(queryset=_records(AIModel), label=_("Model"))
    approval_status = django_filters.ChoiceFilter(choices=ApprovalStatus.choices, label=_("Approval"))
    deployed_in = django_filters.ModelChoiceFilter(
        queryset=_records(AISystem), method="filter_deployed_in", label=_("Deployed in")
    )
    failing_metrics = YesNoFilter(method="filter_failing", label=_("Misses a threshold"))
    external_id = django_filters.CharFilter(label=_("External id"))

    class Meta:
        model = ModelVersion
        fields = ["q", "model", "approval_status", "deployed_in", "failing_metrics", "external_id"]

    search_fields = ("version_label", "description", "external_id", "model__reference", "model__name")

    def filter_deployed_in(self, queryset, name, value):
        links = ModelVersion.deployed_in.through.objects.filter(modelversion=OuterRef("pk"), aisystem=value)
        return queryset.filter(Exists(links))

    def filter_failing(self, queryset, name, value):
        if value is None:
            return queryset
        failing = Exists(_failing_metrics())
        return queryset.filter(failing if value else ~failing)
