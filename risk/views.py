"""Risk register pages: the list, a risk with its scoring, treatment plan, acceptance and history, and the
treatment actions. Thin: forms parse, services decide."""

import uuid

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from risk import services
from risk.constants import RiskStatus
from risk.filtersets import RiskFilterSet, TreatmentActionFilterSet
from risk.forms import (
    AcceptForm,
    CompleteActionForm,
    QuickActionForm,
    ReasonForm,
    RiskForm,
    ScoreForm,
    TreatmentActionForm,
    TreatmentForm,
)
from risk.models import Risk, TreatmentAction
from risk.selectors import criteria_for_display, risk_list_queryset
from risk.views_base import FormsDetailView, ObjectActionView

RISK_EXPORT = [
    ("Reference", "reference"),
    ("Type", "risk_type"),
    ("Title", "title"),
    ("Cause", "cause"),
    ("Event", "event"),
    ("Consequence", "consequence"),
    ("AI systems", "ai_systems.reference"),
    ("Lifecycle stage", "lifecycle_stage"),
    ("Category", "category"),
    ("Risk source (Annex C)", "risk_source"),
    ("Objectives (Annex C)", "objectives"),
    ("Owner", "owner.username"),
    ("Criteria version", "criteria.version"),
    ("Inherent likelihood", "inherent_likelihood"),
    ("Inherent impact", "inherent_impact"),
    ("Inherent level", "inherent_level"),
    ("Existing controls", "existing_controls"),
    ("Treatment option", "treatment_option"),
    ("Treatment rationale", "treatment_plan"),
    ("Residual likelihood", "residual_likelihood"),
    ("Residual impact", "residual_impact"),
    ("Residual level", "residual_level"),
    ("Status", "status"),
    ("Accepted by", "accepted_by.username"),
    ("Accepted at", "accepted_at"),
    ("Accepted level", "accepted_level"),
    ("Acceptance comment", "acceptance_comment"),
    ("Approved above appetite by", "acceptance_approver.username"),
    ("Next review", "next_review"),
]

ACTION_EXPORT = [
    ("Reference", "reference"),
    ("Risk", "risk.reference"),
    ("Title", "title"),
    ("Description", "description"),
    ("Owner", "owner.username"),
    ("Due date", "due_date"),
    ("Status", "status"),
    ("Completed at", "completed_at"),
    ("Completion note", "completion_note"),
    ("Controls it implements", "controls_note"),
]


class HiddenFiltersMixin:
    """Filters the page does not show in its filter bar (heat-map cell links) stay active as hidden inputs."""

    def filtered(self):
        filterset, rows = super().filtered()
        form = filterset.form
        for name in getattr(self.filterset_class, "HIDDEN_ON_PAGE", ()):
            if name in form.fields:
                form.fields[name].widget = forms.HiddenInput()
        return filterset, rows


# --- Risks ----------------------------------------------------------------------------------------------


class RiskMixin:
    model = Risk
    url_base = "risk:risk"

    def base_queryset(self):
        return risk_list_queryset().select_related("accepted_by", "acceptance_approver")


class RiskListView(HiddenFiltersMixin, RiskMixin, RegisterListView):
    title = _("Risk register")
    template_name = "risk/risk_list.html"
    filterset_class = RiskFilterSet
    export_fields = RISK_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="risk/cells/reference.html"),
        Column("title", _("Risk"), sort="title", template="risk/cells/title.html"),
        Column("ai_systems", _("AI systems"), template="risk/cells/systems.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("inherent_level", _("Inherent"), sort="inherent_rank", template="risk/cells/inherent.html"),
        Column("residual_level", _("Residual"), sort="residual_rank", template="risk/cells/residual.html"),
        Column("status", _("Status"), sort="status", template="risk/cells/status.html"),
        Column("next_review", _("Next review"), sort="next_review", template="risk/cells/next_review.html"),
    ]

    def extra_context_data(self) -> dict:
        params = self.request.GET
        cell = None
        for kind in ("inherent", "residual", ""):
            prefix = f"{kind}_" if kind else ""
            lk, im = params.get(f"{prefix}likelihood"), params.get(f"{prefix}impact")
            if lk or im:
                cell = {"kind": kind or "current", "likelihood": lk or gettext("any"), "impact": im or gettext("any")}
                break
        return {"heat_cell": cell}


