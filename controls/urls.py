from django.urls import path

from aims.crud import register_urls
from controls import views, views_crosswalk

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
]
