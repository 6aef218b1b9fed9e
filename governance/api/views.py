"""API of the governance registers: AIMS roles and assignments, RACI, objectives, competences, courses, training
records, the communication plan, policy acknowledgements, the competence matrix and the documented-information
index. Viewsets call the services; reads come from ``visible_to`` querysets and the selectors."""

from django.db import transaction
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.api.safety import ConcurrencyMixin
from aims.api.views import OrganisationScopedViewSet
from controls.constants import PolicyStatus
from controls.models import Policy
from governance import services
from governance.api import serializers as s
from governance.awareness import acknowledgement_statuses
from governance.docindex import documented_information_index
from governance.filtersets import (
    AimsRoleFilterSet,
    CommunicationFilterSet,
    CompetenceFilterSet,
    ObjectiveFilterSet,
    RaciEntryFilterSet,
    RoleAssignmentFilterSet,
    TrainingCourseFilterSet,
    TrainingRecordFilterSet,
)
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
from governance.selectors import competence_matrix, roles_with_holders

THROUGH_API = "Edited through the API"


@extend_schema_view(
    list=extend_schema(summary="List the AIMS roles", description="Each with the members who hold it today."),
    create=extend_schema(summary="Define an AIMS role"),
)
class AimsRoleViewSet(OrganisationScopedViewSet):
    queryset = roles_with_holders(AimsRole.objects.all())
    serializer_class = s.AimsRoleSerializer
    filterset_class = AimsRoleFilterSet
    search_fields = ["reference", "name", "responsibilities", "authorities"]
    ordering_fields = ["reference", "name", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.aims_role_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.aims_role_update(actor=self.request.user, role=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.aims_role_delete(actor=self.request.user, role=instance)


@extend_schema_view(
    list=extend_schema(summary="List role assignments", description="Filter ``current=true`` for those in force."),
    create=extend_schema(summary="Assign a member to an AIMS role"),
    update=extend_schema(summary="Change the dates or note of an assignment", request=s.RoleAssignmentUpdateSerializer),
    partial_update=extend_schema(summary="Change part of an assignment", request=s.RoleAssignmentUpdateSerializer),
)
class RoleAssignmentViewSet(OrganisationScopedViewSet):
    queryset = RoleAssignment.objects.select_related("role", "member")
    serializer_class = s.RoleAssignmentSerializer
    filterset_class = RoleAssignmentFilterSet
    ordering_fields = ["start", "end", "created_at"]
    ordering = ["role__reference", "-start"]
    permission_actions = {"end": "change"}

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.RoleAssignmentUpdateSerializer
        return super().get_serializer_class()

    def create_object(self, data):
        return services.role_assign(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.role_assignment_update(
            actor=self.request.user, assignment=instance, data=data, reason=THROUGH_API
        )

    def delete_object(self, instance):
        services.role_assignment_delete(actor=self.request.user, assignment=instance)

    @extend_schema(
        summary="End an assignment",
        description="The member stops holding the role on ``end`` (today if empty). 409 when already ended.",
        request=s.EndAssignmentSerializer,
        responses={200: s.RoleAssignmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        body = s.EndAssignmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.role_assignment_end(actor=request.user, assignment=assignment, end=body.validated_data.get("end"))
        return Response(s.RoleAssignmentSerializer(assignment, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List the RACI entries", description="One per role and AIMS process that has a part."),
    create=extend_schema(summary="Give a role a part in an AIMS process"),
)
class RaciEntryViewSet(OrganisationScopedViewSet):
    queryset = RaciEntry.objects.select_related("role")
    serializer_class = s.RaciEntrySerializer
    filterset_class = RaciEntryFilterSet
    ordering_fields = ["process", "code", "created_at"]
    ordering = ["process", "role__reference"]

    def create_object(self, data):
        return services.raci_entry_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.raci_entry_update(actor=self.request.user, entry=instance, data=data)

    def delete_object(self, instance):
        services.raci_entry_delete(actor=self.request.user, entry=instance)


@extend_schema_view(
    list=extend_schema(summary="List the AI objectives", description="Same filters as the objectives register."),
    create=extend_schema(summary="Draft an AI objective"),
    destroy=extend_schema(summary="Delete a draft objective", description="Approved or closed ones answer 409."),
)
class ObjectiveViewSet(OrganisationScopedViewSet):
    queryset = Objective.objects.select_related("owner", "approved_by")
    serializer_class = s.ObjectiveSerializer
    filterset_class = ObjectiveFilterSet
    search_fields = ["reference", "title", "description", "measure"]
    ordering_fields = ["reference", "title", "deadline", "status", "created_at", "updated_at"]
    ordering = ["reference"]
    permission_actions = {"approve": "approve", "close": "approve", "record_value": "change"}

    def create_object(self, data):
        return services.objective_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.objective_update(actor=self.request.user, objective=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.objective_delete(actor=self.request.user, objective=instance)

    def _answer(self, objective):
        return Response(self.get_serializer(objective).data)

    @extend_schema(
        summary="Approve a draft objective",
        description="400 with the fields missing when it has no measure, target, deadline or owner; 409 when it is "
        "not a draft. Needs the approve permission (AIMS officers).",
        request=None,
        responses={200: s.ObjectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        objective = self.get_object()
        with transaction.atomic():
            services.objective_approve(actor=request.user, objective=objective)
        return self._answer(objective)

    @extend_schema(
        summary="Record the latest measured value",
        description="Only for an approved objective (409 otherwise).",
        request=s.ObjectiveValueSerializer,
        responses={200: s.ObjectiveSerializer},
    )
    @action(detail=True, methods=["post"], url_path="record-value")
    def record_value(self, request, pk=None):
        objective = self.get_object()
        body = s.ObjectiveValueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            services.objective_record_value(
                actor=request.user,
                objective=objective,
                value=data["value"],
                measured_on=data.get("measured_on"),
                note=data.get("note", ""),
            )
        return self._answer(objective)

    @extend_schema(
        summary="Close an objective",
        description="As achieved, missed (not achieved) or cancelled, with how the result was evaluated.",
        request=s.ObjectiveCloseSerializer,
        responses={200: s.ObjectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        objective = self.get_object()
        body = s.ObjectiveCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.objective_close(actor=request.user, objective=objective, **body.validated_data)
        return self._answer(objective)


@extend_schema_view(list=extend_schema(summary="List competences"), create=extend_schema(summary="Define a competence"))
class CompetenceViewSet(OrganisationScopedViewSet):
    queryset = Competence.objects.prefetch_related("roles")
    serializer_class = s.CompetenceSerializer
    filterset_class = CompetenceFilterSet
    search_fields = ["reference", "name", "description"]
    ordering_fields = ["reference", "name", "created_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.competence_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.competence_update(actor=self.request.user, competence=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.competence_delete(actor=self.request.user, competence=instance)


@extend_schema_view(list=extend_schema(summary="List training courses"), create=extend_schema(summary="Add a course"))
class TrainingCourseViewSet(OrganisationScopedViewSet):
    queryset = TrainingCourse.objects.select_related("owner").prefetch_related("competences")
    serializer_class = s.TrainingCourseSerializer
    filterset_class = TrainingCourseFilterSet
    search_fields = ["reference", "title", "provider"]
    ordering_fields = ["reference", "title", "created_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.course_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.course_update(actor=self.request.user, course=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.course_delete(actor=self.request.user, course=instance)


@extend_schema_view(
    list=extend_schema(summary="List training records", description="Same filters as the training register."),
    create=extend_schema(
        summary="Record a member's training",
        description="The member must belong to your organisation (400 otherwise); contributors record their own.",
    ),
)
class TrainingRecordViewSet(OrganisationScopedViewSet):
    queryset = TrainingRecord.objects.select_related("member", "course", "certificate")
    serializer_class = s.TrainingRecordSerializer
    filterset_class = TrainingRecordFilterSet
    search_fields = ["reference", "course__title", "member__username"]
    ordering_fields = ["reference", "completed_on", "expires_on", "created_at"]
    ordering = ["-completed_on", "reference"]

    def create_object(self, data):
        return services.training_record_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )

    def update_object(self, instance, data):
        return services.training_record_update(actor=self.request.user, record=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.training_record_delete(actor=self.request.user, record=instance)


@extend_schema_view(
    list=extend_schema(summary="List the communication plan"), create=extend_schema(summary="Plan a communication")
)
class CommunicationViewSet(OrganisationScopedViewSet):
    queryset = Communication.objects.select_related("owner").prefetch_related("interested_parties")
    serializer_class = s.CommunicationSerializer
    filterset_class = CommunicationFilterSet
    search_fields = ["reference", "topic", "audience"]
    ordering_fields = ["reference", "topic", "next_due", "last_done", "created_at"]
    ordering = ["reference"]
    permission_actions = {"mark_done": "change"}

    def create_object(self, data):
        return services.communication_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.communication_update(
            actor=self.request.user, communication=instance, data=data, reason=THROUGH_API
        )

    def delete_object(self, instance):
        services.communication_delete(actor=self.request.user, communication=instance)

    @extend_schema(
        summary="Record that a communication was done",
        description="Sets ``last_done`` and schedules ``next_due`` from the frequency.",
        request=s.CommunicationDoneSerializer,
        responses={200: s.CommunicationSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-done")
    def mark_done(self, request, pk=None):
        communication = self.get_object()
        body = s.CommunicationDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.communication_mark_done(
                actor=request.user,
                communication=communication,
                done_on=body.validated_data.get("done_on"),
                note=body.validated_data.get("note", ""),
            )
        return Response(self.get_serializer(communication).data)


@extend_schema_view(
    list=extend_schema(summary="List acknowledgement requirements", description="Which policies must be acknowledged."),
    create=extend_schema(summary="Require members to acknowledge a policy"),
)
class AcknowledgementRequirementViewSet(OrganisationScopedViewSet):
    queryset = AcknowledgementRequirement.objects.prefetch_related("aims_roles")
    serializer_class = s.AcknowledgementRequirementSerializer
    ordering_fields = ["policy_reference", "created_at"]
    ordering = ["policy_reference"]
    filterset_fields = ["policy_reference"]
    permission_actions = {"status": "view"}

    def create_object(self, data):
        return services.acknowledgement_requirement_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )

    def update_object(self, instance, data):
        return services.acknowledgement_requirement_update(
            actor=self.request.user, requirement=instance, data=data, reason=THROUGH_API
        )

    def delete_object(self, instance):
        services.acknowledgement_requirement_delete(actor=self.request.user, requirement=instance)

    @extend_schema(
        summary="Who has and who has not acknowledged",
        description="Members who must acknowledge the policy's approved version, and when each did.",
        responses={200: s.AckStatusSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def status(self, request, pk=None):
        requirement = self.get_object()
        status = acknowledgement_statuses(
            user=request.user,
            organisation=request.organisation,
            requirements=AcknowledgementRequirement.objects.filter(pk=requirement.pk),
        )[0]
        return Response(s.AckStatusSerializer(status).data)


@extend_schema_view(
    list=extend_schema(summary="List acknowledgements", description="Every acknowledgement of a policy version."),
    retrieve=extend_schema(summary="One acknowledgement"),
)
class AcknowledgementViewSet(
    ConcurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Acknowledgements are given by members for themselves and never edited."""

    queryset = Acknowledgement.objects.select_related("policy", "member")
    serializer_class = s.AcknowledgementSerializer
    lookup_value_regex = "[0-9a-f-]{36}"
    ordering_fields = ["acknowledged_at"]
    ordering = ["-acknowledged_at"]
    filterset_fields = ["member__username", "policy__reference"]
    # Every member may acknowledge a policy for themselves, whatever their role.
    permission_actions = {"create": "view"}

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)

    @extend_schema(
        summary="Acknowledge a policy",
        description="You acknowledge the approved version of the policy named by its reference. 404 when the "
        "policy has no approved version; 409 when you already have.",
        request=s.AcknowledgeInputSerializer,
        responses={201: s.AcknowledgementSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = s.AcknowledgeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = Policy.objects.filter(
            organisation=request.organisation, reference=body.validated_data["policy"], status=PolicyStatus.APPROVED
        ).first()
        if policy is None:
            raise NotFound(gettext("This policy has no approved version in your organisation."))
        with transaction.atomic():
            acknowledgement = services.policy_acknowledge(actor=request.user, policy=policy)
        return Response(self.get_serializer(acknowledgement).data, status=201)


class CompetenceMatrixView(APIView):
    """Members holding AIMS roles × the competences their roles require, and the gaps."""

    permission_model = TrainingRecord

    @extend_schema(
        summary="The competence matrix",
        description="State per member and required competence: met, expiring (within 30 days), expired or "
        "missing; ``gaps`` lists all but the met ones with courses that close them.",
        responses={200: s.CompetenceMatrixSerializer},
    )
    def get(self, request):
        matrix = competence_matrix(user=request.user, organisation=request.organisation)
        return Response(s.CompetenceMatrixSerializer(matrix).data)


class DocumentedInformationView(APIView):
    """The documented-information index (clause 7.5)."""

    permission_model = Objective

    @extend_schema(
        summary="The documented-information index",
        description="Every kind of documented information the AIMS is expected to keep, with the record holding "
        "it (label, link, version, date) or state ``missing``.",
        responses={200: s.DocumentedInformationSerializer(many=True)},
    )
    def get(self, request):
        return Response(
            s.DocumentedInformationSerializer(documented_information_index(request.organisation), many=True).data
        )
