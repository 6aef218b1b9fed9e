from django.urls import path
from django.views.generic import RedirectView

from aims.crud import register_urls
from registry import views, views_classification, views_context, views_data, views_import

app_name = "registry"

urlpatterns = [
    path("systems/mine/", RedirectView.as_view(url="/inventory/systems/?mine=true"), name="my-systems"),
    *register_urls(
        "systems",
        "aisystem",
        list_view=views.AISystemListView,
        detail_view=views.AISystemDetailView,
        form_view=views.AISystemFormView,
        delete_view=views.AISystemDeleteView,
    ),
]

# AIMS scope, context issues and interested parties (clause 4).
urlpatterns += [
    path("scope/", views_context.ScopePageView.as_view(), name="scope"),
    # The same page under the "-list" name the generic detail and form templates link back to.
    path("scope/", views_context.ScopePageView.as_view(), name="scope-list"),
    path("scope/new/", views_context.ScopeStatementFormView.as_view(), name="scope-create"),
    path("scope/<uuid:pk>/", views_context.ScopeStatementDetailView.as_view(), name="scope-detail"),
    path("scope/<uuid:pk>/edit/", views_context.ScopeStatementFormView.as_view(), name="scope-update"),
    path("scope/<uuid:pk>/approve/", views_context.ScopeStatementApproveView.as_view(), name="scope-approve"),
    path("scope/<uuid:pk>/delete/", views_context.ScopeStatementDeleteView.as_view(), name="scope-delete"),
    *register_urls(
        "context-issues",
        "contextissue",
        list_view=views_context.ContextIssueListView,
        detail_view=views_context.ContextIssueDetailView,
        form_view=views_context.ContextIssueFormView,
        delete_view=views_context.ContextIssueDeleteView,
    ),
    *register_urls(
        "interested-parties",
        "interestedparty",
        list_view=views_context.InterestedPartyListView,
        detail_view=views_context.InterestedPartyDetailView,
        form_view=views_context.InterestedPartyFormView,
        delete_view=views_context.InterestedPartyDeleteView,
    ),
]

# EU AI Act classification of an AI system (the questionnaire; the result is the system's "EU AI Act" tab).
urlpatterns += [
    path(
        "systems/<uuid:pk>/classify/",
        views_classification.AISystemClassifyView.as_view(),
        name="aisystem-classify",
    ),
]

# Import of AI systems, datasets and suppliers from CSV or JSON (preview, then import).
urlpatterns += [
    path("import/", views_import.ImportView.as_view(), name="import"),
    path("import/template/<slug:register>.csv", views_import.ImportTemplateView.as_view(), name="import-template"),
]

# Datasets, suppliers, models and model versions (Annex A.6.2, A.7, A.10).
urlpatterns += [
    *register_urls(
        "datasets",
        "dataset",
        list_view=views_data.DatasetListView,
        detail_view=views_data.DatasetDetailView,
        form_view=views_data.DatasetFormView,
        delete_view=views_data.DatasetDeleteView,
    ),
    path("datasets/<uuid:pk>/usages/", views_data.DatasetUsageAddView.as_view(), name="dataset-usage-add"),
    path(
        "datasets/<uuid:pk>/usages/<uuid:usage_pk>/remove/",
        views_data.DatasetUsageRemoveView.as_view(),
        name="dataset-usage-remove",
    ),
    *register_urls(
        "suppliers",
        "supplier",
        list_view=views_data.SupplierListView,
        detail_view=views_data.SupplierDetailView,
        form_view=views_data.SupplierFormView,
        delete_view=views_data.SupplierDeleteView,
    ),
    *register_urls(
        "models",
        "aimodel",
        list_view=views_data.AIModelListView,
        detail_view=views_data.AIModelDetailView,
        form_view=views_data.AIModelFormView,
        delete_view=views_data.AIModelDeleteView,
    ),
    *register_urls(
        "model-versions",
        "modelversion",
        list_view=views_data.ModelVersionListView,
        detail_view=views_data.ModelVersionDetailView,
        form_view=views_data.ModelVersionFormView,
        delete_view=views_data.ModelVersionDeleteView,
    ),
    path("model-versions/<uuid:pk>/decide/", views_data.ModelVersionDecideView.as_view(), name="modelversion-decide"),
    path(
        "model-versions/<uuid:pk>/metrics/", views_data.ModelMetricSaveView.as_view(), name="modelversion-metric-save"
    ),
    path(
        "model-versions/<uuid:pk>/metrics/<uuid:metric_pk>/remove/",
        views_data.ModelMetricRemoveView.as_view(),
        name="modelversion-metric-remove",
    ),
]
