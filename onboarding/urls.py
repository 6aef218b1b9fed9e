from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("setup/", views.SetupOverviewView.as_view(), name="setup"),
    path("setup/scope/", views.ScopeStepView.as_view(), name="scope"),
    path("setup/systems/", views.SystemsStepView.as_view(), name="systems"),
    path("setup/classify/", views.ClassifyStepView.as_view(), name="classify"),
    path("setup/classify/<uuid:pk>/", views.ClassifySystemView.as_view(), name="classify-system"),
    path("setup/gap-analysis/", views.GapStepView.as_view(), name="gap"),
    path("setup/roadmap/", views.RoadmapStepView.as_view(), name="roadmap"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation-new"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("templates/", views.TemplateLibraryView.as_view(), name="templates"),
    path("templates/own/new/", views.OwnTemplateFormView.as_view(), name="own-template-new"),
    path("templates/own/<uuid:pk>/edit/", views.OwnTemplateFormView.as_view(), name="own-template-edit"),
    path("templates/<slug:key>/", views.TemplateDetailView.as_view(), name="template"),
]
