"""Pages of the AI objectives (clause 6.2): the register with progress, an objective with its measure, plan and
history, and its approval, measurements and closure. Thin: forms parse, services decide."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from governance import services
from governance.constants import CLOSED_OBJECTIVE_STATUSES, ObjectiveStatus
from governance.filtersets import ObjectiveFilterSet
from governance.forms import ObjectiveCloseForm, ObjectiveForm, ObjectiveValueForm
from governance.models import Objective
from governance.services import objective_approval_problems
from risk.views_base import FormsDetailView, ObjectActionView

OBJECTIVE_EXPORT = [
    ("Reference", "reference"),
    ("Objective", "title"),
    ("Description", "description"),
    ("Annex C objective", "annex_c_objective"),
    ("Measure", "measure"),
    ("Unit", "unit"),
    ("Direction", "direction"),
    ("Baseline", "baseline"),
    ("Target", "target"),
    ("Work starts", "start"),
    ("Deadline", "deadline"),
    ("Latest value", "current_value"),
    ("Measured on", "measured_on"),
    ("Progress (%)", "progress"),
    ("Owner", "owner.username"),
    ("Resources", "resources"),
    ("Plan of actions", "plan"),
    ("How results are evaluated", "evaluation"),
    ("Status", "status"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
    ("Closing note", "closing_note"),
]


class ObjectiveMixin:
    model = Objective
    url_base = "governance:objective"

    def base_queryset(self):
        return Objective.objects.select_related("owner", "approved_by")


class ObjectiveListView(ObjectiveMixin, RegisterListView):
    title = _("AI objectives")
    filterset_class = ObjectiveFilterSet
    export_fields = OBJECTIVE_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("title", _("Objective"), sort="title", template="registry/cells/name.html"),
        Column("annex_c_objective", _("Annex C"), sort="annex_c_objective", template="governance/cells/annex_c.html"),
        Column("target", _("Target"), template="governance/cells/objective_target.html"),
        Column("progress", _("Progress"), template="governance/cells/objective_progress.html"),
        Column("deadline", _("Deadline"), sort="deadline", template="governance/cells/objective_deadline.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("status", _("Status"), sort="status", template="governance/cells/objective_status.html"),
    ]


class ObjectiveDetailView(ObjectiveMixin, FormsDetailView):
    template_name = "governance/objective_detail.html"

    def allowed(self, action, obj=None) -> bool:
        # Only a draft is deleted (an approved one is cancelled); a closed one is no longer edited.
        if obj is not None and action == "delete" and obj.status != ObjectiveStatus.DRAFT:
            return False
        if obj is not None and action == "change" and obj.status in CLOSED_OBJECTIVE_STATUSES:
            return False
        return super().allowed(action, obj)

    tabs = [
        Tab("overview", _("Measure and progress"), "governance/tabs/objective_overview.html"),
        Tab("plan", _("Plan"), "governance/tabs/objective_plan.html"),
    ]

    def page_context(self, obj) -> dict:
        return {
            "approval_problems": objective_approval_problems(obj),
            "value_form": ObjectiveValueForm(),
            "close_form": ObjectiveCloseForm(),
        }


class ObjectiveFormView(ObjectiveMixin, RegisterFormView):
    form_class = ObjectiveForm
    create_service = staticmethod(services.objective_create)
    update_service = staticmethod(services.objective_update)
    object_kwarg = "objective"


class ObjectiveDeleteView(ObjectiveMixin, RegisterDeleteView):
    delete_service = staticmethod(services.objective_delete)
    object_kwarg = "objective"


class ObjectiveApproveView(ObjectiveMixin, ObjectActionView):
    """POST: approve a draft objective (officers); refused while the measure or target is missing."""

    permission_action = "approve"

    def perform(self, obj, form):
        return services.objective_approve(actor=self.request.user, objective=obj)

    def success_message(self, obj, result):
        return gettext("%(ref)s approved.") % {"ref": obj.reference}


class ObjectiveValueView(ObjectiveMixin, ObjectActionView):
    """POST: record the latest measured value (the owner or an officer)."""

    form_class = ObjectiveValueForm
    form_key = "value_form"
    detail_view = ObjectiveDetailView
    tab = "overview"

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.objective_record_value(
            actor=self.request.user,
            objective=obj,
            value=data["value"],
            measured_on=data.get("measured_on"),
            note=data.get("note") or "",
        )

    def success_message(self, obj, result):
        return gettext("Value recorded for %(ref)s.") % {"ref": obj.reference}


class ObjectiveCloseView(ObjectiveMixin, ObjectActionView):
    """POST: close as achieved, not achieved or cancelled, with the evaluation (officers)."""

    permission_action = "approve"
    form_class = ObjectiveCloseForm
    form_key = "close_form"
    detail_view = ObjectiveDetailView
    tab = "overview"

    def perform(self, obj, form):
        return services.objective_close(
            actor=self.request.user, objective=obj, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )

    def success_message(self, obj, result):
        return gettext("%(ref)s closed: %(outcome)s.") % {
            "ref": obj.reference,
            "outcome": result.get_status_display().lower(),
        }
