"""Base classes for API viewsets: organisation scoping, permission checks and service hooks."""

from django.db import transaction
from rest_framework import viewsets

from aims.api.safety import ConcurrencyMixin, IdempotentCreateMixin
from aims.services import delete_with_history


class OrganisationScopedViewSet(ConcurrencyMixin, IdempotentCreateMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose queryset is ``Model.objects.visible_to(user, organisation)``.

    Subclasses set ``queryset`` (declaring ``select_related``/``prefetch_related``) and implement
    ``create_object`` and ``update_object`` by calling their app's services. Objects of another
    organisation are simply not in the queryset, so they answer 404. Reads of one object answer an ETag,
    writes honour If-Match (412 when stale) and creates accept an Idempotency-Key (aims/api/safety.py).
    """

    lookup_field = "pk"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return self.scope_queryset(super().get_queryset())

    # Tells aims.api.fast that this get_queryset only scopes the class's queryset: its list may start from
    # a values() queryset of its own and scope that (an override of get_queryset loses the mark).
    get_queryset.scopes_only = True

    def scope_queryset(self, queryset):
        """Only what the request's user may see of the request's organisation."""
        return queryset.visible_to(self.request.user, self.request.organisation)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.create_object(serializer.validated_data)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    # Hooks to the app's services --------------------------------------------------------------
    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, instance, data):
        raise NotImplementedError

    def delete_object(self, instance):
        delete_with_history(instance, actor=self.request.user, reason="Deleted through the API")
