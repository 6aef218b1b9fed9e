from rest_framework import serializers

from aims.events import EVENT_TYPES
from integrations.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), required=False)
    secret = serializers.CharField(read_only=True, help_text="Signs every delivery; shown to administrators only.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "secret", "event_types", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "secret", "created_at", "updated_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "response_status",
            "response_ms",
            "error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields
