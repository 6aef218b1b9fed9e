from django.urls import path

from aims.crud import register_urls
from risk import views, views_assessments, views_criteria, views_impact

app_name = "risk"

# Fixed paths first: "heat-map/", "actions/"... must not be read as a risk id.
urlpatterns = [
    path("heat-map/", views_criteria.HeatMapView.as_view(), name="heat-map"),
    # Treatment actions (added from a risk's treatment plan).
    *register_urls(
        "actions",
        "treatmentaction",
        list_view=views.TreatmentActionListView,
        detail_view=views.TreatmentActionDetailView,
        form_view=views.TreatmentActionFormView,
        delete_view=views.TreatmentActionDeleteView,
    ),
    path("actions/<uuid:pk>/complete/", views.TreatmentActionCompleteView.as_view(), name="treatmentaction-complete"),
    # Risk assessments and their workflow.
    *register_urls(
        "assessments",
        "assessment",
        list_view=views_assessments.AssessmentListView,
        detail_view=views_assessments.AssessmentDetailView,
        form_view=views_assessments.AssessmentFormView,
        delete_view=views_assessments.AssessmentDeleteView,
    ),
    path(
        "assessments/<uuid:pk>/workflow/",
        views_assessments.AssessmentWorkflowView.as_view(),
        name="assessment-workflow",
    ),
    path(
        "assessments/<uuid:pk>/approve/", views_assessments.AssessmentApproveView.as_view(), name="assessment-approve"
    ),
    # AI system impact assessments and their impact areas.
    *register_urls(
        "impact-assessments",
        "impact",
        list_view=views_impact.ImpactListView,
        detail_view=views_impact.ImpactDetailView,
        form_view=views_impact.ImpactFormView,
        delete_view=views_impact.ImpactDeleteView,
    ),
    path("impact-assessments/<uuid:pk>/approve/", views_impact.ImpactApproveView.as_view(), name="impact-approve"),
    path(
        "impact-assessments/<uuid:pk>/new-version/",
        views_impact.ImpactNewVersionView.as_view(),
        name="impact-new-version",
    ),
    path("impact-assessments/<uuid:pk>/areas/new/", views_impact.ImpactAreaAddView.as_view(), name="impact-area-add"),
    path("impact-areas/<uuid:pk>/edit/", views_impact.ImpactAreaEditView.as_view(), name="impactarea-update"),
    path("impact-areas/<uuid:pk>/delete/", views_impact.ImpactAreaDeleteView.as_view(), name="impactarea-delete"),
    path(
        "impact-areas/<uuid:pk>/raise-risk/", views_impact.ImpactRaiseRiskView.as_view(), name="impactarea-raise-risk"
    ),
    # Risk criteria (the method), versioned.
    path("criteria/", views_criteria.CriteriaListView.as_view(), name="criteria-list"),
    path("criteria/new/", views_criteria.CriteriaNewVersionView.as_view(), name="criteria-create"),
    path("criteria/<uuid:pk>/", views_criteria.CriteriaDetailView.as_view(), name="criteria-detail"),
    path("criteria/<uuid:pk>/edit/", views_criteria.CriteriaEditView.as_view(), name="criteria-update"),
    path("criteria/<uuid:pk>/approve/", views_criteria.CriteriaApproveView.as_view(), name="criteria-approve"),
    path("criteria/<uuid:pk>/delete/", views_criteria.CriteriaDeleteView.as_view(), name="criteria-delete"),
    path("criteria/<uuid:pk>/rescore/", views_criteria.CriteriaRescoreView.as_view(), name="criteria-rescore"),
]

# The risk register at the root of /risks/ and a risk's actions.
urlpatterns += [
    path("", views.RiskListView.as_view(), name="risk-list"),
    path("new/", views.RiskFormView.as_view(), name="risk-create"),
    path("<uuid:pk>/", views.RiskDetailView.as_view(), name="risk-detail"),
    path("<uuid:pk>/edit/", views.RiskFormView.as_view(), name="risk-update"),
    path("<uuid:pk>/delete/", views.RiskDeleteView.as_view(), name="risk-delete"),
    path("<uuid:pk>/score/", views.RiskScoreView.as_view(), name="risk-score"),
    path("<uuid:pk>/treatment/", views.RiskTreatmentView.as_view(), name="risk-treatment"),
    path("<uuid:pk>/actions/new/", views.RiskActionAddView.as_view(), name="risk-action-add"),
    path("<uuid:pk>/accept/", views.RiskAcceptView.as_view(), name="risk-accept"),
    path("<uuid:pk>/close/", views.RiskCloseView.as_view(), name="risk-close"),
    path("<uuid:pk>/reopen/", views.RiskReopenView.as_view(), name="risk-reopen"),
    path("<uuid:pk>/rescore/", views.RiskRescoreView.as_view(), name="risk-rescore"),
]
