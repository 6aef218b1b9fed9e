from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("packs/", views.PackListView.as_view(), name="pack-list"),
    path("packs/<uuid:pk>/", views.PackDetailView.as_view(), name="pack-detail"),
    path("packs/<uuid:pk>/download/", views.PackDownloadView.as_view(), name="pack-download"),
    path("packs/<uuid:pk>/verify/", views.PackVerifyView.as_view(), name="pack-verify"),
    path("systems/<uuid:pk>/dossier/", views.DossierRequestView.as_view(), name="system-dossier"),
]
