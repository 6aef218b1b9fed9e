from django.urls import path

from aims.crud import register_urls
from controls import (
    views,
    views_controls,
    views_crosswalk,
    views_evidence,
    views_gap,
    views_policies,
    views_soa,
)

app_name = "controls"

urlpatterns = [
    *register_urls(
        "frameworks",
        "framework",
        list_view=views.FrameworkListView,
        detail_view=views.FrameworkDetailView,
        form_view=views.FrameworkFormView,
        delete_view=views.FrameworkDeleteView,
    ),
    path("frameworks/<uuid:pk>/import/", views.FrameworkImportView.as_view(), name="framework-import"),
    path("frameworks/<uuid:pk>/requirements/new/", views.RequirementCreateView.as_view(), name="requirement-create"),
    path("requirements/", views.RequirementListView.as_view(), name="requirement-list"),
    path("requirements/<uuid:pk>/", views.RequirementDetailView.as_view(), name="requirement-detail"),
    path("requirements/<uuid:pk>/edit/", views.RequirementFormView.as_view(), name="requirement-update"),
    path("requirements/<uuid:pk>/delete/", views.RequirementDeleteView.as_view(), name="requirement-delete"),
    *register_urls(
        "mappings",
        "mapping",
        list_view=views.MappingListView,
        detail_view=views.MappingDetailView,
        form_view=views.MappingFormView,
        delete_view=views.MappingDeleteView,
    ),
    path("crosswalks/", views_crosswalk.CrosswalkView.as_view(), name="crosswalk"),
    # Controls, and the links a risk's page makes to them
    *register_urls(
        "controls",
        "control",
        list_view=views_controls.ControlListView,
        detail_view=views_controls.ControlDetailView,
        form_view=views_controls.ControlFormView,
        delete_view=views_controls.ControlDeleteView,
    ),
    path("controls/<uuid:pk>/check/", views_controls.ControlCheckView.as_view(), name="control-check"),
    path("controls/<uuid:pk>/unlink-risk/", views_controls.ControlUnlinkRiskView.as_view(), name="control-unlink-risk"),
    path("risks/<uuid:pk>/link-control/", views_controls.RiskLinkControlView.as_view(), name="risk-link-control"),
    # Statement of Applicability
    path("soa/", views_soa.SoAView.as_view(), name="soa"),
    path("soa/approve/", views_soa.SoAApproveView.as_view(), name="soa-approve"),
    path("soa/lines/<uuid:pk>/edit/", views_soa.SoALineFormView.as_view(), name="soaline-update"),
    path("soa/versions/<uuid:pk>/", views_soa.SoAVersionView.as_view(), name="soaversion-detail"),
    # Evidence
    *register_urls(
        "evidence",
        "evidence",
        list_view=views_evidence.EvidenceListView,
        detail_view=views_evidence.EvidenceDetailView,
        form_view=views_evidence.EvidenceFormView,
        delete_view=views_evidence.EvidenceDeleteView,
    ),
    path("evidence/<uuid:pk>/revisions/", views_evidence.EvidenceRevisionUploadView.as_view(), name="evidence-upload"),
    path("evidence/<uuid:pk>/review/", views_evidence.EvidenceReviewView.as_view(), name="evidence-review"),
    path("evidence/files/<uuid:pk>/", views_evidence.EvidenceDownloadView.as_view(), name="evidence-download"),
    # Policies
    *register_urls(
        "policies",
        "policy",
        list_view=views_policies.PolicyListView,
        detail_view=views_policies.PolicyDetailView,
        form_view=views_policies.PolicyFormView,
        delete_view=views_policies.PolicyDeleteView,
    ),
    path("policies/<uuid:pk>/submit/", views_policies.PolicySubmitView.as_view(), name="policy-submit"),
    path("policies/<uuid:pk>/return/", views_policies.PolicyReturnView.as_view(), name="policy-return"),
    path("policies/<uuid:pk>/approve/", views_policies.PolicyApproveView.as_view(), name="policy-approve"),
    path("policies/<uuid:pk>/retire/", views_policies.PolicyRetireView.as_view(), name="policy-retire"),
    path("policies/<uuid:pk>/new-version/", views_policies.PolicyNewVersionView.as_view(), name="policy-new-version"),
    # Gap analysis and roadmap
    path("gap-analysis/", views_gap.GapAnalysisView.as_view(), name="gap-analysis"),
    path("roadmap/", views_gap.RoadmapView.as_view(), name="roadmap"),
    *register_urls(
        "roadmap/actions",
        "roadmapaction",
        list_view=views_gap.RoadmapActionListView,
        detail_view=views_gap.RoadmapActionDetailView,
        form_view=views_gap.RoadmapActionFormView,
        delete_view=views_gap.RoadmapActionDeleteView,
    ),
]
