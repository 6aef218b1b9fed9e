"""API: webhook endpoints and their delivery log (administrators), OSCAL documents and catalog import."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.safety import ConcurrencyMixin
from aims.api.views import OrganisationScopedViewSet
from integrations.api.serializers import WebhookDeliverySerializer, WebhookEndpointSerializer
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import webhooks

_ADMIN_ONLY = dict.fromkeys(
    ("list", "retrieve", "create", "update", "partial_update", "destroy", "test", "deliveries"), "manage"
)


class WebhookEndpointViewSet(OrganisationScopedViewSet):
    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    permission_actions = _ADMIN_ONLY
    ordering = ["name"]

    def create_object(self, data):
        return webhooks.endpoint_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return webhooks.endpoint_update(
            actor=self.request.user, endpoint=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        webhooks.endpoint_delete(actor=self.request.user, endpoint=instance)

    @extend_schema(summary="Send a test event", request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhooks.send_test_event(actor=request.user, endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(
    ConcurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The delivery log: status, HTTP answer, response time and attempts of each event sent."""

    queryset = WebhookDelivery.objects.select_related("endpoint")
    serializer_class = WebhookDeliverySerializer
    permission_actions = _ADMIN_ONLY
    lookup_value_regex = "[0-9a-f-]{36}"
    filterset_fields = ["endpoint", "status", "event_type"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)
