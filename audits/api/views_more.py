"""API of KPIs and their snapshots, management reviews and their actions, and AI incidents."""

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aims.api.views import OrganisationScopedViewSet
from aims.permissions import can_for_request
from audits import services
from audits.api import inputs as i
from audits.api import serializers_more as m
from audits.api.common import THROUGH_API, ScopedNoCreateViewSet, action_schema, pdf_schema, read_input
from audits.constants import SnapshotSource
from audits.filtersets import IncidentFilterSet, KPIFilterSet, ManagementReviewFilterSet, ReviewActionFilterSet
from audits.models import KPI, Incident, KPISnapshot, ManagementReview, Nonconformity, ReviewAction
from audits.reports import pdf_response, review_minutes_pdf

SNAPSHOT_LIMIT = 500


@extend_schema_view(
    list=extend_schema(summary="List KPIs", description="With the latest value, RAG status and trend."),
    create=extend_schema(summary="Define a KPI", description="Manual, or computed from AIMS data (`builtin_key`)."),
)
class KPIViewSet(OrganisationScopedViewSet):
    queryset = KPI.objects.select_related("owner", "objective")
    serializer_class = m.KPISerializer
    filterset_class = KPIFilterSet
    ordering_fields = ["reference", "name", "last_taken_at", "created_at"]
    ordering = ["reference"]
    permission_actions = {
        "snapshots": "view",
        "record_value": "change",
        "take_snapshot": "change",
        "take_all_snapshots": "change",
    }

    def create_object(self, data):
        return services.kpi_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.kpi_update(actor=self.request.user, kpi=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.kpi_delete(actor=self.request.user, kpi=instance)

    @extend_schema(
        summary="The KPI's values",
        description=f"Newest first, at most {SNAPSHOT_LIMIT}.",
        responses={200: m.KPISnapshotSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def snapshots(self, request, pk=None):
        kpi = self.get_object()
        rows = KPISnapshot.objects.filter(kpi=kpi).select_related("kpi", "taken_by").order_by("-taken_at")
        return Response(m.KPISnapshotSerializer(rows[:SNAPSHOT_LIMIT], many=True).data)

    @extend_schema(
        summary="Post a value of a manual KPI",
        description="For integrations (a fairness gap posted by the ML pipeline, for example). 409 for a KPI "
        "computed from AIMS data.",
        request=i.KPIValueInputSerializer,
        responses={201: m.KPISnapshotSerializer},
    )
    @action(detail=True, methods=["post"], url_path="values")
    def record_value(self, request, pk=None):
        kpi = self.get_object()
        data = read_input(i.KPIValueInputSerializer, request)
        source = SnapshotSource.API if request.auth is not None else SnapshotSource.MANUAL
        with transaction.atomic():
            snapshot = services.kpi_record_value(
                actor=request.user,
                kpi=kpi,
                value=data["value"],
                taken_at=data.get("taken_at"),
                note=data["note"],
                source=source,
            )
        return Response(m.KPISnapshotSerializer(snapshot).data, status=201)

    @extend_schema(
        summary="Take a snapshot of a computed KPI now",
        request=None,
        responses={200: m.KPISnapshotSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], url_path="take-snapshot")
    def take_snapshot(self, request, pk=None):
        kpi = self.get_object()
        with transaction.atomic():
            taken = services.kpi_snapshot_take(organisation=request.organisation, kpi=kpi, actor=request.user)
        return Response(m.KPISnapshotSerializer(taken, many=True).data)

    @extend_schema(
        summary="Take a snapshot of every active computed KPI now",
        request=None,
        responses={200: m.KPISnapshotSerializer(many=True)},
    )
    @action(detail=False, methods=["post"], url_path="take-snapshots")
    def take_all_snapshots(self, request):
        with transaction.atomic():
            taken = services.kpi_snapshot_take(organisation=request.organisation, actor=request.user)
        return Response(m.KPISnapshotSerializer(taken, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List management reviews"),
    create=extend_schema(summary="Plan a management review"),
)
class ManagementReviewViewSet(OrganisationScopedViewSet):
    queryset = ManagementReview.objects.select_related("chair", "inputs_compiled_by").prefetch_related(
        "attendees", "decisions__actions"
    )
    serializer_class = m.ManagementReviewSerializer
    filterset_class = ManagementReviewFilterSet
    ordering_fields = ["reference", "planned_date", "created_at"]
    ordering = ["-planned_date"]
    permission_actions = {"prepare": "change", "hold": "change", "decisions": "change", "minutes_pdf": "export"}

    def create_object(self, data):
        return services.review_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.review_update(actor=self.request.user, review=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.review_delete(actor=self.request.user, review=instance)

    def _answer(self, review):
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)

    @action_schema(
        "Prepare the pack",
        "Compiles the inputs from live data and freezes them into the review (409 once held).",
        None,
        m.ManagementReviewSerializer,
    )
    @action(detail=True, methods=["post"])
    def prepare(self, request, pk=None):
        review = self.get_object()
        with transaction.atomic():
            services.review_prepare(actor=request.user, review=review)
        return self._answer(review)

    @action_schema(
        "Record the meeting",
        "Top management must be present (400 otherwise); the pack must be prepared (409).",
        i.HoldInputSerializer,
        m.ManagementReviewSerializer,
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        review = self.get_object()
        data = read_input(i.HoldInputSerializer, request)
        with transaction.atomic():
            services.review_hold(actor=request.user, review=review, **data)
        return self._answer(review)

    @action_schema(
        "Record a decision",
        "Creates the tracked action with its owner and due date.",
        i.DecisionInputSerializer,
        m.ManagementReviewSerializer,
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        review = self.get_object()
        data = read_input(i.DecisionInputSerializer, request)
        with transaction.atomic():
            services.review_add_decision(actor=request.user, review=review, **data)
        return self._answer(review)

    @pdf_schema("The minutes as a PDF", "Attendance, conclusions, decisions and the frozen inputs.")
    @action(detail=True, methods=["get"], url_path="minutes-pdf")
    def minutes_pdf(self, request, pk=None):
        review = self.get_object()
        return pdf_response(review_minutes_pdf(review), f"management-review-{review.reference.lower()}.pdf")


@extend_schema_view(
    list=extend_schema(summary="List management review actions", description="``overdue=true`` filters."),
)
class ReviewActionViewSet(ScopedNoCreateViewSet):
    queryset = ReviewAction.objects.select_related("owner", "review", "decision")
    serializer_class = m.ReviewActionSerializer
    filterset_class = ReviewActionFilterSet
    ordering_fields = ["reference", "due_date", "status"]
    ordering = ["due_date", "reference"]
    permission_actions = {"complete": "change"}

    def update_object(self, instance, data):
        return services.review_action_update(actor=self.request.user, action=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.review_action_delete(actor=self.request.user, action=instance)

    @action_schema("Mark the action done", "", i.CloseNoteInputSerializer, m.ReviewActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        action_obj = self.get_object()
        data = read_input(i.CloseNoteInputSerializer, request)
        with transaction.atomic():
            services.review_action_complete(actor=request.user, action=action_obj, note=data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=action_obj.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List AI incidents",
        description="``open=true`` and ``clock_running=true`` filter; sort by ``reporting_deadline``.",
    ),
    create=extend_schema(
        summary="Report an AI incident",
        description="A serious incident on a high-risk AI system starts the Art. 73 reporting clock.",
    ),
)
class IncidentViewSet(OrganisationScopedViewSet):
    queryset = Incident.objects.select_related("owner", "reported_by", "nonconformity").prefetch_related(
        "ai_systems", "escalations__recorded_by"
    )
    serializer_class = m.IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering_fields = ["reference", "detected_at", "reporting_deadline", "severity", "status"]
    ordering = ["-detected_at"]
    permission_actions = {
        "escalate": "change",
        "report_to_authority": "approve",
        "raise_nonconformity": "view",
        "close": "change",
    }

    def create_object(self, data):
        return services.incident_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.incident_update(actor=self.request.user, incident=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.incident_delete(actor=self.request.user, incident=instance)

    def _answer(self, incident):
        return Response(self.get_serializer(self.get_queryset().get(pk=incident.pk)).data)

    @action_schema(
        "Record an escalation", "Who was notified, when and how.", i.EscalationInputSerializer, m.IncidentSerializer
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        incident = self.get_object()
        data = read_input(i.EscalationInputSerializer, request)
        if data.get("notified_at") is None:
            data.pop("notified_at", None)
        with transaction.atomic():
            services.incident_add_escalation(actor=request.user, incident=incident, data=data)
        return self._answer(incident)

    @action_schema(
        "Record the report to the authority",
        "Stops the reporting clock of a serious incident (409 when not serious or already reported).",
        i.AuthorityReportInputSerializer,
        m.IncidentSerializer,
    )
    @action(detail=True, methods=["post"], url_path="report-to-authority")
    def report_to_authority(self, request, pk=None):
        incident = self.get_object()
        data = read_input(i.AuthorityReportInputSerializer, request)
        with transaction.atomic():
            services.incident_report_to_authority(
                actor=request.user,
                incident=incident,
                reported_at=data.get("reported_to_authority_at"),
                authority=data["authority"],
                authority_reference=data["authority_reference"],
            )
        return self._answer(incident)

    @action_schema(
        "Raise a nonconformity for the incident",
        "Needs the permission to add nonconformities; 409 when one is already linked.",
        None,
        m.IncidentSerializer,
    )
    @action(detail=True, methods=["post"], url_path="raise-nonconformity")
    def raise_nonconformity(self, request, pk=None):
        incident = self.get_object()
        if not can_for_request(request, "add", Nonconformity):
            raise PermissionDenied
        with transaction.atomic():
            services.incident_raise_nonconformity(actor=request.user, incident=incident)
        return self._answer(incident)

    @action_schema(
        "Close the incident",
        "Needs the lessons learned; a serious incident must be reported first.",
        i.IncidentCloseInputSerializer,
        m.IncidentSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        incident = self.get_object()
        data = read_input(i.IncidentCloseInputSerializer, request)
        with transaction.atomic():
            services.incident_close(actor=request.user, incident=incident, lessons_learned=data["lessons_learned"])
        return self._answer(incident)
