from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import views, views_oscal

router = SimpleRouter()
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhookendpoint")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhookdelivery")

urlpatterns = [
    *router.urls,
    path("oscal/<str:kind>/", views_oscal.OscalDocumentView.as_view(), name="oscal-document"),
    path("oscal-import/", views_oscal.OscalCatalogImportView.as_view(), name="oscal-import"),
]