class RiskDetailView(RiskMixin, FormsDetailView):
    template_name = "risk/risk_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "risk/tabs/risk_overview.html"),
        Tab("scoring", _("Scoring"), "risk/tabs/risk_scoring.html"),
        Tab("treatment", _("Treatment plan"), "risk/tabs/risk_treatment.html"),
        Tab("acceptance", _("Acceptance"), "risk/tabs/risk_acceptance.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("raised_from_areas__impact_assessment", "assessments")

    def page_context(self, obj) -> dict:
        organisation = self.request.organisation
        current = services.criteria_current(organisation)
        criteria = obj.criteria or current or criteria_for_display(organisation)
        return {
            "criteria": criteria,
            "current_criteria": current,
            "criteria_outdated": bool(current and obj.criteria_id and obj.criteria_id != current.pk),
            "can_accept": obj.status != RiskStatus.CLOSED and services.can_accept(self.request.user, obj),
            "above_appetite": bool(obj.current_level and criteria and not _within(obj.current_level, criteria)),
        }

    def tab_context(self, obj, tab_key):
        criteria = obj.criteria or criteria_for_display(self.request.organisation)
        organisation = self.request.organisation
        if tab_key == "scoring":
            return {
                "inherent_form": ScoreForm(
                    criteria=criteria,
                    kind="inherent",
                    initial={"likelihood": obj.inherent_likelihood, "impact": obj.inherent_impact},
                ),
                "residual_form": ScoreForm(
                    criteria=criteria,
                    kind="residual",
                    initial={"likelihood": obj.residual_likelihood, "impact": obj.residual_impact},
                ),
                "matrix_rows": matrix_rows(criteria, obj),
            }
        if tab_key == "treatment":
            return {
                "actions": obj.actions.select_related("owner").order_by("due_date", "reference"),
                "treatment_form": TreatmentForm(
                    initial={"treatment_option": obj.treatment_option, "treatment_plan": obj.treatment_plan}
                ),
                "action_form": QuickActionForm(organisation=organisation, initial={"owner": obj.owner_id}),
            }
        if tab_key == "acceptance":
            return {
                "accept_form": AcceptForm(organisation=organisation),
                "close_form": ReasonForm(prefix="close"),
                "reopen_form": ReasonForm(prefix="reopen"),
            }
        return {}


def _within(level, criteria) -> bool:
    from risk.scoring import within_appetite

    return within_appetite(level, criteria.appetite)


def matrix_rows(criteria, risk) -> list[dict]:
    """The criteria matrix, most likely row first, marking the risk's inherent (I) and residual (R) cells."""
    rows = []
    for lk in range(criteria.n_likelihood, 0, -1):
        cells = []
        for im in range(1, criteria.n_impact + 1):
            cells.append(
                {
                    "impact": im,
                    "level": criteria.matrix.get(f"{lk},{im}", ""),
                    "inherent": (risk.inherent_likelihood, risk.inherent_impact) == (lk, im),
                    "residual": (risk.residual_likelihood, risk.residual_impact) == (lk, im),
                }
            )
        rows.append({"likelihood": lk, "label": criteria.likelihood_label(lk), "cells": cells})
    return rows


class RiskFormView(RiskMixin, RegisterFormView):
    form_class = RiskForm

    def get_form(self, obj, data=None, files=None):
        organisation = self.request.organisation
        criteria = (obj.criteria if obj else None) or criteria_for_display(organisation)
        initial = {}
        if obj is None:
            initial["owner"] = self.request.user.pk
            system = self.request.GET.get("system")
            if system:
                initial["ai_systems"] = [system]
        return self.form_class(data, files, instance=obj, initial=initial, organisation=organisation, criteria=criteria)

    def create(self, form):
        return services.risk_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.risk_update(actor=self.request.user, risk=obj, data=form.service_data())


class RiskDeleteView(RiskMixin, RegisterDeleteView):
    def delete(self, obj):
        services.risk_delete(actor=self.request.user, risk=obj)


class RiskActionView(RiskMixin, ObjectActionView):
    detail_view = RiskDetailView


class RiskScoreView(RiskActionView):
    """Score the inherent or the residual risk (``kind`` in the form)."""

    tab = "scoring"

    def get_form(self, obj, data):
        kind = data.get("kind") if data.get("kind") in ("inherent", "residual") else "inherent"
        self.form_key = f"{kind}_form"
        criteria = obj.criteria or criteria_for_display(self.request.organisation)
        return ScoreForm(data, criteria=criteria, kind=kind)

    def perform(self, obj, form):
        score = services.risk_score_residual if form.kind == "residual" else services.risk_score_inherent
        return score(
            actor=self.request.user,
            risk=obj,
            likelihood=form.cleaned_data["likelihood"],
            impact=form.cleaned_data["impact"],
        )

    def success_message(self, obj, result):
        return gettext("%(reference)s: scored.") % {"reference": result.reference}


class RiskTreatmentView(RiskActionView):
    tab = "treatment"
    form_class = TreatmentForm
    form_key = "treatment_form"

    def perform(self, obj, form):
        return services.risk_plan_treatment(
            actor=self.request.user,
            risk=obj,
            option=form.cleaned_data["treatment_option"],
            plan=form.cleaned_data["treatment_plan"],
        )

    def success_message(self, obj, result):
        return gettext("Treatment of %(reference)s: %(option)s.") % {
            "reference": result.reference,
            "option": result.get_treatment_option_display(),
        }


class RiskActionAddView(RiskActionView):
    tab = "treatment"
    form_key = "action_form"

    def get_form(self, obj, data):
        return QuickActionForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        return services.treatment_action_add(actor=self.request.user, risk=obj, data=form.service_data())

    def success_message(self, obj, result):
        return gettext("%(reference)s added to the treatment plan.") % {"reference": result.reference}


class RiskAcceptView(RiskActionView):
    tab = "acceptance"
    form_key = "accept_form"

    def get_form(self, obj, data):
        return AcceptForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        return services.risk_accept(
            actor=self.request.user,
            risk=obj,
            comment=form.cleaned_data["comment"],
            approver=form.cleaned_data.get("approver"),
        )

    def success_message(self, obj, result):
        return gettext("%(reference)s accepted at %(level)s.") % {
            "reference": result.reference,
            "level": result.get_accepted_level_display().lower(),
        }


class RiskCloseView(RiskActionView):
    tab = "acceptance"
    form_key = "close_form"

    def get_form(self, obj, data):
        return ReasonForm(data, prefix="close")

    def perform(self, obj, form):
        return services.risk_close(actor=self.request.user, risk=obj, reason=form.cleaned_data["reason"])

    def success_message(self, obj, result):
        return gettext("%(reference)s closed.") % {"reference": result.reference}


class RiskReopenView(RiskActionView):
    tab = "acceptance"
    form_key = "reopen_form"

    def get_form(self, obj, data):
        return ReasonForm(data, prefix="reopen")

    def perform(self, obj, form):
        return services.risk_reopen(actor=self.request.user, risk=obj, reason=form.cleaned_data["reason"])

    def success_message(self, obj, result):
        return gettext("%(reference)s reopened.") % {"reference": result.reference}


class RiskRescoreView(RiskActionView):
    """Move the risk to the criteria in force, keeping its likelihood and impact (recorded in its history)."""

    tab = "scoring"

    def perform(self, obj, form):
        return services.risk_rescore_with_criteria(actor=self.request.user, risk=obj)

    def success_message(self, obj, result):
        return gettext("%(reference)s rescored with criteria v%(version)s.") % {
            "reference": result.reference,
            "version": result.criteria.version,
        }


# --- Treatment actions ----------------------------------------------------------------------------------


class TreatmentActionMixin:
    model = TreatmentAction
    url_base = "risk:treatmentaction"

    def base_queryset(self):
        return TreatmentAction.objects.select_related("owner", "risk", "risk__owner")


class TreatmentActionListView(TreatmentActionMixin, RegisterListView):
    title = _("Treatment actions")
    filterset_class = TreatmentActionFilterSet
    export_fields = ACTION_EXPORT
    default_ordering = "due_date"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="risk/cells/reference.html"),
        Column("title", _("Action"), sort="title", template="risk/cells/title.html"),
        Column("risk", _("Risk"), sort="risk__reference", template="risk/cells/action_risk.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("due_date", _("Due"), sort="due_date", template="risk/cells/due_date.html"),
        Column("status", _("Status"), sort="status", template="risk/cells/action_status.html"),
    ]

    def common_context(self) -> dict:
        # New actions are added from a risk's treatment plan, which names the risk.
        return {**super().common_context(), "can_add": False}


