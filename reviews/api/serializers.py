from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from controls.api.common import UsernameField
from reviews.constants import Outcome
from reviews.kinds import get_kind, object_url
from reviews.models import Notification, ReviewTask


class ReviewTaskSerializer(serializers.ModelSerializer):
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind_label = serializers.SerializerMethodField()
    object_url = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    # Blank until the review is completed: declared so the schema allows "" (a read-only model field would not).
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ReviewTask
        fields = [
            "id",
            "reference",
            "kind",
            "kind_label",
            "object_id",
            "object_label",
            "object_url",
            "due_date",
            "overdue",
            "assignee",
            "state",
            "notified_at",
            "escalated_at",
            "outcome",
            "comment",
            "next_due",
            "completed_at",
            "completed_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        kind = get_kind(obj.kind)
        return str(kind.label) if kind else obj.kind  # a lazy label would not reach the JSON renderer as text

    @extend_schema_field({"type": "string", "description": "Path of the object's page in the web interface."})
    def get_object_url(self, obj) -> str:
        kind = get_kind(obj.kind)
        if kind is None:
            return ""
        if kind.key == "soa":
            return object_url(kind, None)
        from django.urls import reverse

        return reverse(kind.url_name, args=[obj.object_id])


class ReviewCompleteInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ReviewReassignInputSerializer(serializers.Serializer):
    assignee = UsernameField(help_text="Username of a member; null gives the task to the AIMS officers.")


class NotificationSerializer(serializers.ModelSerializer):
    task = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "task", "is_read", "read_at", "created_at"]
        read_only_fields = fields


class ReadAllResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
