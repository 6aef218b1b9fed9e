"""API of the AIMS context (clause 4): scope statements with their approval, context issues, interested parties."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from aims.api.views import OrganisationScopedViewSet
from registry import services
from registry.api.serializers_context import (
    ContextIssueSerializer,
    InterestedPartySerializer,
    ScopeStatementSerializer,
)
from registry.constants import ScopeStatus
from registry.filtersets import ContextIssueFilterSet, InterestedPartyFilterSet, ScopeStatementFilterSet
from registry.models import ContextIssue, InterestedParty, ScopeStatement


@extend_schema_view(
    list=extend_schema(summary="List the versions of the AIMS scope", description="Newest version first."),
    create=extend_schema(
        summary="Start a new draft version of the AIMS scope",
        description="The draft gets the next version number. Only one draft may be in progress (409 otherwise).",
    ),
    update=extend_schema(summary="Edit a draft scope", description="Approved and superseded versions answer 409."),
    partial_update=extend_schema(summary="Edit part of a draft scope"),
    destroy=extend_schema(summary="Discard a draft scope", description="Approved and superseded versions answer 409."),
)
class ScopeStatementViewSet(OrganisationScopedViewSet):
    queryset = ScopeStatement.objects.select_related("approved_by")
    serializer_class = ScopeStatementSerializer
    filterset_class = ScopeStatementFilterSet
    search_fields = ["boundaries", "units", "locations", "ai_roles", "exclusions"]
    ordering_fields = ["version", "status", "approved_at", "created_at", "updated_at"]
    ordering = ["-version"]
    permission_actions = {"approve": "approve", "current": "view"}

    def create_object(self, data):
        return services.scope_draft_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.scope_update(
            actor=self.request.user, scope=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.scope_draft_delete(actor=self.request.user, scope=instance)

    @extend_schema(
        summary="Approve a draft scope",
        description="The draft becomes the current scope; the previously approved version is superseded. "
        "Needs the approve permission (AIMS officers). A version that is not a draft answers 409.",
        request=None,
        responses={200: ScopeStatementSerializer, 409: OpenApiResponse(description="Not a draft.")},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        scope = self.get_object()
        with transaction.atomic():
            scope = services.scope_approve(actor=request.user, scope=scope)
        return Response(self.get_serializer(scope).data)

    @extend_schema(
        summary="The current AIMS scope",
        description="The approved version in force; 404 when no scope has been approved yet.",
        responses={200: ScopeStatementSerializer, 404: OpenApiResponse(description="No approved scope yet.")},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        scope = self.get_queryset().filter(status=ScopeStatus.APPROVED).order_by("-version").first()
        if scope is None:
            raise NotFound(_("No scope has been approved yet."))
        return Response(self.get_serializer(scope).data)


@extend_schema_view(
    list=extend_schema(summary="List context issues", description="Same filters as the context issue register."),
    create=extend_schema(summary="Record a context issue"),
)
class ContextIssueViewSet(OrganisationScopedViewSet):
    queryset = ContextIssue.objects.select_related("owner")
    serializer_class = ContextIssueSerializer
    filterset_class = ContextIssueFilterSet
    search_fields = ["reference", "title", "description", "effect_on_aims"]
    ordering_fields = ["reference", "title", "kind", "next_review", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.context_issue_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.context_issue_update(
            actor=self.request.user, issue=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.context_issue_delete(actor=self.request.user, issue=instance)


@extend_schema_view(
    list=extend_schema(summary="List interested parties", description="Same filters as the interested party register."),
    create=extend_schema(summary="Record an interested party"),
)
class InterestedPartyViewSet(OrganisationScopedViewSet):
    queryset = InterestedParty.objects.select_related("owner")
    serializer_class = InterestedPartySerializer
    filterset_class = InterestedPartyFilterSet
    search_fields = ["reference", "name", "requirements", "how_addressed"]
    ordering_fields = ["reference", "name", "kind", "addressed", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.interested_party_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )

    def update_object(self, instance, data):
        return services.interested_party_update(
            actor=self.request.user, party=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.interested_party_delete(actor=self.request.user, party=instance)
