"""API shapes of KPIs and their snapshots, management reviews and their actions, and AI incidents."""

from rest_framework import serializers

from aims.api.serializers import CommaListField, MemberField, OrganisationRelatedField
from audits.api.serializers import MembersField, read_username
from audits.builtin_kpis import builtin_choices
from audits.constants import (
    RAG,
    ActionStatus,
    DecisionKind,
    HarmType,
    IncidentSeverity,
    IncidentStatus,
    KPIDirection,
    KPIKind,
    ReviewStatus,
    SeriousCategory,
    SnapshotSource,
)
from audits.models import KPI, Incident, IncidentEscalation, KPISnapshot, ManagementReview, ReviewAction, ReviewDecision
from controls.api.common import choice_field
from governance.models import Objective
from registry.models import AISystem


class KPISerializer(serializers.ModelSerializer):
    kind = choice_field(KPIKind.choices, required=False)
    builtin_key = choice_field(builtin_choices(), required=False, allow_blank=True)
    direction = choice_field(KPIDirection.choices, required=False)
    owner = MemberField()
    objective = OrganisationRelatedField(Objective, required=False, allow_null=True)
    rag = choice_field(RAG.choices, read_only=True)
    trend = serializers.CharField(read_only=True, help_text="better, worse, steady, or empty before two values.")

    class Meta:
        model = KPI
        fields = [
            "id",
            "reference",
            "name",
            "definition",
            "kind",
            "builtin_key",
            "unit",
            "direction",
            "target",
            "amber_threshold",
            "red_threshold",
            "owner",
            "objective",
            "is_active",
            "last_value",
            "last_taken_at",
            "previous_value",
            "rag",
            "trend",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "last_value", "last_taken_at", "previous_value", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class KPISnapshotSerializer(serializers.ModelSerializer):
    kpi = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    source = choice_field(SnapshotSource.choices, read_only=True)
    taken_by = read_username()

    class Meta:
        model = KPISnapshot
        fields = ["id", "kpi", "value", "taken_at", "taken_on", "source", "taken_by", "job", "note", "breakdown"]
        read_only_fields = fields


class ReviewActionSerializer(serializers.ModelSerializer):
    review = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    decision = serializers.CharField(source="decision.decision", read_only=True)
    owner = MemberField()
    status = choice_field(ActionStatus.choices, required=False)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReviewAction
        fields = [
            "id",
            "reference",
            "review",
            "decision",
            "title",
            "owner",
            "due_date",
            "status",
            "overdue",
            "completed_at",
            "completion_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ReviewDecisionSerializer(serializers.ModelSerializer):
    kind = choice_field(DecisionKind.choices, read_only=True)
    actions = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = ReviewDecision
        fields = ["id", "kind", "decision", "actions", "created_at"]
        read_only_fields = fields


class ManagementReviewSerializer(serializers.ModelSerializer):
    chair = MemberField()
    attendees = MembersField(required=False)
    status = choice_field(ReviewStatus.choices, read_only=True)
    inputs_compiled_by = read_username()
    decisions = ReviewDecisionSerializer(many=True, read_only=True)
    inputs = serializers.JSONField(read_only=True, help_text="The pack, frozen when prepared (clause 9.3.2).")

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "reference",
            "title",
            "planned_date",
            "location",
            "chair",
            "attendees",
            "other_attendees",
            "top_management_present",
            "status",
            "inputs_since",
            "inputs_compiled_at",
            "inputs_compiled_by",
            "inputs",
            "held_on",
            "minutes",
            "conclusions",
            "decisions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "inputs_since",
            "inputs_compiled_at",
            "held_on",
            "minutes",
            "conclusions",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class IncidentEscalationSerializer(serializers.ModelSerializer):
    recorded_by = read_username()

    class Meta:
        model = IncidentEscalation
        fields = ["id", "notified", "notified_at", "channel", "note", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


class IncidentSerializer(serializers.ModelSerializer):
    """An AI incident. ``reporting_deadline`` is computed (Art. 73, in the organisation's time zone) when a serious
    incident involves a high-risk AI system."""

    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    reported_by = MemberField()
    owner = MemberField()
    harm_types = CommaListField(child=choice_field(HarmType.choices), required=False)
    severity = choice_field(IncidentSeverity.choices, required=False)
    status = choice_field(IncidentStatus.choices, required=False)
    serious_category = choice_field(SeriousCategory.choices, required=False, allow_blank=True)
    nonconformity = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    escalations = IncidentEscalationSerializer(many=True, read_only=True)
    clock_running = serializers.BooleanField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "title",
            "ai_systems",
            "detected_at",
            "reported_by",
            "owner",
            "description",
            "harm_types",
            "severity",
            "affected_persons",
            "affected_count",
            "containment",
            "status",
            "root_cause",
            "lessons_learned",
            "serious",
            "serious_category",
            "aware_at",
            "reporting_deadline",
            "clock_running",
            "reported_to_authority_at",
            "authority",
            "authority_reference",
            "nonconformity",
            "escalations",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "reporting_deadline",
            "reported_to_authority_at",
            "authority",
            "authority_reference",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}
