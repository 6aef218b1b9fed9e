"""Pages of nonconformities and corrective actions (clause 10.2): the registers, a nonconformity with its root
cause, actions and closure, an action with its verification. Thin: forms parse, services decide."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from audits import services
from audits.filtersets import CorrectiveActionFilterSet, NonconformityFilterSet
from audits.forms import (
    CorrectiveActionForm,
    NonconformityForm,
    NoteForm,
    QuickCorrectiveActionForm,
    ReasonForm,
    VerifyForm,
)
from audits.models import CorrectiveAction, Nonconformity
from audits.views_base import FormsDetailView, ObjectActionView, OrganisationTimeMixin

NC_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Source", "source"),
    ("Audit finding", "finding.reference"),
    ("Requirement", lambda nc: nc.requirement.identifier if nc.requirement else ""),
    ("Grade", "grade"),
    ("Detected on", "detected_on"),
    ("Detected by", "detected_by.username"),
    ("Owner", "owner.username"),
    ("Description", "description"),
    ("Immediate correction", "immediate_correction"),
    ("Root-cause method", "root_cause_method"),
    ("5 whys", lambda nc: " / ".join(nc.whys)),
    ("Root cause", "root_cause"),
    ("Risk register updated", "risk_register_changed"),
    ("Controls changed", "controls_changed"),
    ("Changes made", "changes_note"),
    ("Status", "status"),
    ("Closed at", "closed_at"),
    ("Days to close", "days_to_close"),
]
ACTION_EXPORT = [
    ("Reference", "reference"),
    ("Nonconformity", "nonconformity.reference"),
    ("Title", "title"),
    ("Description", "description"),
    ("Owner", "owner.username"),
    ("Due date", "due_date"),
    ("Status", "status"),
    ("Completed at", "completed_at"),
    ("What was done", "completion_note"),
    ("Effectiveness", "effectiveness"),
    ("Verified by", "verified_by.username"),
    ("Verified at", "verified_at"),
    ("How it was checked", "verification_note"),
]


# --- Nonconformities ----------------------------------------------------------------------------------------


class NonconformityMixin(OrganisationTimeMixin):
    model = Nonconformity
    url_base = "audits:nonconformity"

    def base_queryset(self):
        return Nonconformity.objects.select_related(
            "owner", "detected_by", "closed_by", "finding__audit", "requirement__framework", "risk"
        )


class NonconformityListView(NonconformityMixin, RegisterListView):
    title = gettext_lazy("Nonconformities")
    filterset_class = NonconformityFilterSet
    export_fields = NC_EXPORT
    default_ordering = "-detected_on"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Nonconformity"), sort="title", template="audits/cells/title.html"),
        Column("grade", gettext_lazy("Grade"), sort="grade", template="audits/cells/grade.html"),
        Column("source", gettext_lazy("Source"), sort="source", template="audits/cells/nc_source.html"),
        Column("detected_on", gettext_lazy("Detected"), sort="detected_on"),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]


class NonconformityDetailView(NonconformityMixin, FormsDetailView):
    template_name = "audits/nonconformity_detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Nonconformity"), "audits/tabs/nc_overview.html"),
        Tab("actions", gettext_lazy("Corrective actions"), "audits/tabs/nc_actions.html"),
    ]

    def page_context(self, obj) -> dict:
        return {
            "can_change": self.allowed("change", obj) and obj.is_open,
            "can_delete": self.allowed("delete", obj) and obj.is_open and not obj.finding_id,
            "closure_problems": services.closure_problems(obj) if obj.is_open else [],
            "close_form": NoteForm(prefix="close"),
            "reopen_form": ReasonForm(prefix="reopen"),
            "incidents": list(obj.incidents.order_by("reference")),
        }

    def tab_context(self, obj, tab_key):
        if tab_key == "actions":
            return {
                "actions": obj.actions.select_related("owner", "verified_by")
                .prefetch_related("verification_evidence")
                .order_by("due_date", "reference"),
                "action_form": QuickCorrectiveActionForm(
                    organisation=self.request.organisation, initial={"owner": obj.owner_id}
                ),
            }
        return {}


class NonconformityFormView(NonconformityMixin, RegisterFormView):
    form_class = NonconformityForm
    create_service = staticmethod(services.nonconformity_create)
    update_service = staticmethod(services.nonconformity_update)
    object_kwarg = "nonconformity"

    def get_form(self, obj, data=None, files=None):
        initial = {} if obj else {"detected_by": self.request.user.pk, "owner": self.request.user.pk}
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)


class NonconformityDeleteView(NonconformityMixin, RegisterDeleteView):
    delete_service = staticmethod(services.nonconformity_delete)
    object_kwarg = "nonconformity"


class NonconformityActionView(NonconformityMixin, ObjectActionView):
    detail_view = NonconformityDetailView


class NonconformityAddActionView(NonconformityActionView):
    """POST: plan a corrective action (who may change the nonconformity)."""

    tab = "actions"
    form_key = "action_form"

    def get_form(self, obj, data):
        return QuickCorrectiveActionForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        return services.corrective_action_add(actor=self.request.user, nonconformity=obj, data=form.service_data())

    def success_message(self, obj, result):
        return _("%(reference)s planned.") % {"reference": result.reference}


class NonconformityCloseView(NonconformityActionView):
    """POST: close once a corrective action is verified effective (officers)."""

    permission_action = "approve"
    tab = "overview"
    form_key = "close_form"
    detail_view = None  # a refusal is told as a message above the closure checklist

    def get_form(self, obj, data):
        return NoteForm(data, prefix="close")

    def perform(self, obj, form):
        return services.nonconformity_close(actor=self.request.user, nonconformity=obj, note=form.cleaned_data["note"])

    def success_message(self, obj, result):
        return _("%(reference)s closed.") % {"reference": obj.reference}


class NonconformityReopenView(NonconformityActionView):
    permission_action = "approve"
    tab = "overview"
    form_key = "reopen_form"

    def get_form(self, obj, data):
        return ReasonForm(data, prefix="reopen")

    def perform(self, obj, form):
        return services.nonconformity_reopen(
            actor=self.request.user, nonconformity=obj, reason=form.cleaned_data["reason"]
        )

    def success_message(self, obj, result):
        return _("%(reference)s reopened.") % {"reference": obj.reference}


# --- Corrective actions -------------------------------------------------------------------------------------


class CorrectiveActionMixin(OrganisationTimeMixin):
    model = CorrectiveAction
    url_base = "audits:correctiveaction"

    def base_queryset(self):
        return CorrectiveAction.objects.select_related("owner", "nonconformity__owner", "verified_by")


class CorrectiveActionListView(CorrectiveActionMixin, RegisterListView):
    title = gettext_lazy("Corrective actions")
    filterset_class = CorrectiveActionFilterSet
    export_fields = ACTION_EXPORT
    default_ordering = "due_date"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Action"), sort="title", template="audits/cells/title.html"),
        Column(
            "nonconformity",
            gettext_lazy("Nonconformity"),
            sort="nonconformity__reference",
            template="audits/cells/action_nc.html",
        ),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
        Column("due_date", gettext_lazy("Due"), sort="due_date", template="audits/cells/due_date.html"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
        Column(
            "effectiveness",
            gettext_lazy("Effectiveness"),
            sort="effectiveness",
            template="audits/cells/effectiveness.html",
        ),
    ]

    def common_context(self) -> dict:
        # Actions are planned from their nonconformity's page.
        return {**super().common_context(), "can_add": False}


class CorrectiveActionDetailView(CorrectiveActionMixin, FormsDetailView):
    template_name = "audits/correctiveaction_detail.html"
    tabs = [Tab("overview", gettext_lazy("Action and verification"), "audits/tabs/action_overview.html")]

    def page_context(self, obj) -> dict:
        organisation = self.request.organisation
        still_open = obj.nonconformity.is_open
        return {
            "can_change": self.allowed("change", obj) and still_open,
            "can_delete": self.allowed("delete", obj) and still_open,
            "complete_form": NoteForm(prefix="complete"),
            "verify_form": VerifyForm(organisation=organisation, prefix="verify"),
            "can_verify": self.allowed("approve", obj),
            "verification_evidence": list(obj.verification_evidence.order_by("reference")),
        }


class CorrectiveActionFormView(CorrectiveActionMixin, RegisterFormView):
    """Edit an action; new ones are planned from their nonconformity's page."""

    form_class = CorrectiveActionForm
    update_service = staticmethod(services.corrective_action_update)
    object_kwarg = "action"

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            from django.shortcuts import redirect

            return redirect("audits:nonconformity-list")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            from django.http import Http404

            raise Http404
        return super().post(request, *args, **kwargs)


