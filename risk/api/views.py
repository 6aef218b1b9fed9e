"""API of the risk registers. CRUD calls the services; transitions are actions that call one service each."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from aims.api.fast import FastListMixin
from aims.api.pagination import KeysetPagination
from aims.api.views import OrganisationScopedViewSet
from aims.permissions import can
from risk import services
from risk.api.serializers import (
    AcceptInputSerializer,
    ApproveImpactInputSerializer,
    CompleteInputSerializer,
    ConclusionInputSerializer,
    ImpactAreaSerializer,
    ImpactAssessmentSerializer,
    ReasonInputSerializer,
    RescoreInputSerializer,
    RiskAssessmentSerializer,
    RiskCriteriaSerializer,
    RiskSerializer,
    ScoreInputSerializer,
    TreatmentActionSerializer,
    TreatmentInputSerializer,
)
from risk.constants import CriteriaStatus
from risk.filtersets import (
    ImpactAssessmentFilterSet,
    RiskAssessmentFilterSet,
    RiskCriteriaFilterSet,
    RiskFilterSet,
    TreatmentActionFilterSet,
)
from risk.models import ImpactArea, ImpactAssessment, RiskAssessment, RiskCriteria, TreatmentAction
from risk.selectors import risk_list_queryset

REFUSED = OpenApiResponse(description="Refused by a business rule; the body names the fields.")
CONFLICT = OpenApiResponse(description="Not possible in the record's current state.")


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _action_schema(summary, description="", request=None, response=None):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: response, 400: REFUSED, 409: CONFLICT},
    )


@extend_schema_view(
    list=extend_schema(summary="List risks", description="Same filters as the risk register page."),
    create=extend_schema(summary="Record a risk or opportunity", description="Scored with the current criteria."),
    update=extend_schema(summary="Edit a risk"),
    partial_update=extend_schema(summary="Edit part of a risk", description="A changed level voids an acceptance."),
)
class RiskViewSet(FastListMixin, OrganisationScopedViewSet):
    pagination_class = KeysetPagination  # large register: keyset pages (numbered with ?page=)
    queryset = risk_list_queryset().select_related("accepted_by", "acceptance_approver")
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    search_fields = ["reference", "title", "cause", "event", "consequence"]
    ordering_fields = ["reference", "title", "status", "inherent_rank", "residual_rank", "next_review", "created_at"]
    ordering = ["reference"]
    permission_actions = {
        "score_inherent": "change",
        "score_residual": "change",
        "treatment": "change",
        "accept": "change",
        "close": "change",
        "reopen": "change",
        "rescore": "change",
    }

    def create_object(self, data):
        return services.risk_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.risk_update(actor=self.request.user, risk=instance, data=data, reason="Edited through the API")

    def delete_object(self, instance):
        services.risk_delete(actor=self.request.user, risk=instance)

    def _respond(self, risk):
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data)

    def _score(self, request, service):
        risk = self.get_object()
        data = _input(ScoreInputSerializer, request)
        with transaction.atomic():
            risk = service(actor=request.user, risk=risk, likelihood=data["likelihood"], impact=data["impact"])
        return self._respond(risk)

    @_action_schema(
        "Score the inherent risk",
        "Likelihood and impact on the risk's criteria scales; the level comes from the criteria matrix.",
        ScoreInputSerializer,
        RiskSerializer,
    )
    @action(detail=True, methods=["post"], url_path="score-inherent")
    def score_inherent(self, request, pk=None):
        return self._score(request, services.risk_score_inherent)

    @_action_schema(
        "Score the residual risk",
        "After treatment; never above the inherent likelihood, impact or level (400 otherwise).",
        ScoreInputSerializer,
        RiskSerializer,
    )
    @action(detail=True, methods=["post"], url_path="score-residual")
    def score_residual(self, request, pk=None):
        return self._score(request, services.risk_score_residual)

    @_action_schema("Choose the treatment option", "", TreatmentInputSerializer, RiskSerializer)
    @action(detail=True, methods=["post"])
    def treatment(self, request, pk=None):
        risk = self.get_object()
        data = _input(TreatmentInputSerializer, request)
        with transaction.atomic():
            risk = services.risk_plan_treatment(
                actor=request.user, risk=risk, option=data["treatment_option"], plan=data["treatment_plan"]
            )
        return self._respond(risk)

    @_action_schema(
        "Accept the risk",
        "At its current level, by its owner or an approver. Above the appetite, the approver named in the criteria "
        "must be the caller or be given as `approver` (400 otherwise).",
        AcceptInputSerializer,
        RiskSerializer,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        risk = self.get_object()
        data = _input(AcceptInputSerializer, request)
        with transaction.atomic():
            risk = services.risk_accept(
                actor=request.user, risk=risk, comment=data["comment"], approver=data.get("approver")
            )
        return self._respond(risk)

    @_action_schema(
        "Close the risk", "Refused (400) while treatment actions are open.", ReasonInputSerializer, RiskSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        risk = self.get_object()
        data = _input(ReasonInputSerializer, request)
        with transaction.atomic():
            risk = services.risk_close(actor=request.user, risk=risk, reason=data["reason"])
        return self._respond(risk)

    @_action_schema("Reopen a closed risk", "", ReasonInputSerializer, RiskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        risk = self.get_object()
        data = _input(ReasonInputSerializer, request)
        with transaction.atomic():
            risk = services.risk_reopen(actor=request.user, risk=risk, reason=data["reason"])
        return self._respond(risk)

    @_action_schema(
        "Rescore with the current criteria",
        "Moves the risk to the criteria in force, recorded in its history. Likelihood and impact are kept unless "
        "new `[likelihood, impact]` pairs are given.",
        RescoreInputSerializer,
        RiskSerializer,
    )
    @action(detail=True, methods=["post"])
    def rescore(self, request, pk=None):
        risk = self.get_object()
        data = _input(RescoreInputSerializer, request)
        with transaction.atomic():
            risk = services.risk_rescore_with_criteria(
                actor=request.user,
                risk=risk,
                inherent=tuple(data["inherent"]) if data.get("inherent") else None,
                residual=tuple(data["residual"]) if data.get("residual") else None,
            )
        return self._respond(risk)


@extend_schema_view(
    list=extend_schema(summary="List treatment actions", description="Filter by `risk` (reference), `overdue`..."),
    create=extend_schema(summary="Add a treatment action to a risk"),
)
class TreatmentActionViewSet(OrganisationScopedViewSet):
    queryset = TreatmentAction.objects.select_related("owner", "risk", "risk__owner")
    serializer_class = TreatmentActionSerializer
    filterset_class = TreatmentActionFilterSet
    search_fields = ["reference", "title", "description"]
    ordering_fields = ["reference", "due_date", "status", "created_at"]
    ordering = ["due_date", "reference"]
    permission_actions = {"complete": "change"}

    def create_object(self, data):
        data = dict(data)
        risk = data.pop("risk")
        if not can(self.request.user, "change", risk, self.request.organisation):
            raise PermissionDenied
        return services.treatment_action_add(actor=self.request.user, risk=risk, data=data)

    def update_object(self, instance, data):
        data = {k: v for k, v in data.items() if k != "risk"}
        return services.treatment_action_update(
            actor=self.request.user, action=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.treatment_action_delete(actor=self.request.user, action=instance)

    @_action_schema("Complete the action", "", CompleteInputSerializer, TreatmentActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        item = self.get_object()
        data = _input(CompleteInputSerializer, request)
        with transaction.atomic():
            item = services.treatment_action_complete(actor=request.user, action=item, note=data["note"])
        return Response(self.get_serializer(item).data)


@extend_schema_view(
    list=extend_schema(summary="List risk assessments"),
    create=extend_schema(
        summary="Start a risk assessment",
        description="With the current criteria; the open risks of the systems are carried into it.",
    ),
)
class RiskAssessmentViewSet(OrganisationScopedViewSet):
    queryset = RiskAssessment.objects.select_related("owner", "criteria", "approved_by").prefetch_related(
        "ai_systems", "assessors", "risks"
    )
    serializer_class = RiskAssessmentSerializer
    filterset_class = RiskAssessmentFilterSet
    search_fields = ["reference", "title", "scope"]
    ordering_fields = ["reference", "assessment_date", "status", "created_at"]
    ordering = ["-assessment_date", "-reference"]
    permission_actions = {"complete": "change", "approve": "approve"}

    def create_object(self, data):
        return services.assessment_start(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.assessment_update(
            actor=self.request.user, assessment=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.assessment_delete(actor=self.request.user, assessment=instance)

    def _respond(self, assessment):
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)

    @_action_schema(
        "Complete the assessment",
        "Every risk in it must be scored; their scores are frozen in `snapshot`.",
        ConclusionInputSerializer,
        RiskAssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        assessment = self.get_object()
        data = _input(ConclusionInputSerializer, request)
        with transaction.atomic():
            assessment = services.assessment_complete(
                actor=request.user, assessment=assessment, conclusion=data.get("conclusion")
            )
        return self._respond(assessment)

    @_action_schema("Approve a completed assessment", "", None, RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        assessment = self.get_object()
        with transaction.atomic():
            assessment = services.assessment_approve(actor=request.user, assessment=assessment)
        return self._respond(assessment)


@extend_schema_view(
    list=extend_schema(summary="List AI system impact assessments"),
    create=extend_schema(
        summary="Start the next version of a system's impact assessment",
        description="A draft copying the latest version (texts and impact areas); one draft per system (409).",
    ),
)
class ImpactAssessmentViewSet(OrganisationScopedViewSet):
    queryset = ImpactAssessment.objects.select_related("ai_system", "owner", "approved_by").prefetch_related(
        "areas__raised_risk"
    )
    serializer_class = ImpactAssessmentSerializer
    filterset_class = ImpactAssessmentFilterSet
    search_fields = ["reference", "conclusion"]
    ordering_fields = ["reference", "version", "status", "next_review", "created_at"]
    ordering = ["reference"]
    permission_actions = {"approve": "approve", "new_version": "add"}

    def create_object(self, data):
        data = dict(data)
        system = data.pop("ai_system")
        return services.impact_assessment_create(actor=self.request.user, system=system, data=data)

    def update_object(self, instance, data):
        data = {k: v for k, v in data.items() if k != "ai_system"}
        return services.impact_assessment_update(
            actor=self.request.user, assessment=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.impact_assessment_delete(actor=self.request.user, assessment=instance)

    def _respond(self, assessment):
        return Response(self.get_serializer(self.get_queryset().get(pk=assessment.pk)).data)

    @_action_schema(
        "Approve a draft impact assessment",
        "It becomes the system's impact assessment in force; the previous version is superseded.",
        ApproveImpactInputSerializer,
        ImpactAssessmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        assessment = self.get_object()
        data = _input(ApproveImpactInputSerializer, request)
        with transaction.atomic():
            assessment = services.impact_assessment_approve(
                actor=request.user, assessment=assessment, clear_reassessment=data["clear_reassessment"]
            )
        return self._respond(assessment)

    @_action_schema("Start the next version from this one", "", None, ImpactAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        assessment = self.get_object()
        with transaction.atomic():
            created = services.impact_assessment_create(actor=request.user, system=assessment.ai_system)
        return self._respond(created)


@extend_schema_view(list=extend_schema(summary="List impact areas"), create=extend_schema(summary="Add an impact area"))
class ImpactAreaViewSet(OrganisationScopedViewSet):
    queryset = ImpactArea.objects.select_related("impact_assessment__ai_system", "raised_risk")
    serializer_class = ImpactAreaSerializer
    ordering_fields = ["area", "severity", "created_at"]
    ordering = ["impact_assessment__reference", "area", "created_at"]
    filterset_fields = ["area", "severity"]
    permission_actions = {"raise_risk": "add"}

    def create_object(self, data):
        data = dict(data)
        assessment = data.pop("impact_assessment")
        return services.impact_area_add(actor=self.request.user, assessment=assessment, data=data)

    def update_object(self, instance, data):
        data = {k: v for k, v in data.items() if k != "impact_assessment"}
        return services.impact_area_update(actor=self.request.user, area=instance, data=data)

    def delete_object(self, instance):
        services.impact_area_delete(actor=self.request.user, area=instance)

    @extend_schema(
        summary="Raise a risk from this impact",
        description="Creates a risk in the register linked to this impact (both ways); 409 when already raised.",
        request=None,
        responses={201: RiskSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="raise-risk")
    def raise_risk(self, request, pk=None):
        area = self.get_object()
        with transaction.atomic():
            risk = services.impact_raise_risk(actor=request.user, area=area)
        risk = risk_list_queryset().get(pk=risk.pk)
        return Response(RiskSerializer(risk, context=self.get_serializer_context()).data, status=201)


@extend_schema_view(
    list=extend_schema(summary="List the versions of the risk criteria"),
    create=extend_schema(
        summary="Start a new draft version of the risk criteria",
        description="A copy of the current version with the fields given applied. One draft at a time (409).",
    ),
    update=extend_schema(summary="Edit a draft", description="Approved versions answer 409."),
)
class RiskCriteriaViewSet(OrganisationScopedViewSet):
    queryset = RiskCriteria.objects.select_related("appetite_approver", "approved_by")
    serializer_class = RiskCriteriaSerializer
    filterset_class = RiskCriteriaFilterSet
    ordering_fields = ["version", "status", "approved_at"]
    ordering = ["-version"]
    permission_actions = {
        "create": "approve",
        "update": "approve",
        "partial_update": "approve",
        "destroy": "approve",
        "approve": "approve",
        "current": "view",
    }

    @staticmethod
    def _plain(data) -> dict:
        data = dict(data)
        for name in ("likelihood_levels", "impact_levels"):
            if name in data:
                data[name] = [dict(item) for item in data[name]]
        for name in ("matrix", "level_descriptions", "review_months"):
            if name in data:
                data[name] = dict(data[name])
        return data

    def create_object(self, data):
        draft = services.criteria_new_version(actor=self.request.user, organisation=self.request.organisation)
        data = self._plain(data)
        if data:
            draft = services.criteria_update(actor=self.request.user, criteria=draft, data=data, reason="Draft set up")
        return draft

    def update_object(self, instance, data):
        return services.criteria_update(
            actor=self.request.user, criteria=instance, data=self._plain(data), reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.criteria_delete_draft(actor=self.request.user, criteria=instance)

    @_action_schema(
        "Approve a draft version",
        "It becomes the criteria in force. Risks keep the version they were scored with until rescored.",
        None,
        RiskCriteriaSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        criteria = self.get_object()
        with transaction.atomic():
            criteria = services.criteria_approve(actor=request.user, criteria=criteria)
        return Response(self.get_serializer(criteria).data)

    @extend_schema(
        summary="The criteria in force",
        description="The approved version; 404 before any risk has been scored.",
        responses={200: RiskCriteriaSerializer, 404: OpenApiResponse(description="No criteria yet.")},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def current(self, request):
        criteria = self.get_queryset().filter(status=CriteriaStatus.APPROVED).order_by("-version").first()
        if criteria is None:
            raise NotFound(gettext("No risk criteria yet: the default set is created when the first risk is scored."))
        return Response(self.get_serializer(criteria).data)
