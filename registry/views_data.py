"""Pages of the datasets, suppliers, models and model versions registers (Annex A.6.2, A.7, A.10).

Thin: the generic register views list, show and edit; ``registry.services`` makes every change.
"""

import uuid

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from aims.crud import (
    Column,
    OrganisationViewMixin,
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from aims.forms import apply_service_error
from aims.services import ServiceError
from registry import services
from registry.constants import inline_label
from registry.filtersets import AIModelFilterSet, DatasetFilterSet, ModelVersionFilterSet, SupplierFilterSet
from registry.forms_data import (
    AIModelForm,
    DatasetForm,
    DatasetUsageForm,
    ModelMetricForm,
    ModelVersionDecisionForm,
    ModelVersionForm,
    SupplierForm,
)
from registry.models import AIModel, Dataset, DatasetUsage, ModelMetric, ModelVersion, Supplier
from registry.views_import import import_url

_USAGES = Prefetch("usages", queryset=DatasetUsage.objects.select_related("ai_system").order_by("purpose"))


def _usages_text(dataset) -> str:
    return "; ".join(f"{u.ai_system.reference} ({u.get_purpose_display().lower()})" for u in dataset.usages.all())


def _versions_text(model) -> str:
    return "; ".join(f"{v.version_label} ({v.get_approval_status_display().lower()})" for v in model.versions.all())


def _metrics_text(version) -> str:
    rows = []
    for m in version.metrics.all():
        if m.threshold is None:
            rows.append(f"{m.name}={m.value:g}")
        else:
            sign = "≥" if m.comparison == "gte" else "≤"
            rows.append(f"{m.name}={m.value:g} ({sign}{m.threshold:g}: {'pass' if m.passed else 'fail'})")
    return "; ".join(rows)


SUPPLIER_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Supply type", "get_supply_type_display"),
    ("What they supply", "supplies"),
    ("Contract reference", "contract_reference"),
    ("Due-diligence status", "get_due_diligence_status_display"),
    ("Due-diligence date", "due_diligence_date"),
    ("Assessment notes", "assessment_notes"),
    ("Owner", "owner.username"),
    ("Next review", "next_review"),
    ("AI systems", "ai_systems"),
    ("Datasets", "datasets"),
]
DATASET_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Version", "version"),
    ("Description", "description"),
    ("Owner", "owner.username"),
    ("Source", "get_source_display"),
    ("Supplier", "supplier.reference"),
    ("Provenance", "provenance"),
    ("Collection method", "collection_method"),
    ("Licence", "licence"),
    ("Contains personal data", "contains_personal_data"),
    ("Contains special-category data", "contains_special_category_data"),
    ("Legal basis", "get_legal_basis_display"),
    ("Data-quality checks", "quality_checks"),
    ("Results of the checks", "quality_results"),
    ("Known biases and gaps", "known_biases"),
    ("Retention", "retention"),
    ("Derived from", "derived_from"),
    ("Used by", _usages_text),
    ("Next review", "next_review"),
]
AI_MODEL_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Model type", "model_type"),
    ("Description", "description"),
    ("Owner", "owner.username"),
    ("Supplier", "supplier.reference"),
    ("Versions", _versions_text),
]
MODEL_VERSION_EXPORT = [
    ("Model reference", "model.reference"),
    ("Model", "model.name"),
    ("Version", "version_label"),
    ("External id", "external_id"),
    ("Release notes", "description"),
    ("Approval", "get_approval_status_display"),
    ("Decided by", "approved_by.username"),
    ("Decided at", "approved_at"),
    ("Training datasets", "training_datasets"),
    ("Deployed in", "deployed_in"),
    ("Metrics", _metrics_text),
    ("Created", "created_at"),
]


def _detail_with_tab(view, obj, tab: str):
    return redirect(f"{view.url('detail', obj.pk)}?tab={tab}")


# Suppliers --------------------------------------------------------------------------------------------


class SupplierMixin:
    model = Supplier
    url_base = "registry:supplier"

    def base_queryset(self):
        return Supplier.objects.select_related("owner")


