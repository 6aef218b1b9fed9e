"""Pages of the communication plan (clause 7.4). Thin: forms parse, services decide."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from governance import services
from governance.filtersets import CommunicationFilterSet
from governance.forms import CommunicationDoneForm, CommunicationForm
from governance.models import Communication
from risk.views_base import FormsDetailView, ObjectActionView

COMMUNICATION_EXPORT = [
    ("Reference", "reference"),
    ("What is communicated", "topic"),
    ("Description", "description"),
    ("Audience", "audience_kind"),
    ("To whom", "audience"),
    ("Interested parties", lambda c: ", ".join(p.reference for p in c.interested_parties.all())),
    ("How often", "frequency"),
    ("When", "timing"),
    ("Channel", "channel"),
    ("By whom", "owner.username"),
    ("Last done", "last_done"),
    ("Next due", "next_due"),
]


class CommunicationMixin:
    model = Communication
    url_base = "governance:communication"

    def base_queryset(self):
        return Communication.objects.select_related("owner").prefetch_related("interested_parties")


class CommunicationListView(CommunicationMixin, RegisterListView):
    title = _("Communication plan")
    filterset_class = CommunicationFilterSet
    export_fields = COMMUNICATION_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("topic", _("What"), sort="topic", template="registry/cells/name.html"),
        Column("audience", _("To whom"), sort="audience", template="governance/cells/audience.html"),
        Column("frequency", _("How often"), sort="frequency", template="governance/cells/frequency.html"),
        Column("channel", _("Channel"), sort="channel", template="governance/cells/choice.html"),
        Column("owner", _("By whom"), sort="owner__username"),
        Column("last_done", _("Last done"), sort="last_done", template="governance/cells/date.html"),
        Column("next_due", _("Next due"), sort="next_due", template="governance/cells/next_due.html"),
    ]


class CommunicationDetailView(CommunicationMixin, FormsDetailView):
    template_name = "governance/communication_detail.html"
    tabs = [Tab("overview", _("Overview"), "governance/tabs/communication_overview.html")]

    def page_context(self, obj) -> dict:
        return {"done_form": CommunicationDoneForm()}


class CommunicationFormView(CommunicationMixin, RegisterFormView):
    form_class = CommunicationForm
    create_service = staticmethod(services.communication_create)
    update_service = staticmethod(services.communication_update)
    object_kwarg = "communication"


class CommunicationDeleteView(CommunicationMixin, RegisterDeleteView):
    delete_service = staticmethod(services.communication_delete)
    object_kwarg = "communication"


class CommunicationDoneView(CommunicationMixin, ObjectActionView):
    """POST: record that the communication went out; the next one is scheduled from its frequency."""

    form_class = CommunicationDoneForm
    form_key = "done_form"
    detail_view = CommunicationDetailView
    tab = "overview"

    def perform(self, obj, form):
        return services.communication_mark_done(
            actor=self.request.user,
            communication=obj,
            done_on=form.cleaned_data.get("done_on"),
            note=form.cleaned_data.get("note") or "",
        )

    def success_message(self, obj, result):
        return gettext("%(ref)s recorded as done on %(date)s.") % {
            "ref": obj.reference,
            "date": f"{result.last_done:%Y-%m-%d}",
        }
