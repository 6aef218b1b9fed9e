"""API shapes of the governance registers. People are usernames; records of the organisation are reference ids.

Statuses, approvals and measured values are read-only here: they change through the services, reached by the
viewsets' actions (``approve``, ``record-value``, ``close``, ``end``, ``mark-done``, ``acknowledge``).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.api.serializers import CommaListField, MemberField, OrganisationRelatedField
from aims.roles import Role
from controls.models import Evidence
from governance.constants import CLOSED_OBJECTIVE_STATUSES, AimsProcess, CompetenceState, ObjectiveStatus, Raci
from governance.models import (
    Acknowledgement,
    AcknowledgementRequirement,
    AimsRole,
    Communication,
    Competence,
    Objective,
    RaciEntry,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)
from registry.models import InterestedParty
from risk import annex_c
from risk.api.serializers import UsernameField, inline_choice_field

_USERNAME = {"slug_field": "username", "read_only": True}


class HolderSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.username")
    name = serializers.CharField(source="member.get_full_name")
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class AimsRoleSerializer(serializers.ModelSerializer):
    """An AIMS role with its responsibilities, authorities and reporting lines; ``holders`` are the members who
    hold it today (assign through ``/role-assignments/``)."""

    holders = serializers.SerializerMethodField()

    class Meta:
        model = AimsRole
        fields = [
            "id",
            "reference",
            "name",
            "purpose",
            "responsibilities",
            "authorities",
            "reports_to",
            "reports_performance",
            "receives_concerns",
            "concern_channel",
            "is_active",
            "holders",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}

    @extend_schema_field(HolderSerializer(many=True))
    def get_holders(self, role):
        assignments = getattr(role, "current_assignments", None)
        if assignments is None:
            assignments = [a for a in role.assignments.all() if a.is_active]
        return HolderSerializer(assignments, many=True).data


class RoleAssignmentSerializer(serializers.ModelSerializer):
    """A member holding an AIMS role from ``start`` to ``end`` (open-ended when null)."""

    role = OrganisationRelatedField(AimsRole)
    member = MemberField(allow_null=False, required=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["id", "role", "member", "start", "end", "note", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class RoleAssignmentUpdateSerializer(RoleAssignmentSerializer):
    """The role and the member of an assignment do not change: assign anew instead."""

    role = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    member = serializers.SlugRelatedField(**_USERNAME)


class EndAssignmentSerializer(serializers.Serializer):
    end = serializers.DateField(required=False, allow_null=True, help_text="Last day in the role; today if empty.")


class RaciEntrySerializer(serializers.ModelSerializer):
    """A role's part in an AIMS process: R, A, C or I. Only one role is accountable (A) per process."""

    role = OrganisationRelatedField(AimsRole)
    process = inline_choice_field(AimsProcess.choices)
    code = inline_choice_field(Raci.choices, help_text="R responsible, A accountable, C consulted, I informed.")

    class Meta:
        model = RaciEntry
        fields = ["id", "role", "process", "code", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ObjectiveSerializer(serializers.ModelSerializer):
    """An AI objective (clause 6.2). Approve it with ``POST .../approve/`` once it has a measure, a target, a
    deadline and an owner; record values with ``POST .../record-value/``."""

    owner = MemberField()
    annex_c_objective = serializers.ChoiceField(choices=annex_c.objective_choices(), required=False, allow_blank=True)
    status = inline_choice_field(ObjectiveStatus.choices, read_only=True)
    progress = serializers.IntegerField(read_only=True, allow_null=True, help_text="0–100 towards the target.")
    target_met = serializers.BooleanField(read_only=True, allow_null=True)
    on_track = serializers.BooleanField(read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(**_USERNAME)

    class Meta:
        model = Objective
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "annex_c_objective",
            "measure",
            "unit",
            "direction",
            "baseline",
            "target",
            "start",
            "deadline",
            "current_value",
            "measured_on",
            "progress",
            "target_met",
            "on_track",
            "owner",
            "resources",
            "plan",
            "evaluation",
            "status",
            "approved_by",
            "approved_at",
            "closed_at",
            "closing_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "current_value",
            "measured_on",
            "approved_at",
            "closed_at",
            "closing_note",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ObjectiveValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    measured_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ObjectiveCloseSerializer(serializers.Serializer):
    status = inline_choice_field([(s.value, s.label) for s in ObjectiveStatus if s in CLOSED_OBJECTIVE_STATUSES])
    note = serializers.CharField(help_text="How the result was evaluated, or why it is cancelled.")


class CompetenceSerializer(serializers.ModelSerializer):
    """A competence the AIMS needs and the AIMS roles (references) that require it."""

    roles = OrganisationRelatedField(AimsRole, many=True, required=False)

    class Meta:
        model = Competence
        fields = ["id", "reference", "name", "description", "roles", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class TrainingCourseSerializer(serializers.ModelSerializer):
    """A course or qualification and the competences (references) it gives; ``validity_months`` null = never
    expires."""

    competences = OrganisationRelatedField(Competence, many=True, required=False)
    owner = MemberField()

    class Meta:
        model = TrainingCourse
        fields = [
            "id",
            "reference",
            "title",
            "provider",
            "delivery",
            "description",
            "competences",
            "validity_months",
            "owner",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class TrainingRecordSerializer(serializers.ModelSerializer):
    """A member's training. ``member`` must be a member of the organisation (400 otherwise); ``expires_on``
    left out follows from the course's validity; ``certificate`` is an evidence reference (``EVD-012``)."""

    member = MemberField(allow_null=False, required=True)
    course = OrganisationRelatedField(TrainingCourse)
    certificate = OrganisationRelatedField(Evidence, required=False, allow_null=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "reference",
            "member",
            "course",
            "completed_on",
            "result",
            "score",
            "expires_on",
            "is_expired",
            "certificate",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class CommunicationSerializer(serializers.ModelSerializer):
    """A line of the communication plan; ``owner`` is who communicates. ``next_due`` left out follows from
    ``last_done`` and ``frequency``."""

    owner = MemberField()
    interested_parties = OrganisationRelatedField(InterestedParty, many=True, required=False)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Communication
        fields = [
            "id",
            "reference",
            "topic",
            "description",
            "audience_kind",
            "audience",
            "interested_parties",
            "frequency",
            "timing",
            "channel",
            "owner",
            "last_done",
            "next_due",
            "overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class CommunicationDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True, help_text="Today if empty.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=80)


class AcknowledgementRequirementSerializer(serializers.ModelSerializer):
    """Who must acknowledge each approved version of a policy: holders of ``aims_roles`` (references) and
    members with ``membership_roles`` (access roles)."""

    policy = serializers.CharField(source="policy_reference", max_length=20, help_text="The policy's reference.")
    aims_roles = OrganisationRelatedField(AimsRole, many=True, required=False)
    membership_roles = CommaListField(child=inline_choice_field(Role.choices), required=False)

    class Meta:
        model = AcknowledgementRequirement
        fields = ["id", "policy", "aims_roles", "membership_roles", "due_days", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class AckLineSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.username")
    name = serializers.CharField(source="member.get_full_name")
    because = serializers.ListField(child=serializers.CharField(), help_text="The roles that require it.")
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class AckStatusSerializer(serializers.Serializer):
    """Who must acknowledge the approved version of the policy, and who has."""

    policy = serializers.CharField(source="requirement.policy_reference")
    version = serializers.IntegerField(source="policy.version", allow_null=True, default=None)
    title = serializers.CharField(source="policy.title", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(source="policy.approved_at", allow_null=True, default=None)
    due = serializers.DateField(allow_null=True)
    required = serializers.IntegerField()
    done = serializers.IntegerField()
    overdue = serializers.BooleanField()
    members = AckLineSerializer(source="lines", many=True)


class AcknowledgementSerializer(serializers.ModelSerializer):
    """An acknowledgement of one approved policy version."""

    policy = serializers.CharField(source="policy.reference", read_only=True)
    version = serializers.IntegerField(source="policy.version", read_only=True)
    member = serializers.SlugRelatedField(**_USERNAME)

    class Meta:
        model = Acknowledgement
        fields = ["id", "policy", "version", "member", "acknowledged_at"]
        read_only_fields = fields


class AcknowledgeInputSerializer(serializers.Serializer):
    policy = serializers.CharField(
        max_length=20, help_text="The policy's reference; you acknowledge its approved version, for yourself."
    )


class CompetenceRefSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField()


class MatrixCellSerializer(serializers.Serializer):
    competence = serializers.CharField(source="competence.reference")
    required = serializers.BooleanField()
    state = inline_choice_field(CompetenceState.choices, allow_blank=True)
    expires_on = serializers.DateField(allow_null=True)
    record = serializers.CharField(source="record_reference", allow_blank=True)


class MatrixRowSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.username")
    name = serializers.CharField(source="member.get_full_name")
    roles = serializers.SerializerMethodField()
    cells = MatrixCellSerializer(many=True)

    def get_roles(self, row) -> list[str]:
        return [role.reference for role in row.roles]


class GapSerializer(serializers.Serializer):
    member = UsernameField(read_only=True)
    competence = serializers.CharField(source="competence.reference")
    state = inline_choice_field(CompetenceState.choices)
    required_by = serializers.ListField(child=serializers.CharField())
    expires_on = serializers.DateField(allow_null=True)
    courses = serializers.SerializerMethodField()

    def get_courses(self, gap) -> list[str]:
        return [course.reference for course in gap.courses]


class CompetenceMatrixSerializer(serializers.Serializer):
    competences = CompetenceRefSerializer(many=True)
    rows = MatrixRowSerializer(many=True)
    gaps = GapSerializer(many=True)
    met_share = serializers.IntegerField(allow_null=True, help_text="Percent of required competences met.")


class DocumentedInformationSerializer(serializers.Serializer):
    id = serializers.CharField(source="spec.id")
    title = serializers.CharField(source="spec.title")
    clause = serializers.CharField(source="spec.clause")
    description = serializers.CharField(source="spec.description")
    held_in = serializers.CharField(source="spec.holder", help_text="Which register holds this kind of item.")
    state = serializers.ChoiceField(choices=["held", "incomplete", "missing"])
    label = serializers.CharField(source="holding.label", allow_null=True, default=None)
    url = serializers.CharField(source="holding.url", allow_null=True, default=None)
    version = serializers.CharField(source="holding.version", allow_null=True, default=None)
    date = serializers.DateField(allow_null=True)
    note = serializers.CharField()