class SupplierListView(SupplierMixin, RegisterListView):
    filterset_class = SupplierFilterSet
    export_fields = SUPPLIER_EXPORT

    def extra_context_data(self) -> dict:
        return {"import_url": import_url(self.request, "suppliers")}

    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Name"), sort="name", template="registry/cells/name.html"),
        Column("supply_type", _("Supplies"), sort="supply_type"),
        Column("contract_reference", _("Contract"), sort="contract_reference"),
        Column(
            "due_diligence_status",
            _("Due diligence"),
            sort="due_diligence_status",
            template="registry/cells/diligence.html",
        ),
        Column("ai_systems", _("AI systems"), template="registry/cells/supplier_systems.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("next_review", _("Next review"), sort="next_review", template="registry/cells/next_review.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("ai_systems", "datasets")


class SupplierDetailView(SupplierMixin, RegisterDetailView):
    template_name = "registry/supplier_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "registry/tabs/supplier_overview.html"),
        Tab("systems", _("AI systems"), "registry/tabs/supplier_systems.html"),
        Tab("datasets", _("Datasets"), "registry/tabs/supplier_datasets.html"),
        Tab("models", _("Models"), "registry/tabs/supplier_models.html"),
    ]

    def tab_context(self, obj, tab_key):
        if tab_key == "systems":
            return {"systems": obj.ai_systems.select_related("business_owner").order_by("reference")}
        if tab_key == "datasets":
            return {"datasets": obj.datasets.prefetch_related(_USAGES).order_by("reference")}
        if tab_key == "models":
            return {"models": obj.models.prefetch_related("versions").order_by("reference")}
        return {}


class SupplierFormView(SupplierMixin, RegisterFormView):
    form_class = SupplierForm

    create_service = staticmethod(services.supplier_create)
    update_service = staticmethod(services.supplier_update)
    object_kwarg = "supplier"


class SupplierDeleteView(SupplierMixin, RegisterDeleteView):
    delete_service = staticmethod(services.supplier_delete)
    object_kwarg = "supplier"


# Datasets ---------------------------------------------------------------------------------------------


class DatasetMixin:
    model = Dataset
    url_base = "registry:dataset"

    def base_queryset(self):
        return Dataset.objects.select_related("owner", "supplier")


class DatasetListView(DatasetMixin, RegisterListView):
    filterset_class = DatasetFilterSet
    export_fields = DATASET_EXPORT

    def extra_context_data(self) -> dict:
        return {"import_url": import_url(self.request, "datasets")}

    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Name"), sort="name", template="registry/cells/dataset_name.html"),
        Column("source", _("Source"), sort="source", template="registry/cells/dataset_source.html"),
        Column(
            "contains_personal_data",
            _("Personal data"),
            sort="contains_personal_data",
            template="registry/cells/personal_data.html",
        ),
        Column("legal_basis", _("Legal basis"), sort="legal_basis"),
        Column("usages", _("Used by"), template="registry/cells/dataset_usages.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("next_review", _("Next review"), sort="next_review", template="registry/cells/next_review.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related(_USAGES, "derived_from")


class DatasetDetailView(DatasetMixin, RegisterDetailView):
    template_name = "registry/dataset_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "registry/tabs/dataset_overview.html"),
        Tab("quality", _("Provenance and quality"), "registry/tabs/dataset_quality.html"),
        Tab("usages", _("Used by"), "registry/tabs/dataset_usages.html"),
        Tab("lineage", _("Lineage"), "registry/tabs/dataset_lineage.html"),
    ]
    usage_form = None

    def tab_context(self, obj, tab_key):
        if tab_key == "usages":
            return {
                "usages": DatasetUsage.objects.filter(dataset=obj)
                .select_related("ai_system")
                .order_by("ai_system__reference", "purpose"),
                "usage_form": self.usage_form or DatasetUsageForm(organisation=self.request.organisation),
            }
        if tab_key == "lineage":
            return {
                "parents": obj.derived_from.order_by("reference"),
                "children": obj.derivatives.order_by("reference"),
                "trained_versions": obj.trained_versions.select_related("model").order_by("model__reference"),
            }
        return {}


