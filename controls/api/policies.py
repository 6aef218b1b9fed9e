"""API of policies: versions, their text (Markdown, also returned as sanitised HTML) and the transitions."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.serializers import MemberField, OrganisationRelatedField
from aims.api.views import OrganisationScopedViewSet
from controls import services
from controls.api.common import RequirementRefField, action_schema, choice_field, read_input
from controls.constants import PolicyKind, PolicyStatus
from controls.filtersets_work import PolicyFilterSet
from controls.markdown import render_markdown
from controls.models import Evidence, Policy, Requirement


class PolicySerializer(serializers.ModelSerializer):
    """One version of a policy. `body` is Markdown; `body_html` is it rendered through an allow-list. Approved and
    retired versions are read-only (409): start a new version instead."""

    reference = serializers.CharField(required=False, allow_blank=True, max_length=20)
    owner = MemberField()
    document = OrganisationRelatedField(Evidence, required=False, allow_null=True)
    requirements = RequirementRefField(many=True, required=False)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind = choice_field(PolicyKind.choices, required=False)
    status = choice_field(PolicyStatus.choices, read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "id",
            "reference",
            "version",
            "kind",
            "title",
            "status",
            "body",
            "body_html",
            "document",
            "change_summary",
            "owner",
            "review_date",
            "requirements",
            "approved_by",
            "approved_at",
            "retired_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "status", "approved_at", "retired_at", "created_at", "updated_at"]
        validators = []

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)


class ApprovePolicyInputSerializer(serializers.Serializer):
    review_date = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        summary="List policies",
        description="The newest version of each policy, unless `all_versions=true` or a `status` is given.",
    ),
    create=extend_schema(summary="Draft a policy", description="Version 1, draft. An AI policy answers 5.2 and A.2.2."),
    retrieve=extend_schema(summary="One version of a policy"),
    update=extend_schema(summary="Edit a draft"),
    partial_update=extend_schema(summary="Edit part of a draft"),
    destroy=extend_schema(summary="Delete a draft", description="Approved and retired versions are kept (409)."),
)
class PolicyViewSet(OrganisationScopedViewSet):
    queryset = Policy.objects.select_related("owner", "approved_by", "document").prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.select_related("framework"))
    )
    serializer_class = PolicySerializer
    filterset_class = PolicyFilterSet
    search_fields = ["reference", "title", "body"]
    ordering_fields = ["reference", "version", "status", "approved_at", "review_date"]
    ordering = ["reference", "-version"]
    permission_actions = {
        "submit": "change",
        "return_to_draft": "change",
        "approve": "approve",
        "retire": "approve",
        "new_version": "add",
    }

    def _respond(self, policy, status=200):
        return Response(self.get_serializer(self.get_queryset().get(pk=policy.pk)).data, status=status)

    def create_object(self, data):
        policy = services.policy_create(actor=self.request.user, organisation=self.request.organisation, data=data)
        return self.get_queryset().get(pk=policy.pk)

    def update_object(self, instance, data):
        services.policy_update(actor=self.request.user, policy=instance, data=data, reason="Edited through the API")
        return self.get_queryset().get(pk=instance.pk)

    def delete_object(self, instance):
        services.policy_delete(actor=self.request.user, policy=instance)

    @action_schema("Send a draft for review", "", None, PolicySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        policy = self.get_object()
        with transaction.atomic():
            services.policy_submit(actor=request.user, policy=policy)
        return self._respond(policy)

    @action_schema("Return a version in review to draft", "", CommentInputSerializer, PolicySerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        policy = self.get_object()
        data = read_input(CommentInputSerializer, request)
        with transaction.atomic():
            services.policy_return_to_draft(actor=request.user, policy=policy, comment=data["comment"])
        return self._respond(policy)

    @action_schema(
        "Approve this version",
        "Officers. The version approved before it is retired. Optionally sets the next review date.",
        ApprovePolicyInputSerializer,
        PolicySerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        policy = self.get_object()
        data = read_input(ApprovePolicyInputSerializer, request)
        with transaction.atomic():
            services.policy_approve(actor=request.user, policy=policy, review_date=data["review_date"])
        return self._respond(policy)

    @action_schema("Retire the approved version", "Without a successor.", CommentInputSerializer, PolicySerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        policy = self.get_object()
        data = read_input(CommentInputSerializer, request)
        with transaction.atomic():
            services.policy_retire(actor=request.user, policy=policy, reason=data["comment"])
        return self._respond(policy)

    @extend_schema(
        summary="Start the next version",
        description="A draft copied from this version; 409 while another draft of the policy exists.",
        request=None,
        responses={201: PolicySerializer},
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        policy = self.get_object()
        with transaction.atomic():
            draft = services.policy_new_version(actor=request.user, policy=policy)
        return self._respond(draft, status=201)
