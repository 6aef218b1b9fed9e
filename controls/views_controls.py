"""Control pages: the register, a control with what it satisfies, treats and proves, checks, and the links a
risk's page makes to controls (the tab itself lives in ``controls.tabs``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from aims.crud import (
    Column,
    OrganisationViewMixin,
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from aims.permissions import can
from aims.services import ServiceError
from controls import services
from controls.constants import ISO42001_KEY
from controls.filtersets_work import ControlPageFilterSet
from controls.forms_work import CheckForm, ControlForm, LinkControlForm
from controls.gap import OrganisationStatus
from controls.models import Control, Requirement
from controls.selectors import evidence_count
from controls.views import as_uuid
from registry.models import AISystem
from risk.models import Risk, TreatmentAction
from risk.views_base import ObjectActionView


def requirements_in_order():
    """Requirements with ISO/IEC 42001 first, then the other frameworks by name, each in catalogue order."""
    return Requirement.objects.select_related("framework").order_by(
        Case(When(framework__key=ISO42001_KEY, then=Value(0)), default=Value(1)),
        "framework__organisation",
        "framework__name",
        "sort_order",
    )


def _requirements_prefetch():
    return Prefetch("requirements", queryset=requirements_in_order())


class ControlMixin:
    model = Control
    url_base = "controls:control"

    def base_queryset(self):
        return Control.objects.select_related("owner")


class ControlListView(ControlMixin, RegisterListView):
    title = _("Controls")
    filterset_class = ControlPageFilterSet
    columns = [
        Column("reference", _("Ref"), sort="reference", template="controls/cells/control_ref.html"),
        Column("title", _("Control"), sort="title"),
        Column("control_type", _("Type"), sort="control_type"),
        Column(
            "implementation_status",
            _("Status"),
            sort="implementation_status",
            template="controls/cells/control_status.html",
        ),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("requirements", _("Satisfies"), template="controls/cells/control_requirements.html"),
        Column("evidence_count", _("Evidence"), sort="evidence_count"),
        Column("last_checked", _("Last check"), sort="last_checked", template="controls/cells/control_check.html"),
        Column("next_review", _("Next review"), sort="next_review", template="controls/cells/next_review.html"),
    ]
    export_fields = [
        ("Reference", "reference"),
        ("Title", "title"),
        ("Type", "control_type"),
        ("Status", "implementation_status"),
        ("Owner", "owner.username"),
        ("How it is done", "description"),
        ("Requirements", lambda c: ", ".join(f"{r.framework.key}:{r.identifier}" for r in c.requirements.all())),
        ("Evidence", "evidence_count"),
        ("Check frequency", "check_frequency"),
        ("Last checked", "last_checked"),
        ("Last check result", "last_check_result"),
        ("Next review", "next_review"),
    ]

    def base_queryset(self):
        return (
            super().base_queryset().annotate(evidence_count=evidence_count()).prefetch_related(_requirements_prefetch())
        )


class ControlDetailView(ControlMixin, RegisterDetailView):
    template_name = "controls/control_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "controls/tabs/control_overview.html"),
        Tab("requirements", _("Requirements"), "controls/tabs/control_requirements.html"),
        Tab("evidence", _("Evidence"), "controls/tabs/control_evidence.html"),
        Tab("risks", _("Risks and systems"), "controls/tabs/control_risks.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related(_requirements_prefetch())

    def tab_context(self, obj, tab_key):
        context = {"check_form": CheckForm()}
        if tab_key == "requirements":
            status = OrganisationStatus(self.request.organisation)
            context["requirement_rows"] = [
                {"requirement": requirement, "check": status.direct(requirement.pk)}
                for requirement in obj.requirements.all()
            ]
            context["coverage"] = _crosswalk_coverage(obj, status)
        elif tab_key == "evidence":
            context["evidence_list"] = obj.evidence.select_related("owner", "current_revision").order_by("reference")
        elif tab_key == "risks":
            context["control_risks"] = obj.risks.select_related("owner").order_by("reference")
            context["control_actions"] = obj.treatment_actions.select_related("risk", "owner").order_by("reference")
            context["control_systems"] = obj.ai_systems.order_by("reference")
        return context


def _crosswalk_coverage(control, status: OrganisationStatus) -> list[dict]:
    """Requirements in other frameworks this control reaches through the crosswalk, grouped by framework."""
    own = {r.pk for r in control.requirements.all()}
    reached = set()
    for pk in own:
        reached |= status.mapped.get(pk, set())
    reached -= own
    groups: dict = {}
    for requirement in (
        Requirement.objects.filter(pk__in=reached).select_related("framework").order_by("framework__name", "sort_order")
    ):
        groups.setdefault(requirement.framework_id, {"framework": requirement.framework, "requirements": []})[
            "requirements"
        ].append(requirement)
    return list(groups.values())


class ControlFormView(ControlMixin, RegisterFormView):
    form_class = ControlForm

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            initial = self._prefill()
        return self.form_class(data, files, instance=obj, organisation=self.request.organisation, initial=initial)

    def _prefill(self) -> dict:
        """``?treatment_action=`` (with its risk and systems), ``?risk=``, ``?system=``, ``?requirement=``."""
        org, user = self.request.organisation, self.request.user
        get = self.request.GET
        initial: dict = {}
        action_id = as_uuid(get.get("treatment_action"))
        if action_id:
            action = TreatmentAction.objects.visible_to(user, org).select_related("risk").filter(pk=action_id).first()
            if action is not None:
                initial.update(
                    treatment_actions=[action],
                    risks=[action.risk],
                    ai_systems=list(action.risk.ai_systems.all()),
                    title=action.title,
                    owner=action.owner_id,
                    implementation_status="planned",
                )
        risk_id = as_uuid(get.get("risk"))
        if risk_id and "risks" not in initial:
            risk = Risk.objects.visible_to(user, org).filter(pk=risk_id).first()
            if risk is not None:
                initial.update(risks=[risk], ai_systems=list(risk.ai_systems.all()))
        system_id = as_uuid(get.get("system"))
        if system_id and "ai_systems" not in initial:
            initial["ai_systems"] = list(AISystem.objects.visible_to(user, org).filter(pk=system_id))
        requirement_id = as_uuid(get.get("requirement"))
        if requirement_id:
            initial["requirements"] = list(Requirement.objects.visible_to(user, org).filter(pk=requirement_id))
        return initial

    def create(self, form):
        return services.control_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.control_update(actor=self.request.user, control=obj, data=form.service_data())


class ControlDeleteView(ControlMixin, RegisterDeleteView):
    def delete(self, obj):
        services.control_delete(actor=self.request.user, control=obj)


class ControlCheckView(ControlMixin, ObjectActionView):
    """Record a test or check of the control (POST)."""

    form_class = CheckForm
    tab = "overview"

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.control_record_check(
            actor=self.request.user,
            control=obj,
            checked_on=data["checked_on"],
            result=data["result"],
            note=data["note"],
        )

    def success_message(self, obj, result):
        return gettext("Check of %(reference)s recorded.") % {"reference": obj.reference}


class RiskLinkControlView(OrganisationViewMixin, View):
    """From a risk's Controls tab (POST): link an existing control to the risk, and optionally to one of its
    treatment actions. Changing a control's links needs the right to change that control."""

    model = Risk
    url_base = "risk:risk"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        risk = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        back = reverse("risk:risk-detail", args=[risk.pk]) + "?tab=controls"
        form = LinkControlForm(request.POST, organisation=request.organisation, risk=risk)
        if not form.is_valid():
            messages.error(
                request, gettext("Choose one of your controls (and, if you like, a treatment action of this risk).")
            )
            return redirect(back)
        control = form.cleaned_data["control"]
        if not can(request.user, "change", control, request.organisation):
            raise PermissionDenied
        try:
            with transaction.atomic():
                services.control_link_risk(
                    actor=request.user,
                    control=control,
                    risk=risk,
                    treatment_action=form.cleaned_data["treatment_action"],
                )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("%(control)s now treats %(risk)s.") % {"control": control.reference, "risk": risk.reference},
            )
        return redirect(back)


class ControlUnlinkRiskView(ControlMixin, ObjectActionView):
    """Remove a control's link to one risk (POST ``risk`` = the risk's id); back to the risk's page."""

    def perform(self, obj, form):
        risk = get_object_or_404(
            Risk.objects.visible_to(self.request.user, self.request.organisation),
            pk=as_uuid(self.request.POST.get("risk")),
        )
        self._risk = risk
        return services.control_unlink_risk(actor=self.request.user, control=obj, risk=risk)

    def success_url(self, obj, result):
        risk = getattr(self, "_risk", None)
        if risk is not None:
            return reverse("risk:risk-detail", args=[risk.pk]) + "?tab=controls"
        return super().success_url(obj, result)

    def success_message(self, obj, result):
        return gettext("%(reference)s unlinked.") % {"reference": obj.reference}
