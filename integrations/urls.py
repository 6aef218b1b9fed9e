from django.urls import path

from integrations import views, views_oscal

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/new/", views.webhook_form, name="webhook-create"),
    path("webhooks/<uuid:pk>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<uuid:pk>/edit/", views.webhook_form, name="webhook-update"),
    path("webhooks/<uuid:pk>/test/", views.webhook_test, name="webhook-test"),
    path("webhooks/<uuid:pk>/rotate/", views.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<uuid:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("oscal/", views_oscal.oscal_page, name="oscal"),
    path("oscal/<str:kind>.json", views_oscal.oscal_download, name="oscal-download"),
    path("oscal/import/", views_oscal.oscal_import, name="oscal-import"),
]