class CorrectiveActionDeleteView(CorrectiveActionMixin, RegisterDeleteView):
    delete_service = staticmethod(services.corrective_action_delete)
    object_kwarg = "action"

    def post(self, request, *args, **kwargs):
        from django.urls import reverse

        obj = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302 and response.url == self.url("list"):
            response["Location"] = reverse("audits:nonconformity-detail", args=[obj.nonconformity_id]) + "?tab=actions"
        return response


class CorrectiveActionActionView(CorrectiveActionMixin, ObjectActionView):
    detail_view = CorrectiveActionDetailView

    def success_url(self, obj, result):
        if self.request.POST.get("next") == "nonconformity":
            from django.urls import reverse

            return reverse("audits:nonconformity-detail", args=[obj.nonconformity_id]) + "?tab=actions"
        return self.url("detail", obj.pk)


class CorrectiveActionCompleteView(CorrectiveActionActionView):
    form_key = "complete_form"

    def get_form(self, obj, data):
        return NoteForm(data, prefix="complete")

    def perform(self, obj, form):
        return services.corrective_action_complete(actor=self.request.user, action=obj, note=form.cleaned_data["note"])

    def success_message(self, obj, result):
        return _("%(reference)s done.") % {"reference": obj.reference}


class CorrectiveActionVerifyView(CorrectiveActionActionView):
    """POST: record the verification of effectiveness (officers)."""

    permission_action = "approve"
    form_key = "verify_form"

    def get_form(self, obj, data):
        return VerifyForm(data, organisation=self.request.organisation, prefix="verify")

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.corrective_action_verify(
            actor=self.request.user,
            action=obj,
            effective=data["effectiveness"] == "effective",
            note=data["note"],
            evidence=list(data["evidence"]),
        )

    def success_message(self, obj, result):
        return f"{obj.reference}: {result.get_effectiveness_display().lower()}."
