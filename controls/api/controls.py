"""API of controls and roadmap actions. CRUD calls the services; recording a check is an action."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.fast import FastListMixin
from aims.api.pagination import KeysetPagination
from aims.api.serializers import MemberField, OrganisationRelatedField
from aims.api.views import OrganisationScopedViewSet
from controls import services
from controls.api.common import RequirementRefField, action_schema, choice_field, read_input
from controls.constants import (
    CheckFrequency,
    CheckResult,
    ControlType,
    GapKind,
    ImplementationStatus,
    RoadmapPhase,
    RoadmapStatus,
)
from controls.filtersets_work import ControlFilterSet, RoadmapFilterSet
from controls.models import Control, Requirement, RoadmapAction
from controls.selectors import evidence_count
from registry.models import AISystem
from risk.models import Risk, TreatmentAction


class ControlSerializer(serializers.ModelSerializer):
    """A control. Requirements are `key:identifier` (any framework); systems, risks and treatment actions are
    reference ids of your organisation. Linking a treatment action links its risk too."""

    reference = serializers.CharField(required=False, allow_blank=True, max_length=20)
    owner = MemberField()
    requirements = RequirementRefField(many=True, required=False)
    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    risks = OrganisationRelatedField(Risk, many=True, required=False)
    treatment_actions = OrganisationRelatedField(TreatmentAction, many=True, required=False)
    control_type = choice_field(ControlType.choices, required=False)
    implementation_status = choice_field(ImplementationStatus.choices, required=False)
    check_frequency = choice_field(CheckFrequency.choices, required=False, allow_blank=True)
    last_check_result = choice_field(CheckResult.choices, required=False, allow_blank=True)
    evidence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Control
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "owner",
            "control_type",
            "implementation_status",
            "requirements",
            "ai_systems",
            "risks",
            "treatment_actions",
            "check_frequency",
            "last_checked",
            "last_check_result",
            "last_check_note",
            "next_review",
            "evidence_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # reference uniqueness is the service's (with a clear message)


class CheckInputSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    result = choice_field([c for c in CheckResult.choices if c[0]])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    next_review = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    list=extend_schema(
        summary="List controls",
        description="Filter by `implementation_status`, `control_type`, `owner`, `framework` (key), `requirement` "
        "(identifier), `risk` and `system` (references); `search` looks in references, titles and descriptions.",
    ),
    create=extend_schema(summary="Record a control"),
    retrieve=extend_schema(summary="A control"),
    update=extend_schema(summary="Edit a control"),
    partial_update=extend_schema(summary="Edit part of a control"),
    destroy=extend_schema(summary="Delete a control", description="Its evidence stays, unlinked."),
)
class ControlViewSet(FastListMixin, OrganisationScopedViewSet):
    pagination_class = KeysetPagination  # large register: keyset pages (numbered with ?page=)
    queryset = (
        Control.objects.select_related("owner")
        .annotate(evidence_count=evidence_count())
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
            Prefetch("ai_systems", queryset=AISystem.objects.only("id", "reference")),
            Prefetch("risks", queryset=Risk.objects.only("id", "reference")),
            Prefetch("treatment_actions", queryset=TreatmentAction.objects.only("id", "reference")),
        )
    )
    serializer_class = ControlSerializer
    filterset_class = ControlFilterSet
    search_fields = ["reference", "title", "description"]
    ordering_fields = ["reference", "title", "implementation_status", "next_review", "last_checked"]
    ordering = ["reference"]
    permission_actions = {"check": "change"}

    def _reload(self, control):
        return self.get_queryset().get(pk=control.pk)

    def create_object(self, data):
        return self._reload(
            services.control_create(actor=self.request.user, organisation=self.request.organisation, data=data)
        )

    def update_object(self, instance, data):
        services.control_update(actor=self.request.user, control=instance, data=data, reason="Edited through the API")
        return self._reload(instance)

    def delete_object(self, instance):
        services.control_delete(actor=self.request.user, control=instance)

    @action_schema(
        "Record a check of the control",
        "The next review follows the check frequency unless `next_review` is given.",
        CheckInputSerializer,
        ControlSerializer,
    )
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        control = self.get_object()
        data = read_input(CheckInputSerializer, request)
        with transaction.atomic():
            services.control_record_check(
                actor=request.user,
                control=control,
                checked_on=data["checked_on"],
                result=data["result"],
                note=data["note"],
                next_review=data["next_review"],
            )
        return Response(self.get_serializer(self._reload(control)).data)


class RoadmapActionSerializer(serializers.ModelSerializer):
    """A planned action. `requirement` is the gap it closes (`key:identifier`); left without a title, the
    title is written from the gap."""

    reference = serializers.CharField(required=False, allow_blank=True, max_length=20)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owner = MemberField()
    requirement = RequirementRefField(required=False, allow_null=True)
    control = OrganisationRelatedField(Control, required=False, allow_null=True)
    phase = choice_field(RoadmapPhase.choices, required=False)
    status = choice_field(RoadmapStatus.choices, required=False)
    gap_kind = choice_field(GapKind.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoadmapAction
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "phase",
            "status",
            "due_date",
            "owner",
            "requirement",
            "gap_kind",
            "control",
            "overdue",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]
        validators = []


@extend_schema_view(
    list=extend_schema(
        summary="List roadmap actions",
        description="Filter by `phase`, `status`, `owner`, `framework` (key of the gap's framework) and `overdue`.",
    ),
    create=extend_schema(summary="Plan a roadmap action", description="Usually from a gap of the gap analysis."),
    retrieve=extend_schema(summary="A roadmap action"),
    update=extend_schema(summary="Edit a roadmap action"),
    partial_update=extend_schema(summary="Edit part of a roadmap action", description="`status: done` records when."),
    destroy=extend_schema(summary="Delete a roadmap action"),
)
class RoadmapActionViewSet(OrganisationScopedViewSet):
    queryset = RoadmapAction.objects.select_related("owner", "requirement__framework", "control")
    serializer_class = RoadmapActionSerializer
    filterset_class = RoadmapFilterSet
    search_fields = ["reference", "title", "requirement__identifier"]
    ordering_fields = ["reference", "phase", "due_date", "status"]
    ordering = ["phase", "due_date", "reference"]

    def create_object(self, data):
        return services.roadmap_action_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )

    def update_object(self, instance, data):
        return services.roadmap_action_update(
            actor=self.request.user, action=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.roadmap_action_delete(actor=self.request.user, action=instance)