class DatasetUsageAddView(DatasetDetailView):
    """POST: add a usage (system + purpose); invalid input re-renders the Used by tab with field errors."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        dataset = self.get_object()
        self.require("change", dataset)
        form = DatasetUsageForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    usage = services.dataset_usage_add(actor=request.user, dataset=dataset, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(system)s now uses it for %(purpose)s.")
                    % {"system": usage.ai_system.reference, "purpose": usage.get_purpose_display()},
                )
                return _detail_with_tab(self, dataset, "usages")
        self.usage_form = form
        request.GET = request.GET.copy()
        request.GET["tab"] = "usages"
        return self.get(request, *args, **kwargs)


class DatasetUsageRemoveView(DatasetMixin, OrganisationViewMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, usage_pk):
        dataset = get_object_or_404(self.scoped_queryset(), pk=pk)
        usage = get_object_or_404(DatasetUsage.objects.select_related("ai_system"), pk=usage_pk, dataset=dataset)
        self.require("change", dataset)
        with transaction.atomic():
            services.dataset_usage_remove(actor=request.user, usage=usage)
        messages.success(
            request,
            gettext("%(system)s no longer uses it for %(purpose)s.")
            % {"system": usage.ai_system.reference, "purpose": usage.get_purpose_display()},
        )
        return _detail_with_tab(self, dataset, "usages")


class DatasetFormView(DatasetMixin, RegisterFormView):
    form_class = DatasetForm

    create_service = staticmethod(services.dataset_create)
    update_service = staticmethod(services.dataset_update)
    object_kwarg = "dataset"


class DatasetDeleteView(DatasetMixin, RegisterDeleteView):
    delete_service = staticmethod(services.dataset_delete)
    object_kwarg = "dataset"


# Models -----------------------------------------------------------------------------------------------


class AIModelMixin:
    model = AIModel
    url_base = "registry:aimodel"

    def base_queryset(self):
        return AIModel.objects.select_related("owner", "supplier")


class AIModelListView(AIModelMixin, RegisterListView):
    filterset_class = AIModelFilterSet
    export_fields = AI_MODEL_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Name"), sort="name", template="registry/cells/name.html"),
        Column("model_type", _("Type"), sort="model_type"),
        Column("supplier", _("Supplier"), sort="supplier__name"),
        Column("versions", _("Versions"), template="registry/cells/model_versions.html"),
        Column("owner", _("Owner"), sort="owner__username"),
    ]

    def base_queryset(self):
        return (
            super().base_queryset().prefetch_related(Prefetch("versions", ModelVersion.objects.order_by("-created_at")))
        )


class AIModelDetailView(AIModelMixin, RegisterDetailView):
    template_name = "registry/aimodel_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "registry/tabs/aimodel_overview.html"),
        Tab("versions", _("Versions"), "registry/tabs/aimodel_versions.html"),
    ]

    def tab_context(self, obj, tab_key):
        context = {"can_add_version": self.allowed("add", ModelVersion) and self.allowed("change", obj)}
        if tab_key == "versions":
            context["versions"] = (
                obj.versions.select_related("approved_by")
                .prefetch_related("metrics", "deployed_in", "training_datasets")
                .order_by("-created_at")
            )
        return context


class AIModelFormView(AIModelMixin, RegisterFormView):
    form_class = AIModelForm

    create_service = staticmethod(services.ai_model_create)
    update_service = staticmethod(services.ai_model_update)
    object_kwarg = "model"


class AIModelDeleteView(AIModelMixin, RegisterDeleteView):
    delete_service = staticmethod(services.ai_model_delete)
    object_kwarg = "model"


# Model versions ---------------------------------------------------------------------------------------


class ModelVersionMixin:
    model = ModelVersion
    url_base = "registry:modelversion"

    def base_queryset(self):
        return ModelVersion.objects.select_related("model", "approved_by")


class ModelVersionListView(ModelVersionMixin, RegisterListView):
    filterset_class = ModelVersionFilterSet
    export_fields = MODEL_VERSION_EXPORT
    default_ordering = "-created_at"
    columns = [
        Column("model", _("Model"), sort="model__reference", template="registry/cells/version_model.html"),
        Column("version_label", _("Version"), sort="version_label", template="registry/cells/version_label.html"),
        Column("approval_status", _("Approval"), sort="approval_status", template="registry/cells/approval.html"),
        Column("metrics", _("Metrics"), template="registry/cells/metrics.html"),
        Column("deployed_in", _("Deployed in"), template="registry/cells/deployed_in.html"),
        Column("created_at", _("Recorded"), sort="created_at", template="registry/cells/created.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("metrics", "deployed_in", "training_datasets")


class ModelVersionDetailView(ModelVersionMixin, RegisterDetailView):
    template_name = "registry/modelversion_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "registry/tabs/modelversion_overview.html"),
        Tab("metrics", _("Metrics"), "registry/tabs/modelversion_metrics.html"),
    ]
    metric_form = None

    def base_queryset(self):
        return super().base_queryset().prefetch_related("training_datasets", "deployed_in")

    def tab_context(self, obj, tab_key):
        context = {"decision_form": ModelVersionDecisionForm()}
        if tab_key == "metrics":
            metrics = list(ModelMetric.objects.filter(model_version=obj).order_by("name"))
            form = self.metric_form
            if form is None:
                # "Edit" on a row prefills the form with that row; saving under the same name updates it.
                editing = next((m for m in metrics if str(m.pk) == self.request.GET.get("edit")), None)
                fields = ("name", "value", "threshold", "comparison")
                form = ModelMetricForm(initial={f: getattr(editing, f) for f in fields} if editing else None)
            context.update(metrics=metrics, metric_form=form)
        return context


class ModelVersionDecideView(ModelVersionMixin, OrganisationViewMixin, View):
    """POST: approve, approve with restrictions, reject or retire (the "approve" permission: officers)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        version = get_object_or_404(self.scoped_queryset(), pk=pk)
        self.require("approve", version)
        form = ModelVersionDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose approved, approved with restrictions, rejected or retired."))
            return redirect(self.url("detail", version.pk))
        try:
            with transaction.atomic():
                services.model_version_approve(actor=request.user, version=version, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("%(version)s: %(status)s.")
                % {"version": version, "status": inline_label(version.get_approval_status_display())},
            )
        return redirect(self.url("detail", version.pk))


