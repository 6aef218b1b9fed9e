"""Pages of policy acknowledgements (clause 7.3): for each policy that must be acknowledged, who has and who has
not acknowledged its approved version; and the button a member presses to acknowledge. Thin: the selectors in
``governance.awareness`` compute who must acknowledge, services record it."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from aims.crud import OrganisationViewMixin, RegisterDeleteView, RegisterFormView, Tab
from aims.exports import EXPORT_FORMATS, export_response
from aims.services import ServiceError
from governance import services
from governance.awareness import acknowledgement_statuses, acknowledgements_waiting_for
from governance.forms import AcknowledgementRequirementForm
from governance.models import Acknowledgement, AcknowledgementRequirement
from risk.views_base import FormsDetailView

ACKNOWLEDGEMENT_EXPORT = [
    ("Policy", "policy.reference"),
    ("Version", "policy.version"),
    ("Title", "policy.title"),
    ("Member", "member.username"),
    ("Name", lambda a: a.member.get_full_name()),
    ("Acknowledged at", "acknowledged_at"),
]


class RequirementMixin:
    model = AcknowledgementRequirement
    url_base = "governance:ackrequirement"

    def base_queryset(self):
        return AcknowledgementRequirement.objects.prefetch_related("aims_roles")


class AcknowledgementListView(RequirementMixin, OrganisationViewMixin, TemplateView):
    """Every policy that must be acknowledged with its progress, and what waits for the current member."""

    template_name = "governance/acknowledgements.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            rows = (
                Acknowledgement.objects.visible_to(request.user, request.organisation)
                .select_related("policy", "member")
                .order_by("policy__reference", "-policy__version", "member__username")
            )
            return export_response(rows, ACKNOWLEDGEMENT_EXPORT, export, filename="acknowledgements")
        statuses = acknowledgement_statuses(
            user=request.user, organisation=request.organisation, requirements=self.scoped_queryset()
        )
        waiting = [s for s in statuses if any(line.member.pk == request.user.pk and not line.done for line in s.lines)]
        context = {
            **self.common_context(),
            "title": gettext("Policy acknowledgements"),
            "statuses": statuses,
            "waiting": waiting,
            "export_formats": EXPORT_FORMATS,
        }
        return render(request, self.template_name, context)


class AcknowledgementDetailView(RequirementMixin, FormsDetailView):
    template_name = "governance/ackrequirement_detail.html"
    tabs = [
        Tab("status", _("Who has acknowledged"), "governance/tabs/ack_status.html"),
        Tab("settings", _("Who must"), "governance/tabs/ack_settings.html"),
    ]

    def page_context(self, obj) -> dict:
        status = acknowledgement_statuses(
            user=self.request.user,
            organisation=self.request.organisation,
            requirements=AcknowledgementRequirement.objects.filter(pk=obj.pk),
        )[0]
        mine = next((line for line in status.lines if line.member.pk == self.request.user.pk), None)
        return {"status": status, "my_line": mine}


class AcknowledgementRequirementFormView(RequirementMixin, RegisterFormView):
    form_class = AcknowledgementRequirementForm
    create_service = staticmethod(services.acknowledgement_requirement_create)
    update_service = staticmethod(services.acknowledgement_requirement_update)
    object_kwarg = "requirement"

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None and data is None and self.request.GET.get("policy"):
            initial["policy_reference"] = self.request.GET["policy"]
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)


class AcknowledgementRequirementDeleteView(RequirementMixin, RegisterDeleteView):
    delete_service = staticmethod(services.acknowledgement_requirement_delete)
    object_kwarg = "requirement"


class AcknowledgeView(RequirementMixin, OrganisationViewMixin, View):
    """POST: the current member acknowledges the approved version of the requirement's policy."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        requirement = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        status = acknowledgement_statuses(
            user=request.user,
            organisation=request.organisation,
            requirements=AcknowledgementRequirement.objects.filter(pk=requirement.pk),
        )[0]
        if status.policy is None:
            messages.error(
                request,
                gettext("%(ref)s has no approved version to acknowledge.") % {"ref": requirement.policy_reference},
            )
        else:
            try:
                with transaction.atomic():
                    services.policy_acknowledge(actor=request.user, policy=status.policy)
            except ServiceError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    gettext("Thank you: your acknowledgement of %(policy)s is recorded.") % {"policy": status.policy},
                )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
            target = self.url("detail", requirement.pk)
        return redirect(target)


def waiting_panel(request):
    """Dashboard panel: the approved policies the member must still acknowledge (nothing when none)."""
    waiting = acknowledgements_waiting_for(user=request.user, organisation=request.organisation)
    if not waiting:
        return None
    return {
        "title": gettext("Policies to acknowledge"),
        "template": "governance/panels/waiting.html",
        "context": {"waiting": waiting},
    }
