"""Pieces shared by the audits API: a scoped viewset without create (records other records create), PDF
answers, and action helpers."""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets

from aims.api.safety import ConcurrencyMixin
from aims.services import delete_with_history
from controls.api.common import action_schema, read_input

THROUGH_API = "Edited through the API"
PDF_RESPONSE = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")}

__all__ = ["PDF_RESPONSE", "THROUGH_API", "ScopedNoCreateViewSet", "action_schema", "pdf_schema", "read_input"]


def pdf_schema(summary: str, description: str = ""):
    return extend_schema(summary=summary, description=description, request=None, responses=PDF_RESPONSE)


class ScopedNoCreateViewSet(
    ConcurrencyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Like ``OrganisationScopedViewSet`` for records that are created by another record's action (checklist
    lines by their audit, review actions by a decision): list, read, update and delete only."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    def update_object(self, instance, data):
        raise NotImplementedError

    def delete_object(self, instance):
        delete_with_history(instance, actor=self.request.user, reason="Deleted through the API")
