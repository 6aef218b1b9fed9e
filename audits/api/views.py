"""API of the audit programme, audits and their checklists, findings, nonconformities and corrective actions.
CRUD calls the services; transitions are actions that call one service each."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.fast import FastListMixin
from aims.api.pagination import KeysetPagination
from aims.api.views import OrganisationScopedViewSet
from aims.services import ServiceError
from audits import services
from audits.api import inputs as i
from audits.api import serializers as s
from audits.api.common import THROUGH_API, ScopedNoCreateViewSet, action_schema, pdf_schema, read_input
from audits.filtersets import (
    AuditFilterSet,
    AuditProgrammeFilterSet,
    CorrectiveActionFilterSet,
    FindingFilterSet,
    NonconformityFilterSet,
)
from audits.models import Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Finding, Nonconformity
from audits.reports import audit_report_pdf, pdf_response


@extend_schema_view(
    list=extend_schema(summary="List audit programmes"),
    create=extend_schema(summary="Plan an audit programme", description="For a period, e.g. a year (clause 9.2.2)."),
)
class AuditProgrammeViewSet(OrganisationScopedViewSet):
    queryset = AuditProgramme.objects.select_related("owner", "approved_by")
    serializer_class = s.AuditProgrammeSerializer
    filterset_class = AuditProgrammeFilterSet
    ordering_fields = ["reference", "period_start", "title", "created_at"]
    ordering = ["-period_start"]
    permission_actions = {"approve": "approve"}

    def create_object(self, data):
        return services.programme_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.programme_update(actor=self.request.user, programme=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.programme_delete(actor=self.request.user, programme=instance)

    @action_schema("Approve a draft programme", "Needs stated objectives.", None, s.AuditProgrammeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        programme = self.get_object()
        with transaction.atomic():
            programme = services.programme_approve(actor=request.user, programme=programme)
        return Response(self.get_serializer(programme).data)


@extend_schema_view(
    list=extend_schema(summary="List audits", description="Same filters as the audits page."),
    create=extend_schema(
        summary="Plan an audit", description="Its checklist gets one line per requirement of the criteria."
    ),
    partial_update=extend_schema(summary="Edit part of an audit's plan", description="409 once it is reported."),
)
class AuditViewSet(OrganisationScopedViewSet):
    queryset = Audit.objects.select_related(
        "programme", "lead_auditor", "independence_declared_by", "reported_by"
    ).prefetch_related("criteria__framework", "controls", "ai_systems", "risks", "team")
    serializer_class = s.AuditSerializer
    filterset_class = AuditFilterSet
    ordering_fields = ["reference", "planned_start", "title", "status", "created_at"]
    ordering = ["-planned_start", "-reference"]
    permission_actions = {
        "start": "change",
        "declare_independence": "change",
        "report": "change",
        "close": "change",
        "checklist": "view",
        "report_pdf": "export",
    }

    def create_object(self, data):
        return services.audit_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.audit_update(actor=self.request.user, audit=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.audit_delete(actor=self.request.user, audit=instance)

    def _answer(self, audit):
        return Response(self.get_serializer(self.get_queryset().get(pk=audit.pk)).data)

    @action_schema("Start the audit", "Needs criteria; the checklist follows them.", None, s.AuditSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        audit = self.get_object()
        with transaction.atomic():
            services.audit_start(actor=request.user, audit=audit)
        return self._answer(audit)

    @action_schema(
        "Record the independence declaration",
        "Who declared it and when are kept.",
        i.StatementInputSerializer,
        s.AuditSerializer,
    )
    @action(detail=True, methods=["post"], url_path="declare-independence")
    def declare_independence(self, request, pk=None):
        audit = self.get_object()
        data = read_input(i.StatementInputSerializer, request)
        with transaction.atomic():
            services.audit_declare_independence(actor=request.user, audit=audit, statement=data["statement"])
        return self._answer(audit)

    @action_schema(
        "Issue the report",
        "Every checklist line needs a result (400 otherwise); the results are final afterwards.",
        i.ReportInputSerializer,
        s.AuditSerializer,
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        audit = self.get_object()
        data = read_input(i.ReportInputSerializer, request)
        with transaction.atomic():
            services.audit_report(actor=request.user, audit=audit, **data)
        return self._answer(audit)

    @action_schema("Close a reported audit", "", None, s.AuditSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        audit = self.get_object()
        with transaction.atomic():
            services.audit_close(actor=request.user, audit=audit)
        return self._answer(audit)

    @extend_schema(summary="The audit's checklist", responses={200: s.ChecklistItemSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def checklist(self, request, pk=None):
        audit = self.get_object()
        items = (
            ChecklistItem.objects.filter(audit=audit)
            .select_related("audit", "requirement__framework", "recorded_by", "independence_acknowledged_by", "finding")
            .prefetch_related("evidence")
            .order_by("position")
        )
        return Response(s.ChecklistItemSerializer(items, many=True, context=self.get_serializer_context()).data)

    @pdf_schema("The audit report as a PDF", "Summary, scope, results per requirement, findings and conclusion.")
    @action(detail=True, methods=["get"], url_path="report-pdf")
    def report_pdf(self, request, pk=None):
        audit = self.get_object()
        return pdf_response(audit_report_pdf(audit), f"audit-report-{audit.reference.lower()}.pdf")


@extend_schema_view(
    list=extend_schema(summary="List checklist lines", description="Filter with ``audit=<id>``."),
    partial_update=extend_schema(
        summary="Record the result of a checklist line",
        description="What the auditor role does. When you own audited work, 400 on `acknowledge_independence` unless "
        "it is true; the warning is then stored with the result. 409 once the audit is reported.",
    ),
    update=extend_schema(summary="Record the result of a checklist line (all fields)"),
)
class ChecklistItemViewSet(ScopedNoCreateViewSet):
    queryset = ChecklistItem.objects.select_related(
        "audit", "requirement__framework", "recorded_by", "independence_acknowledged_by", "finding"
    ).prefetch_related("evidence")
    serializer_class = s.ChecklistItemSerializer
    filterset_fields = ["audit", "result"]
    ordering_fields = ["position"]
    ordering = ["audit", "position"]
    http_method_names = ["get", "put", "patch", "head", "options"]

    def update_object(self, instance, data):
        data = dict(data)
        acknowledge = data.pop("acknowledge_independence", False)
        item = services.checklist_record(
            actor=self.request.user, item=instance, data=data, acknowledge_independence=acknowledge
        )
        return self.get_queryset().get(pk=item.pk)


@extend_schema_view(
    list=extend_schema(summary="List audit findings"),
    create=extend_schema(
        summary="Record a finding outside the checklist",
        description="A major or minor nonconformity finding raises a nonconformity.",
    ),
)
class FindingViewSet(FastListMixin, OrganisationScopedViewSet):
    pagination_class = KeysetPagination  # large register: keyset pages (numbered with ?page=)
    queryset = Finding.objects.select_related(
        "audit", "requirement__framework", "raised_by", "nonconformity", "checklist_item"
    )
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilterSet
    ordering_fields = ["reference", "raised_on", "kind"]
    ordering = ["-raised_on", "-reference"]

    def create_object(self, data):
        data = dict(data)
        audit = data.pop("audit")
        return services.finding_create(actor=self.request.user, audit=audit, data=data)

    def update_object(self, instance, data):
        data = dict(data)
        audit = data.pop("audit", instance.audit)
        if audit.pk != instance.audit_id:
            raise ServiceError(_("A finding stays with its audit."), field="audit")
        return services.finding_update(actor=self.request.user, finding=instance, data=data, reason=THROUGH_API)

    def delete_object(self, instance):
        services.finding_delete(actor=self.request.user, finding=instance)


@extend_schema_view(
    list=extend_schema(summary="List nonconformities", description="Same filters as the register page."),
    create=extend_schema(summary="Report a nonconformity", description="From an incident, a risk review or anyone."),
)
class NonconformityViewSet(OrganisationScopedViewSet):
    queryset = Nonconformity.objects.select_related(
        "owner", "detected_by", "closed_by", "finding", "risk", "requirement__framework"
    ).prefetch_related("actions")
    serializer_class = s.NonconformitySerializer
    filterset_class = NonconformityFilterSet
    ordering_fields = ["reference", "detected_on", "status", "grade", "created_at"]
    ordering = ["-detected_on", "-reference"]
    permission_actions = {"close": "approve", "reopen": "approve"}

    def create_object(self, data):
        return services.nonconformity_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.nonconformity_update(
            actor=self.request.user, nonconformity=instance, data=data, reason=THROUGH_API
        )

    def delete_object(self, instance):
        services.nonconformity_delete(actor=self.request.user, nonconformity=instance)

    def _answer(self, nc):
        return Response(self.get_serializer(self.get_queryset().get(pk=nc.pk)).data)

    @action_schema(
        "Close the nonconformity",
        "Only once its root cause is recorded, no corrective action is open and one is verified effective (409 "
        "otherwise, naming what is missing).",
        i.CloseNoteInputSerializer,
        s.NonconformitySerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        nc = self.get_object()
        data = read_input(i.CloseNoteInputSerializer, request)
        with transaction.atomic():
            services.nonconformity_close(actor=request.user, nonconformity=nc, note=data["note"])
        return self._answer(nc)

    @action_schema("Reopen a closed nonconformity", "", i.ReopenInputSerializer, s.NonconformitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        nc = self.get_object()
        data = read_input(i.ReopenInputSerializer, request)
        with transaction.atomic():
            services.nonconformity_reopen(actor=request.user, nonconformity=nc, reason=data["reason"])
        return self._answer(nc)


@extend_schema_view(
    list=extend_schema(summary="List corrective actions", description="``overdue=true`` and ``mine=true`` filter."),
    create=extend_schema(summary="Plan a corrective action for a nonconformity"),
)
class CorrectiveActionViewSet(OrganisationScopedViewSet):
    queryset = CorrectiveAction.objects.select_related("owner", "verified_by", "nonconformity__owner").prefetch_related(
        "verification_evidence"
    )
    serializer_class = s.CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilterSet
    ordering_fields = ["reference", "due_date", "status", "created_at"]
    ordering = ["due_date", "reference"]
    permission_actions = {"complete": "change", "verify": "approve"}

    def create_object(self, data):
        data = dict(data)
        nc = data.pop("nonconformity")
        return services.corrective_action_add(actor=self.request.user, nonconformity=nc, data=data)

    def update_object(self, instance, data):
        data = dict(data)
        nc = data.pop("nonconformity", instance.nonconformity)
        if nc.pk != instance.nonconformity_id:
            raise ServiceError(_("An action stays with its nonconformity."), field="nonconformity")
        return services.corrective_action_update(
            actor=self.request.user, action=instance, data=data, reason=THROUGH_API
        )

    def delete_object(self, instance):
        services.corrective_action_delete(actor=self.request.user, action=instance)

    def _answer(self, action_obj):
        return Response(self.get_serializer(self.get_queryset().get(pk=action_obj.pk)).data)

    @action_schema("Mark the action done", "", i.CloseNoteInputSerializer, s.CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        action_obj = self.get_object()
        data = read_input(i.CloseNoteInputSerializer, request)
        with transaction.atomic():
            services.corrective_action_complete(actor=request.user, action=action_obj, note=data["note"])
        return self._answer(action_obj)

    @action_schema(
        "Verify the action's effectiveness",
        "Who and when are the caller and now; the note says how it was checked. Only for a done action (409).",
        i.VerifyInputSerializer,
        s.CorrectiveActionSerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        action_obj = self.get_object()
        data = read_input(i.VerifyInputSerializer, request)
        with transaction.atomic():
            services.corrective_action_verify(
                actor=request.user,
                action=action_obj,
                effective=data["effective"],
                note=data["note"],
                evidence=data.get("evidence", []),
            )
        return self._answer(action_obj)
