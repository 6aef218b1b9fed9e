"""Inventory pages. Thin: the generic register views do the work; services make the changes."""

from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterDetailView, RegisterFormView, RegisterListView, Tab
from registry import services
from registry.filtersets import AISystemFilterSet
from registry.forms import AISystemForm
from registry.models import AISystem, Classification, DatasetUsage, ModelVersion
from registry.views_import import import_url

AI_SYSTEM_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Description", "description"),
    ("Intended purpose", "intended_purpose"),
    ("Intended users", "intended_users"),
    ("Foreseeable misuse", "foreseeable_misuse"),
    ("Affected persons", "affected_persons"),
    ("Business owner", "business_owner.username"),
    ("Technical owner", "technical_owner.username"),
    ("Business unit", "business_unit"),
    ("Our role", "operator_role"),
    ("Lifecycle stage", "lifecycle_stage"),
    ("Deployment status", "deployment_status"),
    ("Deployment date", "deployment_date"),
    ("AI techniques", "ai_techniques"),
    ("Automation level", "automation_level"),
    ("Human oversight", "human_oversight"),
    ("Geography", "geography"),
    ("Criticality", "criticality"),
    ("In scope", "in_scope"),
    ("Scope justification", "scope_justification"),
    ("Review cadence (months)", "review_cadence_months"),
    ("Last reviewed", "last_reviewed"),
    ("Next review", "next_review"),
    ("EU AI Act tier", "eu_tier"),
    ("Reassessment required", "reassessment_required"),
    ("Tags", "tags"),
]


class AISystemMixin:
    model = AISystem
    url_base = "registry:aisystem"

    def base_queryset(self):
        return AISystem.objects.select_related("business_owner", "technical_owner")


class AISystemListView(AISystemMixin, RegisterListView):
    title = _("AI system inventory")
    filterset_class = AISystemFilterSet
    export_fields = AI_SYSTEM_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Name"), sort="name", template="registry/cells/name.html"),
        Column("business_owner", _("Owner"), sort="business_owner__username", template="registry/cells/owner.html"),
        Column("lifecycle_stage", _("Stage"), sort="lifecycle_stage"),
        Column("eu_tier", _("EU AI Act tier"), sort="eu_tier", template="registry/cells/tier.html"),
        Column("in_scope", _("In scope"), sort="in_scope", template="registry/cells/in_scope.html"),
        Column("next_review", _("Next review"), sort="next_review", template="registry/cells/next_review.html"),
        Column(
            "reassessment_required",
            _("Reassess"),
            sort="reassessment_required",
            template="registry/cells/reassessment.html",
        ),
    ]

    def extra_context_data(self) -> dict:
        return {"import_url": import_url(self.request, "ai-systems")}


class AISystemDetailView(AISystemMixin, RegisterDetailView):
    template_name = "registry/aisystem_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "registry/tabs/aisystem_overview.html"),
        Tab("data", _("Data"), "registry/tabs/aisystem_data.html"),
        Tab("models", _("Models"), "registry/tabs/aisystem_models.html"),
        Tab("suppliers", _("Suppliers"), "registry/tabs/aisystem_suppliers.html"),
        Tab("classification", _("EU AI Act"), "registry/tabs/aisystem_classification.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("suppliers", "depends_on", "dependants")

    def tab_context(self, obj, tab_key):
        if tab_key == "data":
            return {"usages": DatasetUsage.objects.filter(ai_system=obj).select_related("dataset", "dataset__supplier")}
        if tab_key == "models":
            return {
                "versions": ModelVersion.objects.filter(deployed_in=obj)
                .select_related("model", "approved_by")
                .prefetch_related("metrics")
            }
        if tab_key == "classification":
            return {"classifications": Classification.objects.filter(ai_system=obj).select_related("classified_by")}
        return {}


class AISystemFormView(AISystemMixin, RegisterFormView):
    form_class = AISystemForm

    create_service = staticmethod(services.ai_system_register)
    update_service = staticmethod(services.ai_system_update)
    object_kwarg = "system"


class AISystemDeleteView(AISystemMixin, RegisterDeleteView):
    delete_service = staticmethod(services.ai_system_delete)
    object_kwarg = "system"
