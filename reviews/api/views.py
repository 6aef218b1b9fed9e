"""The reviews API: review tasks (read, complete, reassign) and the member's own notifications."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.safety import ConcurrencyMixin
from controls.api.common import action_schema, read_input
from reviews import services
from reviews.api import serializers as s
from reviews.filtersets import NotificationFilterSet, ReviewTaskFilterSet
from reviews.models import Notification, ReviewTask


class _ScopedReadOnly(ConcurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "pk"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)


@extend_schema_view(
    list=extend_schema(
        summary="Review tasks",
        description="Open tasks first by due date; filter by state, kind, owner (username id), overdue.",
    ),
    retrieve=extend_schema(summary="A review task"),
)
class ReviewTaskViewSet(_ScopedReadOnly):
    """Review tasks are created by the daily review job, never through the API; they are completed here."""

    queryset = ReviewTask.objects.select_related("assignee", "completed_by")
    serializer_class = s.ReviewTaskSerializer
    filterset_class = ReviewTaskFilterSet
    search_fields = ["reference", "object_label"]
    ordering_fields = ["due_date", "reference", "created_at", "state"]
    ordering = ["due_date", "reference"]
    permission_actions = {"complete": "change", "reassign": "approve"}

    @action_schema(
        "Complete a review",
        "Records the outcome (no change, updated, retire) and moves the object's next review date by its cadence "
        "(or retires it) through the owning register, in one transaction. The assignee or an officer.",
        request=s.ReviewCompleteInputSerializer,
        response=s.ReviewTaskSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        data = read_input(s.ReviewCompleteInputSerializer, request)
        with transaction.atomic():
            task = services.review_task_complete(
                actor=request.user, task=task, outcome=data["outcome"], comment=data["comment"]
            )
        return Response(s.ReviewTaskSerializer(task, context={"request": request}).data)

    @action_schema(
        "Reassign an open review",
        "Give the task to another member, or to the AIMS officers (null). Officers only.",
        request=s.ReviewReassignInputSerializer,
        response=s.ReviewTaskSerializer,
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        task = self.get_object()
        data = read_input(s.ReviewReassignInputSerializer, request)
        with transaction.atomic():
            task = services.review_task_reassign(actor=request.user, task=task, assignee=data.get("assignee"))
        return Response(s.ReviewTaskSerializer(task, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(summary="My notifications", description="The authenticated member's own, newest first."),
    retrieve=extend_schema(summary="A notification"),
)
class NotificationViewSet(_ScopedReadOnly):
    queryset = Notification.objects.select_related("task")
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    # Marking one's own notifications read is part of reading them.
    permission_actions = {"read": "view", "read_all": "view"}

    @extend_schema(summary="Mark a notification read", request=None, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(summary="Mark all my notifications read", request=None, responses={200: s.ReadAllResultSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = services.notifications_mark_all_read(actor=request.user, organisation=request.organisation)
        return Response({"marked_read": count})
