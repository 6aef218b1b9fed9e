"""API shapes of the audits registers. People are usernames; records of the organisation are reference ids;
requirements are ``framework key:identifier``. Statuses, verification, reporting and the frozen review inputs are
read-only here: they change through the viewsets' actions, which call the services."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.api.serializers import MemberField, OrganisationRelatedField
from audits.constants import (
    ActionStatus,
    AuditStatus,
    ChecklistResult,
    Effectiveness,
    FindingKind,
    Grade,
    Importance,
    NCSource,
    NCStatus,
    ProgrammeStatus,
    RootCauseMethod,
)
from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    Nonconformity,
)
from controls.api.common import RequirementRefField, choice_field
from controls.models import Control, Evidence
from registry.models import AISystem
from risk.models import Risk

_USERNAME = {"slug_field": "username", "read_only": True}


def read_username(**kwargs):
    return serializers.SlugRelatedField(**_USERNAME, **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "string"}, "description": "Usernames of members."})
class MembersField(serializers.ListField):
    """Members by username (the audit team, review attendees)."""

    child = serializers.CharField()

    def to_representation(self, value):
        return [user.username for user in value.all()]

    def to_internal_value(self, data):
        from django.contrib.auth import get_user_model

        names = super().to_internal_value(data)
        request = self.context.get("request")
        users = list(
            get_user_model().objects.filter(
                memberships__organisation=getattr(request, "organisation", None), username__in=names
            )
        )
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise serializers.ValidationError(
                _("Not members of this organisation: %(members)s.") % {"members": ", ".join(missing)}
            )
        return users


class AuditProgrammeSerializer(serializers.ModelSerializer):
    owner = MemberField()
    status = choice_field(ProgrammeStatus.choices, read_only=True)
    approved_by = read_username()

    class Meta:
        model = AuditProgramme
        fields = [
            "id",
            "reference",
            "title",
            "period_start",
            "period_end",
            "objectives",
            "planning_basis",
            "owner",
            "status",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "approved_at", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class AuditSerializer(serializers.ModelSerializer):
    """An internal audit. Its checklist follows its criteria (``GET .../checklist/``)."""

    programme = OrganisationRelatedField(AuditProgramme, required=False, allow_null=True)
    criteria = RequirementRefField(many=True, required=False)
    controls = OrganisationRelatedField(Control, many=True, required=False)
    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    risks = OrganisationRelatedField(Risk, many=True, required=False)
    importance = choice_field(Importance.choices, required=False)
    lead_auditor = MemberField()
    team = MembersField(required=False)
    status = choice_field(AuditStatus.choices, read_only=True)
    independence_declared_by = read_username()
    reported_by = read_username()

    class Meta:
        model = Audit
        fields = [
            "id",
            "reference",
            "programme",
            "title",
            "scope",
            "criteria",
            "controls",
            "ai_systems",
            "risks",
            "units",
            "importance",
            "frequency_months",
            "planning_rationale",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "lead_auditor",
            "team",
            "external_auditors",
            "independence_statement",
            "independence_declared_by",
            "independence_declared_at",
            "status",
            "summary",
            "conclusion",
            "report_recipients",
            "reported_by",
            "reported_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "actual_start",
            "actual_end",
            "independence_statement",
            "independence_declared_at",
            "summary",
            "conclusion",
            "report_recipients",
            "reported_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ChecklistItemSerializer(serializers.ModelSerializer):
    """A checklist line. Writing the result is what the auditor does (``PATCH``); when the caller owns audited
    work the write is refused (400 on ``acknowledge_independence``) unless ``acknowledge_independence`` is true,
    and the warning is then stored with the result."""

    audit = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    requirement = RequirementRefField(read_only=True)
    requirement_title = serializers.CharField(source="requirement.title", read_only=True)
    result = choice_field(ChecklistResult.choices, required=False, allow_blank=True)
    evidence = OrganisationRelatedField(Evidence, many=True, required=False)
    recorded_by = read_username()
    independence_acknowledged_by = read_username()
    finding = serializers.SerializerMethodField()
    acknowledge_independence = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "audit",
            "requirement",
            "requirement_title",
            "position",
            "result",
            "notes",
            "sampled_records",
            "evidence",
            "recorded_by",
            "recorded_at",
            "independence_warning",
            "independence_acknowledged_by",
            "independence_acknowledged_at",
            "finding",
            "acknowledge_independence",
        ]
        read_only_fields = ["id", "position", "recorded_at", "independence_warning", "independence_acknowledged_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_finding(self, obj) -> str:
        finding = getattr(obj, "finding", None)
        return finding.reference if finding else ""


class FindingSerializer(serializers.ModelSerializer):
    audit = OrganisationRelatedField(Audit)
    kind = choice_field(FindingKind.choices)
    requirement = RequirementRefField(required=False, allow_null=True)
    raised_by = read_username()
    checklist_item = serializers.PrimaryKeyRelatedField(read_only=True)
    nonconformity = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "reference",
            "audit",
            "kind",
            "title",
            "description",
            "requirement",
            "raised_by",
            "raised_on",
            "checklist_item",
            "nonconformity",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}

    @extend_schema_field(OpenApiTypes.STR)
    def get_nonconformity(self, obj) -> str:
        nc = getattr(obj, "nonconformity", None)
        return nc.reference if nc else ""

    # For the API list fast path (aims.api.fast): the column the method field reads, and its value from it.
    fast_sources = {"nonconformity": (("nonconformity__reference",), lambda reference: reference or "")}


class CorrectiveActionSerializer(serializers.ModelSerializer):
    nonconformity = OrganisationRelatedField(Nonconformity)
    owner = MemberField()
    status = choice_field(ActionStatus.choices, required=False)
    effectiveness = choice_field(Effectiveness.choices, read_only=True)
    verified_by = read_username()
    verification_evidence = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "reference",
            "nonconformity",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "completed_at",
            "completion_note",
            "effectiveness",
            "verified_by",
            "verified_at",
            "verification_note",
            "verification_evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "verified_at", "verification_note", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class NonconformitySerializer(serializers.ModelSerializer):
    source = choice_field(NCSource.choices, required=False)
    grade = choice_field(Grade.choices, required=False)
    finding = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    risk = OrganisationRelatedField(Risk, required=False, allow_null=True)
    requirement = RequirementRefField(required=False, allow_null=True)
    detected_by = MemberField()
    owner = MemberField()
    root_cause_method = choice_field(RootCauseMethod.choices, required=False)
    five_whys = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=5)
    status = choice_field(NCStatus.choices, read_only=True)
    closed_by = read_username()
    actions = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = Nonconformity
        fields = [
            "id",
            "reference",
            "source",
            "finding",
            "risk",
            "title",
            "description",
            "requirement",
            "grade",
            "detected_on",
            "detected_by",
            "owner",
            "immediate_correction",
            "root_cause_method",
            "five_whys",
            "root_cause",
            "risk_register_changed",
            "controls_changed",
            "changes_note",
            "actions",
            "status",
            "closed_by",
            "closed_at",
            "closure_note",
            "days_to_close",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "closed_at", "closure_note", "days_to_close", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}