class TreatmentActionDetailView(TreatmentActionMixin, FormsDetailView):
    template_name = "risk/treatmentaction_detail.html"
    tabs = [Tab("overview", _("Overview"), "risk/tabs/action_overview.html")]

    def page_context(self, obj) -> dict:
        return {"complete_form": CompleteActionForm()}


class TreatmentActionFormView(TreatmentActionMixin, RegisterFormView):
    """Edit an action; a new one is added from its risk's treatment plan (``?risk=<id>``)."""

    form_class = TreatmentActionForm

    def risk(self):
        """The risk a new action is for, from ``?risk=<id>``: 404 when it is not one of the organisation's."""
        try:
            risk_id = uuid.UUID(self.request.GET.get("risk") or self.request.POST.get("risk") or "")
        except ValueError:
            raise Http404 from None
        return get_object_or_404(Risk.objects.visible_to(self.request.user, self.request.organisation), pk=risk_id)

    def render_form(self, form, obj, version=None):
        context = {**self.common_context(), "form": form, "object": obj, "risk": obj.risk if obj else self.risk()}
        context.update(self.version_context(obj, version))
        return render(self.request, "risk/treatmentaction_form.html", context)

    def create(self, form):
        risk = self.risk()
        self.require("change", risk)
        return services.treatment_action_add(actor=self.request.user, risk=risk, data=form.service_data())

    def update(self, obj, form):
        return services.treatment_action_update(actor=self.request.user, action=obj, data=form.service_data())


class TreatmentActionDeleteView(TreatmentActionMixin, RegisterDeleteView):
    def delete(self, obj):
        services.treatment_action_delete(actor=self.request.user, action=obj)

    def post(self, request, *args, **kwargs):
        obj = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302 and response.url == self.url("list"):
            response["Location"] = reverse("risk:risk-detail", args=[obj.risk_id]) + "?tab=treatment"
        return response


class TreatmentActionCompleteView(TreatmentActionMixin, ObjectActionView):
    form_class = CompleteActionForm
    detail_view = TreatmentActionDetailView
    form_key = "complete_form"

    def perform(self, obj, form):
        return services.treatment_action_complete(actor=self.request.user, action=obj, note=form.cleaned_data["note"])

    def success_message(self, obj, result):
        return gettext("%(reference)s done.") % {"reference": result.reference}

    def success_url(self, obj, result):
        back = self.request.POST.get("next")
        if back == "risk":
            return reverse("risk:risk-detail", args=[obj.risk_id]) + "?tab=treatment"
        return self.url("detail", obj.pk)
