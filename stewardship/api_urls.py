from django.urls import path

from stewardship import api

urlpatterns = [
    path("organisation/export/", api.OrganisationExportView.as_view(), name="organisation-export"),
    path("organisation/deletion/", api.OrganisationDeletionView.as_view(), name="organisation-deletion"),
]
