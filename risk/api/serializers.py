"""API shapes of the risk registers. People are usernames; records of the organisation are reference ids.

Statuses, levels, acceptance and approval are read-only here: they change through the services, reached by
the viewsets' actions (``accept``, ``close``, ``approve``...).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.api.serializers import CommaListField, MemberField, OrganisationRelatedField
from registry.models import AISystem
from risk import annex_c
from risk.constants import (
    LEVEL_ORDER,
    ActionStatus,
    AssessmentStatus,
    CriteriaStatus,
    ImpactStatus,
    RiskLevel,
    RiskStatus,
    TreatmentOption,
)
from risk.models import ImpactArea, ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
from risk.schema import choice_schema

_USERNAME = {"slug_field": "username", "read_only": True}


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(MemberField):
    """A member of the organisation by username (typed for the schema outside model serializers)."""


def inline_choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented with ``choice_schema``."""
    blank = bool(kwargs.get("allow_blank") or kwargs.get("read_only"))
    field_class = extend_schema_field(choice_schema(choices, blank=blank))(
        type("PatternChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


def _level(**kwargs):
    return inline_choice_field(RiskLevel.choices, **kwargs)


class RiskSerializer(serializers.ModelSerializer):
    """A risk or opportunity. Scores are checked against the risk's criteria version (400 when outside it)."""

    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    owner = MemberField()
    # Annex C keys are documented by pattern: other apps offer the same pick-list under their own field names.
    objectives = CommaListField(child=inline_choice_field(annex_c.objective_choices()), required=False)
    risk_source = serializers.ChoiceField(choices=annex_c.risk_source_choices(), required=False, allow_blank=True)
    criteria_version = serializers.IntegerField(source="criteria.version", read_only=True, allow_null=True)
    inherent_likelihood = serializers.IntegerField(required=False, allow_null=True)
    inherent_impact = serializers.IntegerField(required=False, allow_null=True)
    residual_likelihood = serializers.IntegerField(required=False, allow_null=True)
    residual_impact = serializers.IntegerField(required=False, allow_null=True)
    inherent_level = _level(read_only=True)
    residual_level = _level(read_only=True)
    accepted_level = _level(read_only=True)
    status = inline_choice_field(RiskStatus.choices, read_only=True)
    accepted_by = serializers.SlugRelatedField(**_USERNAME)
    acceptance_approver = serializers.SlugRelatedField(**_USERNAME)

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            "risk_type",
            "title",
            "cause",
            "event",
            "consequence",
            "ai_systems",
            "lifecycle_stage",
            "category",
            "risk_source",
            "objectives",
            "owner",
            "criteria_version",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_level",
            "existing_controls",
            "treatment_option",
            "treatment_plan",
            "residual_likelihood",
            "residual_impact",
            "residual_level",
            "status",
            "accepted_by",
            "accepted_at",
            "accepted_level",
            "acceptance_comment",
            "acceptance_approver",
            "closed_at",
            "closure_reason",
            "next_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "inherent_level",
            "residual_level",
            "status",
            "accepted_at",
            "accepted_level",
            "acceptance_comment",
            "closed_at",
            "closure_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ScoreInputSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()


class TreatmentInputSerializer(serializers.Serializer):
    treatment_option = inline_choice_field(TreatmentOption.choices)
    treatment_plan = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptInputSerializer(serializers.Serializer):
    comment = serializers.CharField()
    approver = UsernameField(help_text="For a level above the appetite: the approver named in the criteria.")


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RescoreInputSerializer(serializers.Serializer):
    inherent = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, required=False, help_text="[likelihood, impact]"
    )
    residual = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, required=False, help_text="[likelihood, impact]"
    )


