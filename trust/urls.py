from django.urls import path

from trust import views

app_name = "trust"

urlpatterns = [
    # Public, no sign-in: only what is published.
    path("trust/<slug:slug>/", views.public_page, name="public"),
    path("trust/<slug:slug>/data.json", views.public_json, name="public-json"),
    path("trust/<slug:slug>/certificate.pdf", views.public_certificate, name="certificate"),
    path("trust/<slug:slug>/concern/", views.public_concern, name="concern"),
    path("trust/<slug:slug>/concern/thanks/", views.concern_thanks, name="concern-thanks"),
    path("concern-status/<str:token>/", views.concern_status, name="concern-status"),
    # Inside the product.
    path("trust-centre/", views.TrustSettingsView.as_view(), name="settings"),
    path("trust-centre/preview/", views.TrustPreviewView.as_view(), name="preview"),
    path("trust-centre/systems/<uuid:pk>/", views.ListingSaveView.as_view(), name="listing-save"),
    path("trust-centre/concerns/", views.ConcernListView.as_view(), name="concern-list"),
    path("trust-centre/concerns/report/", views.ConcernReportView.as_view(), name="concern-report"),
    path("trust-centre/concerns/<uuid:pk>/", views.ConcernDetailView.as_view(), name="concern-detail"),
]