class ModelMetricSaveView(ModelVersionDetailView):
    """POST: add a metric row, or update the row with that name; invalid input re-renders the Metrics tab."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = self.get_object()
        self.require("change", version)
        form = ModelMetricForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    metric = services.model_metric_save(actor=request.user, version=version, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("Metric %(name)s saved.") % {"name": metric.name})
                return _detail_with_tab(self, version, "metrics")
        self.metric_form = form
        request.GET = request.GET.copy()
        request.GET["tab"] = "metrics"
        return self.get(request, *args, **kwargs)


class ModelMetricRemoveView(ModelVersionMixin, OrganisationViewMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, metric_pk):
        version = get_object_or_404(self.scoped_queryset(), pk=pk)
        metric = get_object_or_404(ModelMetric, pk=metric_pk, model_version=version)
        self.require("change", version)
        with transaction.atomic():
            services.model_metric_remove(actor=request.user, metric=metric)
        messages.success(request, gettext("Metric %(name)s removed.") % {"name": metric.name})
        return _detail_with_tab(self, version, "metrics")


class ModelVersionFormView(ModelVersionMixin, RegisterFormView):
    form_class = ModelVersionForm

    def get_form(self, obj, data=None, files=None):
        initial = {}
        requested = self.request.GET.get("model", "")
        if obj is None and data is None and requested:
            try:
                model_pk = uuid.UUID(requested)
            except ValueError:
                model_pk = None
            if model_pk and AIModel.objects.filter(organisation=self.request.organisation, pk=model_pk).exists():
                initial["model"] = model_pk
        return self.form_class(data, files, instance=obj, organisation=self.request.organisation, initial=initial)

    create_service = staticmethod(services.model_version_create)
    update_service = staticmethod(services.model_version_update)
    object_kwarg = "version"


class ModelVersionDeleteView(ModelVersionMixin, RegisterDeleteView):
    delete_service = staticmethod(services.model_version_delete)
    object_kwarg = "version"