class TreatmentActionSerializer(serializers.ModelSerializer):
    """An action of a risk's treatment plan. ``risk`` is the risk's reference, set when the action is created."""

    risk = OrganisationRelatedField(Risk)
    owner = MemberField()
    status = inline_choice_field(ActionStatus.choices, required=False)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = TreatmentAction
        fields = [
            "id",
            "reference",
            "risk",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "completion_note",
            "controls_note",
            "overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class CompleteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RiskAssessmentSerializer(serializers.ModelSerializer):
    """A dated assessment of AI systems. Created with ``ai_systems``; their open risks are carried into it."""

    ai_systems = OrganisationRelatedField(AISystem, many=True)
    risks = OrganisationRelatedField(Risk, many=True, required=False)
    assessors = MemberField(many=True, required=False)
    owner = MemberField()
    criteria_version = serializers.IntegerField(source="criteria.version", read_only=True)
    status = inline_choice_field(AssessmentStatus.choices, read_only=True)
    approved_by = serializers.SlugRelatedField(**_USERNAME)
    snapshot = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "reference",
            "title",
            "ai_systems",
            "scope",
            "criteria_version",
            "assessors",
            "participants",
            "assessment_date",
            "owner",
            "risks",
            "conclusion",
            "status",
            "completed_at",
            "approved_by",
            "approved_at",
            "snapshot",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "completed_at", "approved_at", "created_at", "updated_at"]
        extra_kwargs = {
            "reference": {"required": False, "validators": []},
            "title": {"required": False},
            "assessment_date": {"required": False},
        }


class ConclusionInputSerializer(serializers.Serializer):
    conclusion = serializers.CharField(required=False, allow_blank=True)


class ImpactAreaSerializer(serializers.ModelSerializer):
    """One impact area. ``impact_assessment`` is the assessment's reference (set on creation)."""

    impact_assessment = OrganisationRelatedField(ImpactAssessment)
    raised_risk = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    significant = serializers.BooleanField(read_only=True)

    class Meta:
        model = ImpactArea
        fields = [
            "id",
            "impact_assessment",
            "area",
            "affected",
            "potential_impact",
            "severity",
            "likelihood",
            "reversibility",
            "mitigations",
            "significant",
            "raised_risk",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ImpactAreaNestedSerializer(ImpactAreaSerializer):
    class Meta(ImpactAreaSerializer.Meta):
        fields = [f for f in ImpactAreaSerializer.Meta.fields if f != "impact_assessment"]


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    """A version of an AI system's impact assessment, with its areas (add them at ``/impact-areas/``)."""

    ai_system = OrganisationRelatedField(AISystem)
    owner = MemberField()
    status = inline_choice_field(ImpactStatus.choices, read_only=True)
    approved_by = serializers.SlugRelatedField(**_USERNAME)
    areas = ImpactAreaNestedSerializer(many=True, read_only=True)
    due = serializers.SerializerMethodField(help_text="The version in force needs reassessment or review.")

    class Meta:
        model = ImpactAssessment
        fields = [
            "id",
            "reference",
            "ai_system",
            "version",
            "owner",
            "use_considered",
            "affected_individuals",
            "affected_groups",
            "affected_society",
            "is_dpia",
            "dpia_reference",
            "is_fria",
            "fria_process",
            "fria_period",
            "fria_oversight",
            "fria_remedies",
            "fria_authority_notified",
            "conclusion",
            "status",
            "approved_by",
            "approved_at",
            "next_review",
            "due",
            "areas",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "status", "approved_at", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}

    def get_due(self, obj) -> bool:
        from django.utils import timezone

        from risk.constants import ImpactStatus

        if obj.status != ImpactStatus.APPROVED:
            return False
        return bool(obj.ai_system.reassessment_required or (obj.next_review and obj.next_review < timezone.localdate()))


class ApproveImpactInputSerializer(serializers.Serializer):
    clear_reassessment = serializers.BooleanField(
        required=False, default=False, help_text="Clear the system's 'reassessment required' flag."
    )


class ScaleLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1)
    label = serializers.CharField(max_length=60)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class RiskCriteriaSerializer(serializers.ModelSerializer):
    """A version of the risk criteria. ``matrix`` maps ``"likelihood,impact"`` to a level; it must never lower
    the level as likelihood or impact grows. Creating one starts a draft copy of the current version."""

    likelihood_levels = ScaleLevelSerializer(many=True, required=False)
    impact_levels = ScaleLevelSerializer(many=True, required=False)
    matrix = serializers.DictField(child=_level(), required=False)
    level_descriptions = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    review_months = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text=f"Months per level: {', '.join(LEVEL_ORDER)}."
    )
    appetite = _level(required=False)
    appetite_approver = MemberField()
    status = inline_choice_field(CriteriaStatus.choices, read_only=True)
    approved_by = serializers.SlugRelatedField(**_USERNAME)

    class Meta:
        model = RiskCriteria
        fields = [
            "id",
            "version",
            "name",
            "method",
            "likelihood_levels",
            "impact_levels",
            "matrix",
            "level_descriptions",
            "appetite",
            "appetite_approver",
            "review_months",
            "status",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "status", "approved_at", "created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False}}
