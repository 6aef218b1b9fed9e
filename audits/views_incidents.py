"""Pages of AI incidents (Annex A.8.4): the list (open incidents first, by severity and reporting deadline), an
incident with its Art. 73 clock, escalations, the report to the authority and its nonconformity. Times are shown
and entered in the organisation's time zone. Thin: forms parse, services decide."""

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from audits import services
from audits.deadlines import clock_for
from audits.filtersets import IncidentFilterSet
from audits.forms_more import AuthorityReportForm, EscalationForm, IncidentCloseForm, IncidentForm
from audits.models import Incident, Nonconformity
from audits.views_base import FormsDetailView, ObjectActionView, OrganisationTimeMixin

INCIDENT_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("AI systems", lambda i: ", ".join(s.reference for s in i.ai_systems.all())),
    ("Detected at", "detected_at"),
    ("Reported by", "reported_by.username"),
    ("Owner", "owner.username"),
    ("Severity", "severity"),
    ("Harm", "harm_types"),
    ("Persons affected", "affected_persons"),
    ("Number affected", "affected_count"),
    ("Description", "description"),
    ("Containment", "containment"),
    ("Status", "status"),
    ("Serious incident", "serious"),
    ("Reporting limit", "serious_category"),
    ("Became aware at", "aware_at"),
    ("Reporting deadline", "reporting_deadline"),
    ("Reported to the authority at", "reported_to_authority_at"),
    ("Authority", "authority"),
    ("Authority's reference", "authority_reference"),
    ("Root cause", "root_cause"),
    ("Lessons learned", "lessons_learned"),
    ("Nonconformity", "nonconformity.reference"),
]


class IncidentMixin(OrganisationTimeMixin):
    model = Incident
    url_base = "audits:incident"

    def base_queryset(self):
        return Incident.objects.select_related("owner", "reported_by", "nonconformity").prefetch_related("ai_systems")


class IncidentListView(IncidentMixin, RegisterListView):
    title = gettext_lazy("AI incidents")
    filterset_class = IncidentFilterSet
    export_fields = INCIDENT_EXPORT
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Incident"), sort="title", template="audits/cells/incident_title.html"),
        Column("ai_systems", gettext_lazy("AI systems"), template="audits/cells/systems.html"),
        Column("severity", gettext_lazy("Severity"), sort="severity_rank", template="audits/cells/severity.html"),
        Column("detected_at", gettext_lazy("Detected"), sort="detected_at", template="audits/cells/detected.html"),
        Column(
            "deadline",
            gettext_lazy("Report to authority by"),
            sort="reporting_deadline",
            template="audits/cells/deadline.html",
        ),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().open_first()

    def ordering(self) -> list:
        if self.request.GET.get("sort"):
            return super().ordering()
        # Open first, the most severe first, then the nearest deadline (none last), newest.
        return ["open_rank", "-severity_rank", F("reporting_deadline").asc(nulls_last=True), "-detected_at", "pk"]


class IncidentDetailView(IncidentMixin, FormsDetailView):
    template_name = "audits/incident_detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Incident"), "audits/tabs/incident_overview.html"),
        Tab("reporting", gettext_lazy("Escalation and reporting"), "audits/tabs/incident_reporting.html"),
    ]

    def page_context(self, obj) -> dict:
        organisation = self.request.organisation
        return {
            "clock": clock_for(obj, organisation),
            "high_risk": services.has_high_risk_system(obj),
            "can_raise_nc": obj.nonconformity_id is None and self.allowed("add", Nonconformity),
            "close_form": IncidentCloseForm(initial={"lessons_learned": obj.lessons_learned}),
        }

    def tab_context(self, obj, tab_key):
        if tab_key == "reporting":
            return {
                "escalations": obj.escalations.select_related("recorded_by").order_by("notified_at"),
                "escalation_form": EscalationForm(),
                "authority_form": AuthorityReportForm(),
            }
        return {}


class IncidentFormView(IncidentMixin, RegisterFormView):
    form_class = IncidentForm
    create_service = staticmethod(services.incident_create)
    update_service = staticmethod(services.incident_update)
    object_kwarg = "incident"

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            initial = {"reported_by": self.request.user.pk}
            system = self.request.GET.get("system")
            if system:
                initial["ai_systems"] = [system]
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)


class IncidentDeleteView(IncidentMixin, RegisterDeleteView):
    delete_service = staticmethod(services.incident_delete)
    object_kwarg = "incident"


class IncidentActionView(IncidentMixin, ObjectActionView):
    detail_view = IncidentDetailView


class IncidentEscalateView(IncidentActionView):
    tab = "reporting"
    form_class = EscalationForm
    form_key = "escalation_form"

    def perform(self, obj, form):
        return services.incident_add_escalation(actor=self.request.user, incident=obj, data=form.cleaned_data)

    def success_message(self, obj, result):
        return _("Escalation to %(notified)s recorded.") % {"notified": result.notified}


class IncidentReportAuthorityView(IncidentActionView):
    """POST: record the report to the authority (officers)."""

    permission_action = "approve"
    tab = "reporting"
    form_class = AuthorityReportForm
    form_key = "authority_form"

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.incident_report_to_authority(
            actor=self.request.user,
            incident=obj,
            reported_at=data["reported_to_authority_at"],
            authority=data["authority"],
            authority_reference=data["authority_reference"],
        )

    def success_message(self, obj, result):
        return _("Report to %(authority)s recorded.") % {"authority": result.authority}


class IncidentRaiseNCView(IncidentActionView):
    """POST: open a nonconformity for the incident."""

    permission_action = "view"

    def post(self, request, *args, **kwargs):
        self.get_object()  # another organisation's incident is a 404 before any role question
        self.require("add", Nonconformity)
        return super().post(request, *args, **kwargs)

    def perform(self, obj, form):
        return services.incident_raise_nonconformity(actor=self.request.user, incident=obj)

    def success_message(self, obj, result):
        return _("%(reference)s raised.") % {"reference": result.reference}

    def success_url(self, obj, result):
        from django.urls import reverse

        if result is not None:
            return reverse("audits:nonconformity-detail", args=[result.pk])
        return self.url("detail", obj.pk)


class IncidentCloseView(IncidentActionView):
    tab = "overview"
    form_class = IncidentCloseForm
    form_key = "close_form"

    def perform(self, obj, form):
        return services.incident_close(
            actor=self.request.user, incident=obj, lessons_learned=form.cleaned_data["lessons_learned"]
        )

    def success_message(self, obj, result):
        return _("%(reference)s closed.") % {"reference": obj.reference}
