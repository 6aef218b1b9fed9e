"""AI system impact assessment pages (ISO/IEC 42001 clause 6.1.4, 8.4; Annex A.5): versions per system, impact
areas, approval, and raising a risk from a significant impact in one click."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.permissions import can
from registry.models import AISystem
from risk import services
from risk.constants import ImpactStatus
from risk.filtersets import ImpactAssessmentFilterSet
from risk.forms import ApproveImpactForm, ImpactAreaForm, ImpactAssessmentForm
from risk.models import ImpactArea, ImpactAssessment, Risk
from risk.views_base import FormsDetailView, ObjectActionView

IMPACT_EXPORT = [
    ("Reference", "reference"),
    ("AI system", "ai_system.reference"),
    ("Version", "version"),
    ("Status", "status"),
    ("Assessor", "owner.username"),
    ("Use and misuse considered", "use_considered"),
    ("Individuals affected", "affected_individuals"),
    ("Groups affected", "affected_groups"),
    ("Effects on society", "affected_society"),
    ("Also a DPIA", "is_dpia"),
    ("DPIA reference", "dpia_reference"),
    ("Includes a FRIA", "is_fria"),
    ("Impact areas", lambda a: "; ".join(f"{x.get_area_display()}: {x.get_severity_display()}" for x in a.areas.all())),
    ("Conclusion", "conclusion"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
    ("Next review", "next_review"),
]


class ImpactMixin:
    model = ImpactAssessment
    url_base = "risk:impact"

    def base_queryset(self):
        return ImpactAssessment.objects.select_related("ai_system", "owner", "approved_by")


class ImpactListView(ImpactMixin, RegisterListView):
    title = _("AI system impact assessments")
    filterset_class = ImpactAssessmentFilterSet
    export_fields = IMPACT_EXPORT
    default_ordering = "ai_system__reference"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="risk/cells/reference.html"),
        Column("ai_system", _("AI system"), sort="ai_system__reference", template="risk/cells/impact_system.html"),
        Column("version", _("Version"), sort="version"),
        Column("owner", _("Assessor"), sort="owner__username"),
        Column("areas", _("Impact areas"), template="risk/cells/impact_areas.html"),
        Column("status", _("Status"), sort="status", template="risk/cells/impact_status.html"),
        Column("next_review", _("Next review"), sort="next_review", template="risk/cells/next_review.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("areas")


class ImpactDetailView(ImpactMixin, FormsDetailView):
    template_name = "risk/impact_detail.html"
    tabs = [
        Tab("overview", _("Assessment"), "risk/tabs/impact_overview.html"),
        Tab("areas", _("Impact areas"), "risk/tabs/impact_areas.html"),
    ]

    def page_context(self, obj):
        current = services.impact_assessment_current(obj.ai_system)
        return {
            "due_reason": services.impact_assessment_due_reason(obj.ai_system, current)
            if obj.status == ImpactStatus.APPROVED
            else "",
            "is_draft": obj.status == ImpactStatus.DRAFT,
            "approve_form": ApproveImpactForm(),
            "has_newer": ImpactAssessment.objects.filter(ai_system=obj.ai_system, version__gt=obj.version).exists(),
        }

    def tab_context(self, obj, tab_key):
        if tab_key in ("areas", "overview"):
            return {
                "areas": obj.areas.select_related("raised_risk"),
                "area_form": ImpactAreaForm(organisation=self.request.organisation, prefix="area"),
            }
        return {}


class ImpactFormView(ImpactMixin, RegisterFormView):
    """A new version for a system (``?system=<id>``) copies the latest one; edits apply to drafts only."""

    form_class = ImpactAssessmentForm

    def system(self) -> AISystem:
        """The system of a new version, from ``?system=<id>``: 404 unless it is one of the organisation's."""
        try:
            system_id = uuid.UUID(self.request.GET.get("system") or "")
        except ValueError:
            raise Http404 from None
        systems = AISystem.objects.visible_to(self.request.user, self.request.organisation)
        return get_object_or_404(systems, pk=system_id)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        if obj is None and not request.GET.get("system"):
            return self.choose_system()
        if obj is not None and obj.status != ImpactStatus.DRAFT:
            messages.info(request, gettext("An approved impact assessment is not edited: start a new version."))
            return redirect(self.url("detail", obj.pk))
        if obj is None:
            system = self.system()
            draft = self.scoped_queryset().filter(ai_system=system, status=ImpactStatus.DRAFT).first()
            if draft is not None:
                messages.info(
                    request,
                    gettext("%(reference)s is already a draft for %(system)s.")
                    % {"reference": draft.reference, "system": system.reference},
                )
                return redirect(self.url("update", draft.pk))
        return self.render_form(self.get_form(obj), obj)

    def choose_system(self):
        """Which system? Each is listed with its impact assessment in force, a draft, and whether one is due."""
        systems = list(AISystem.objects.visible_to(self.request.user, self.request.organisation).order_by("reference"))
        versions = self.scoped_queryset().filter(ai_system__in=systems).order_by("ai_system_id", "-version")
        current, drafts = {}, {}
        for version in versions:
            if version.status == ImpactStatus.APPROVED:
                current.setdefault(version.ai_system_id, version)
            elif version.status == ImpactStatus.DRAFT:
                drafts[version.ai_system_id] = version
        rows = [
            {
                "system": system,
                "current": current.get(system.pk),
                "draft": drafts.get(system.pk),
                "due": services.impact_assessment_due_reason(system, current.get(system.pk)),
            }
            for system in systems
        ]
        return render(self.request, "risk/impact_choose.html", {**self.common_context(), "rows": rows})

    def render_form(self, form, obj, version=None):
        system = obj.ai_system if obj else self.system()
        context = {**self.common_context(), "form": form, "object": obj, "system": system}
        context.update(self.version_context(obj, version))
        return render(self.request, "risk/impact_form.html", context)

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            latest = self.scoped_queryset().filter(ai_system=self.system()).order_by("-version").first()
            if latest:
                initial = {name: getattr(latest, name) for name in services.impact.COPIED_FIELDS}
                initial["owner"] = latest.owner_id
            else:
                system = self.system()
                initial = {
                    "owner": self.request.user.pk,
                    "use_considered": system.intended_purpose,
                    "affected_individuals": system.affected_persons,
                }
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)

    def create(self, form):
        system = self.system()
        self.require("view", system)
        return services.impact_assessment_create(actor=self.request.user, system=system, data=form.service_data())

    def update(self, obj, form):
        return services.impact_assessment_update(actor=self.request.user, assessment=obj, data=form.service_data())


