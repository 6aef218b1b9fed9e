"""Pages of the audit programme, audits with their checklist, findings and report. Thin: forms parse, services
decide."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from audits import services
from audits.constants import AuditStatus
from audits.filtersets import AuditFilterSet, AuditProgrammeFilterSet
from audits.forms import (
    AuditForm,
    FindingForm,
    IndependenceForm,
    ProgrammeForm,
    ReportForm,
)
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from audits.reports import audit_report_pdf, pdf_response
from audits.selectors import audit_result_counts, checklist_rows, suggested_frequency
from audits.views_base import FormsDetailView, ObjectActionView, OrganisationTimeMixin

PROGRAMME_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Period from", "period_start"),
    ("Period to", "period_end"),
    ("Objectives", "objectives"),
    ("How audits are planned", "planning_basis"),
    ("Owner", "owner.username"),
    ("Status", "status"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
]
AUDIT_EXPORT = [
    ("Reference", "reference"),
    ("Programme", "programme.reference"),
    ("Title", "title"),
    ("Scope", "scope"),
    ("Units and processes", "units"),
    ("AI systems", lambda a: ", ".join(s.reference for s in a.ai_systems.all())),
    ("Importance", "importance"),
    ("Planned start", "planned_start"),
    ("Planned end", "planned_end"),
    ("Actual start", "actual_start"),
    ("Actual end", "actual_end"),
    ("Lead auditor", "lead_auditor.username"),
    ("External auditors", "external_auditors"),
    ("Status", "status"),
    ("Reported at", "reported_at"),
    ("Conclusion", "conclusion"),
]


# --- Programmes ---------------------------------------------------------------------------------------------


class ProgrammeMixin(OrganisationTimeMixin):
    model = AuditProgramme
    url_base = "audits:programme"

    def base_queryset(self):
        return AuditProgramme.objects.select_related("owner", "approved_by")


class ProgrammeListView(ProgrammeMixin, RegisterListView):
    title = gettext_lazy("Audit programme")
    filterset_class = AuditProgrammeFilterSet
    export_fields = PROGRAMME_EXPORT
    default_ordering = "-period_start"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Programme"), sort="title", template="audits/cells/title.html"),
        Column("period", gettext_lazy("Period"), sort="period_start", template="audits/cells/period.html"),
        Column("n_audits", gettext_lazy("Audits"), sort="n_audits"),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().annotate(n_audits=Count("audits"))


class ProgrammeDetailView(ProgrammeMixin, FormsDetailView):
    template_name = "audits/programme_detail.html"
    tabs = [Tab("overview", gettext_lazy("Programme"), "audits/tabs/programme_overview.html")]

    def page_context(self, obj) -> dict:
        audits = list(obj.audits.select_related("lead_auditor").order_by("planned_start", "reference"))
        started = any(audit.status != AuditStatus.PLANNED for audit in audits)
        return {
            "programme_audits": suggested_frequency(audits, obj.organisation),
            "can_delete": self.allowed("delete", obj) and not started,
        }


class ProgrammeFormView(ProgrammeMixin, RegisterFormView):
    form_class = ProgrammeForm
    create_service = staticmethod(services.programme_create)
    update_service = staticmethod(services.programme_update)
    object_kwarg = "programme"


class ProgrammeDeleteView(ProgrammeMixin, RegisterDeleteView):
    delete_service = staticmethod(services.programme_delete)
    object_kwarg = "programme"


class ProgrammeApproveView(ProgrammeMixin, ObjectActionView):
    permission_action = "approve"

    def perform(self, obj, form):
        return services.programme_approve(actor=self.request.user, programme=obj)

    def success_message(self, obj, result):
        return _("%(reference)s approved.") % {"reference": obj.reference}


# --- Audits ------------------------------------------------------------------------------------------------


class AuditMixin(OrganisationTimeMixin):
    model = Audit
    url_base = "audits:audit"

    def base_queryset(self):
        return Audit.objects.select_related("programme", "lead_auditor", "reported_by", "independence_declared_by")


class AuditListView(AuditMixin, RegisterListView):
    title = gettext_lazy("Audits")
    filterset_class = AuditFilterSet
    export_fields = AUDIT_EXPORT
    default_ordering = "-planned_start"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Audit"), sort="title", template="audits/cells/title.html"),
        Column(
            "planned_start", gettext_lazy("Planned"), sort="planned_start", template="audits/cells/audit_dates.html"
        ),
        Column("lead_auditor", gettext_lazy("Lead auditor"), sort="lead_auditor__username"),
        Column("progress", gettext_lazy("Checklist"), template="audits/cells/audit_progress.html"),
        Column("n_findings", gettext_lazy("Findings"), sort="n_findings"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related("ai_systems")
            .annotate(
                n_items=Count("checklist", distinct=True),
                n_assessed=Count("checklist", filter=~Q(checklist__result=""), distinct=True),
                n_findings=Count("findings", distinct=True),
            )
        )


class AuditDetailView(AuditMixin, FormsDetailView):
    template_name = "audits/audit_detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Plan and scope"), "audits/tabs/audit_overview.html"),
        Tab("checklist", gettext_lazy("Checklist"), "audits/tabs/audit_checklist.html"),
        Tab("findings", gettext_lazy("Findings"), "audits/tabs/audit_findings.html"),
        Tab("report", gettext_lazy("Report"), "audits/tabs/audit_report.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("team", "ai_systems", "controls__owner", "risks__owner")

    def page_context(self, obj) -> dict:
        user = self.request.user
        conflicts = services.independence_conflicts(obj, user)
        open_audit = obj.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
        return {
            "can_change": self.allowed("change", obj) and open_audit,
            "can_delete": self.allowed("delete", obj) and obj.status == AuditStatus.PLANNED,
            "can_close": self.allowed("change", obj) and obj.status == AuditStatus.REPORTED,
            "counts": audit_result_counts(obj),
            "my_conflicts": conflicts if open_audit and self.allowed("change", ChecklistItem) else [],
            "can_record": self.allowed("change", ChecklistItem)
            and obj.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
            "can_add_finding": self.allowed("add", Finding) and obj.is_open,
        }

    def tab_context(self, obj, tab_key):
        organisation = self.request.organisation
        if tab_key == "overview":
            team = [obj.lead_auditor, *obj.team.all()] if obj.lead_auditor else list(obj.team.all())
            seen, people = set(), []
            for person in team:
                if person.pk not in seen:
                    seen.add(person.pk)
                    people.append({"user": person, "conflicts": services.independence_conflicts(obj, person)})
            return {
                "criteria": obj.criteria.select_related("framework").order_by("framework__name", "sort_order"),
                "team_conflicts": people,
                "independence_form": IndependenceForm(initial={"statement": obj.independence_statement}),
            }
        if tab_key == "checklist":
            return {"rows": checklist_rows(obj)}
        if tab_key == "findings":
            return {
                "findings": obj.findings.select_related("requirement", "raised_by", "nonconformity").order_by(
                    "reference"
                ),
                "finding_form": FindingForm(organisation=organisation),
            }
        if tab_key == "report":
            return {
                "rows": checklist_rows(obj),
                "findings": obj.findings.select_related("requirement", "nonconformity").order_by("reference"),
                "report_form": ReportForm(
                    initial={"summary": obj.summary, "conclusion": obj.conclusion, "recipients": obj.report_recipients}
                ),
            }
        return {}


class AuditFormView(AuditMixin, RegisterFormView):
    form_class = AuditForm
    create_service = staticmethod(services.audit_create)
    update_service = staticmethod(services.audit_update)
    object_kwarg = "audit"

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            initial["lead_auditor"] = self.request.user.pk
            programme = self.request.GET.get("programme")
            if programme:
                initial["programme"] = programme
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)


class AuditDeleteView(AuditMixin, RegisterDeleteView):
    delete_service = staticmethod(services.audit_delete)
    object_kwarg = "audit"


class AuditActionView(AuditMixin, ObjectActionView):
    detail_view = AuditDetailView


class AuditStartView(AuditActionView):
    tab = "checklist"

    def perform(self, obj, form):
        return services.audit_start(actor=self.request.user, audit=obj)

    def success_message(self, obj, result):
        return _("%(reference)s started.") % {"reference": obj.reference}


class AuditIndependenceView(AuditActionView):
    tab = "overview"
    form_class = IndependenceForm
    form_key = "independence_form"

    def perform(self, obj, form):
        return services.audit_declare_independence(
            actor=self.request.user, audit=obj, statement=form.cleaned_data["statement"]
        )

    def success_message(self, obj, result):
        return _("Independence declaration recorded.")


class AuditReportView(AuditActionView):
    tab = "report"
    form_class = ReportForm
    form_key = "report_form"

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.audit_report(
            actor=self.request.user,
            audit=obj,
            summary=data["summary"],
            conclusion=data["conclusion"],
            recipients=data.get("recipients") or "",
        )

    def success_message(self, obj, result):
        return _("%(reference)s reported.") % {"reference": obj.reference}


class AuditCloseView(AuditActionView):
    tab = "report"

    def perform(self, obj, form):
        return services.audit_close(actor=self.request.user, audit=obj)

    def success_message(self, obj, result):
        return _("%(reference)s closed.") % {"reference": obj.reference}


class AuditFindingAddView(AuditActionView):
    """POST: a finding outside the checklist (auditors and officers)."""

    tab = "findings"
    form_key = "finding_form"
    permission_action = "view"

    def get_form(self, obj, data):
        return FindingForm(data, organisation=self.request.organisation)

    def post(self, request, *args, **kwargs):
        self.get_object()  # another organisation's audit is a 404 before any role question
        self.require("add", Finding)
        return super().post(request, *args, **kwargs)

    def perform(self, obj, form):
        return services.finding_create(actor=self.request.user, audit=obj, data=form.service_data())

    def success_message(self, obj, result):
        return _("%(reference)s recorded.") % {"reference": result.reference}


class AuditReportPdfView(AuditMixin, OrganisationViewMixin, View):
    """GET: the audit report as a PDF (those who may export)."""

    def get(self, request, *args, **kwargs):
        audit = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.require("export")
        content = audit_report_pdf(audit)
        return pdf_response(content, f"audit-report-{audit.reference.lower()}.pdf")