class ImpactDeleteView(ImpactMixin, RegisterDeleteView):
    def delete(self, obj):
        services.impact_assessment_delete(actor=self.request.user, assessment=obj)


class ImpactApproveView(ImpactMixin, ObjectActionView):
    permission_action = "approve"
    form_class = ApproveImpactForm
    detail_view = ImpactDetailView
    form_key = "approve_form"

    def perform(self, obj, form):
        return services.impact_assessment_approve(
            actor=self.request.user, assessment=obj, clear_reassessment=form.cleaned_data["clear_reassessment"]
        )

    def invalid(self, obj, form):
        # A refusal names fields of the assessment (conclusion, FRIA texts): show them as one message.
        errors = [f"{e}" for errs in form.errors.values() for e in errs]
        messages.error(self.request, " ".join(errors))
        return redirect(self.url("detail", obj.pk))

    def success_message(self, obj, result):
        return gettext("%(reference)s approved: it is now the impact assessment of %(system)s.") % {
            "reference": result.reference,
            "system": result.ai_system.reference,
        }


class ImpactNewVersionView(ImpactMixin, ObjectActionView):
    """Start the next version of the system's impact assessment from this one."""

    permission_action = "view"

    def perform(self, obj, form):
        self.require("add")
        return services.impact_assessment_create(actor=self.request.user, system=obj.ai_system)

    def success_url(self, obj, result):
        return self.url("update", result.pk) if result else self.url("detail", obj.pk)

    def success_message(self, obj, result):
        return gettext("%(reference)s started from %(previous)s.") % {
            "reference": result.reference,
            "previous": obj.reference,
        }


class ImpactAreaAddView(ImpactMixin, ObjectActionView):
    form_key = "area_form"
    detail_view = ImpactDetailView
    tab = "areas"

    def get_form(self, obj, data):
        return ImpactAreaForm(data, organisation=self.request.organisation, prefix="area")

    def perform(self, obj, form):
        return services.impact_area_add(actor=self.request.user, assessment=obj, data=form.service_data())

    def success_message(self, obj, result):
        return gettext("%(area)s impact added.") % {"area": result.get_area_display()}


# --- Impact areas (edited on their own page; raise a risk from the assessment page) ---------------------


class ImpactAreaMixin:
    model = ImpactArea
    url_base = "risk:impactarea"

    def base_queryset(self):
        return ImpactArea.objects.select_related("impact_assessment__ai_system", "raised_risk")


class ImpactAreaEditView(ImpactAreaMixin, RegisterFormView):
    form_class = ImpactAreaForm
    template_name = "risk/impactarea_form.html"

    def render_form(self, form, obj, version=None):
        context = {**self.common_context(), "form": form, "object": obj, "assessment": obj.impact_assessment}
        context.update(self.version_context(obj, version))
        return render(self.request, self.template_name, context)

    def update(self, obj, form):
        return services.impact_area_update(actor=self.request.user, area=obj, data=form.service_data())

    def success_url(self, obj) -> str:
        return reverse("risk:impact-detail", args=[obj.impact_assessment_id]) + "?tab=areas"


class ImpactAreaDeleteView(ImpactAreaMixin, ObjectActionView):
    permission_action = "change"

    def perform(self, obj, form):
        services.impact_area_delete(actor=self.request.user, area=obj)

    def success_url(self, obj, result):
        return reverse("risk:impact-detail", args=[obj.impact_assessment_id]) + "?tab=areas"

    def success_message(self, obj, result):
        return gettext("Impact area removed.")


class ImpactRaiseRiskView(ImpactAreaMixin, ObjectActionView):
    """One click: the impact becomes a risk in the register, linked both ways. Needs the right to add risks."""

    permission_action = "view"

    def perform(self, obj, form):
        if not can(self.request.user, "add", Risk, self.request.organisation):
            raise PermissionDenied
        return services.impact_raise_risk(actor=self.request.user, area=obj)

    def success_url(self, obj, result):
        if result is None:
            return reverse("risk:impact-detail", args=[obj.impact_assessment_id]) + "?tab=areas"
        return reverse("risk:risk-detail", args=[result.pk])

    def success_message(self, obj, result):
        return gettext("%(reference)s raised in the risk register from this impact.") % {"reference": result.reference}
