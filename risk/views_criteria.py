"""Risk criteria pages (the organisation's method, ISO/IEC 42001 clause 6.1.1, 6.1.2) and the heat map."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from aims.crud import Column, OrganisationViewMixin, RegisterDetailView, RegisterListView, Tab
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError
from risk import services
from risk.charts import LEVEL_COLOURS, heat_map_svg
from risk.constants import LEVEL_ORDER, CriteriaStatus, RiskLevel, RiskStatus
from risk.filtersets import RiskCriteriaFilterSet, RiskFilterSet
from risk.forms import CriteriaForm, ResizeForm
from risk.models import Risk, RiskCriteria
from risk.selectors import criteria_for_display, heat_map_counts
from risk.views_base import ObjectActionView

CRITERIA_EXPORT = [
    ("Version", "version"),
    ("Name", "name"),
    ("Status", "status"),
    ("Likelihood levels", lambda c: c.n_likelihood),
    ("Impact levels", lambda c: c.n_impact),
    ("Appetite", "appetite"),
    ("Approver above appetite", "appetite_approver.username"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
]


class CriteriaMixin:
    model = RiskCriteria
    url_base = "risk:criteria"

    def base_queryset(self):
        return RiskCriteria.objects.select_related("appetite_approver", "approved_by")

    def allowed(self, action, obj=None) -> bool:
        # The method is the organisation's: only members who may approve shape it.
        if action in ("add", "change", "delete"):
            action = "approve"
        if obj is not None and action == "approve" and obj.status != CriteriaStatus.DRAFT:
            return False
        return super().allowed(action, obj)


class CriteriaListView(CriteriaMixin, RegisterListView):
    title = _("Risk criteria")
    filterset_class = RiskCriteriaFilterSet
    export_fields = CRITERIA_EXPORT
    default_ordering = "-version"
    columns = [
        Column("version", _("Version"), sort="version", template="risk/cells/criteria_version.html"),
        Column("name", _("Name"), sort="name"),
        Column("status", _("Status"), sort="status", template="risk/cells/criteria_status.html"),
        Column("size", _("Scales"), template="risk/cells/criteria_size.html"),
        Column("appetite", _("Appetite"), sort="appetite", template="risk/cells/criteria_appetite.html"),
        Column("risk_count", _("Risks scored with it"), sort="risk_count"),
        Column("approved_at", _("Approved"), sort="approved_at", template="risk/cells/criteria_approved.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().annotate(risk_count=Count("risks"))

    def extra_context_data(self):
        return {"current": services.criteria_current(self.request.organisation)}


def matrix_table(criteria) -> list[dict]:
    return [
        {
            "likelihood": lk,
            "label": criteria.likelihood_label(lk),
            "cells": [
                {"impact": im, "level": criteria.matrix.get(f"{lk},{im}", "")} for im in range(1, criteria.n_impact + 1)
            ],
        }
        for lk in range(criteria.n_likelihood, 0, -1)
    ]


def level_rows(criteria) -> list[dict]:
    return [
        {
            "key": level,
            "label": RiskLevel(level).label,
            "description": (criteria.level_descriptions or {}).get(level, ""),
            "months": (criteria.review_months or {}).get(level),
            "within": LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(criteria.appetite),
            "colour": LEVEL_COLOURS[level],
        }
        for level in LEVEL_ORDER
    ]


class CriteriaDetailView(CriteriaMixin, RegisterDetailView):
    template_name = "risk/criteria_detail.html"
    tabs = [Tab("overview", _("Method"), "risk/tabs/criteria_overview.html")]

    def tab_context(self, obj, tab_key):
        current = services.criteria_current(self.request.organisation)
        older = Risk.objects.filter(organisation=obj.organisation).exclude(criteria=obj).exclude(criteria=None)
        return {
            "matrix": matrix_table(obj),
            "levels": level_rows(obj),
            "is_current": current is not None and current.pk == obj.pk,
            "older_count": older.exclude(status=RiskStatus.CLOSED).count() if current and current.pk == obj.pk else 0,
            "can_start_version": self.allowed("add")
            and not RiskCriteria.objects.filter(organisation=obj.organisation, status=CriteriaStatus.DRAFT).exists(),
            "risk_count": obj.risks.count(),
        }


class CriteriaNewVersionView(CriteriaMixin, OrganisationViewMixin, TemplateView):
    """GET: what a new version starts from; POST: start it as a draft (then the editor)."""

    template_name = "risk/criteria_new.html"

    def get(self, request, *args, **kwargs):
        self.require("add")
        draft = self.scoped_queryset().filter(status=CriteriaStatus.DRAFT).first()
        if draft is not None:
            messages.info(request, gettext("Version %(version)s is already a draft.") % {"version": draft.version})
            return redirect(self.url("update", draft.pk))
        base = criteria_for_display(request.organisation)
        return render(request, self.template_name, {**self.common_context(), "base": base})

    def post(self, request, *args, **kwargs):
        self.require("add")
        try:
            with transaction.atomic():
                draft = services.criteria_new_version(actor=request.user, organisation=request.organisation)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.url("list"))
        messages.success(request, gettext("Version %(version)s started as a draft.") % {"version": draft.version})
        return redirect(self.url("update", draft.pk))


class CriteriaEditView(CriteriaMixin, OrganisationViewMixin, TemplateView):
    """The criteria editor: labels and descriptions of each level, every matrix cell, appetite and cadence;
    a second form changes the number of levels."""

    template_name = "risk/criteria_form.html"

    def get_object(self):
        obj = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        self.require("change", obj)
        return obj

    def render_page(self, obj, form=None, resize_form=None):
        organisation = self.request.organisation
        form = form or CriteriaForm(criteria=obj, organisation=organisation)
        resize_form = resize_form or ResizeForm(initial={"n_likelihood": obj.n_likelihood, "n_impact": obj.n_impact})
        rows = [
            {
                "likelihood": lk,
                "label": obj.likelihood_label(lk),
                "cells": [form[f"cell_{lk}_{im}"] for im in range(1, obj.n_impact + 1)],
            }
            for lk in range(obj.n_likelihood, 0, -1)
        ]
        context = {
            **self.common_context(),
            "object": obj,
            "form": form,
            "resize_form": resize_form,
            "matrix_rows": rows,
            "impact_headers": [(im, obj.impact_label(im)) for im in range(1, obj.n_impact + 1)],
            "likelihood_fields": [
                (form[f"likelihood_{n}_label"], form[f"likelihood_{n}_description"])
                for n in range(1, obj.n_likelihood + 1)
            ],
            "impact_fields": [
                (form[f"impact_{n}_label"], form[f"impact_{n}_description"]) for n in range(1, obj.n_impact + 1)
            ],
            "level_fields": [
                (RiskLevel(level).label, form[f"describe_{level}"], form[f"months_{level}"], LEVEL_COLOURS[level])
                for level in LEVEL_ORDER
            ],
        }
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        if obj.status != CriteriaStatus.DRAFT:
            messages.info(request, gettext("Approved criteria are not edited: start a new version."))
            return redirect(self.url("detail", obj.pk))
        return self.render_page(obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        if request.POST.get("operation") == "resize":
            form = ResizeForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        services.criteria_resize(
                            actor=request.user,
                            criteria=obj,
                            n_likelihood=form.cleaned_data["n_likelihood"],
                            n_impact=form.cleaned_data["n_impact"],
                        )
                except ServiceError as exc:
                    apply_service_error(form, exc)
                else:
                    messages.success(request, gettext("Scales resized; the matrix was reset to the default mapping."))
                    return redirect(self.url("update", obj.pk))
            return self.render_page(RiskCriteria.objects.get(pk=obj.pk), resize_form=form)
        form = CriteriaForm(request.POST, criteria=obj, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.criteria_update(actor=request.user, criteria=obj, data=form.service_data())
            except ServiceError as exc:
                _apply_criteria_error(form, exc)
            else:
                messages.success(request, gettext("Version %(version)s saved.") % {"version": obj.version})
                return redirect(self.url("detail", obj.pk))
        return self.render_page(RiskCriteria.objects.get(pk=obj.pk), form=form)


def _apply_criteria_error(form, exc: ServiceError) -> None:
    """Errors on the JSON parts (matrix, scales, cadence) are shown on top of the editor."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class CriteriaApproveView(CriteriaMixin, ObjectActionView):
    permission_action = "approve"

    def perform(self, obj, form):
        return services.criteria_approve(actor=self.request.user, criteria=obj)

    def success_message(self, obj, result):
        return gettext("Version %(version)s approved. Risks keep their scores until you rescore them.") % {
            "version": result.version
        }


class CriteriaDeleteView(CriteriaMixin, ObjectActionView):
    permission_action = "delete"

    def perform(self, obj, form):
        services.criteria_delete_draft(actor=self.request.user, criteria=obj)
        return None

    def success_url(self, obj, result):
        return (
            self.url("list")
            if result is None and not RiskCriteria.objects.filter(pk=obj.pk).exists()
            else (self.url("detail", obj.pk))
        )

    def success_message(self, obj, result):
        return gettext("Draft version %(version)s discarded.") % {"version": obj.version}


class CriteriaRescoreView(CriteriaMixin, ObjectActionView):
    """Rescore every open risk scored with an older version onto this (current) version, one history entry each.
    Risks whose scores do not fit the new scales are listed, to rescore by hand."""

    permission_action = "view"

    def perform(self, obj, form):
        current = services.criteria_current(obj.organisation)
        if current is None or current.pk != obj.pk:
            raise ServiceError(gettext("Only the criteria in force can be used to rescore risks."), conflict=True)
        risks = (
            Risk.objects.visible_to(self.request.user, self.request.organisation)
            .open()
            .exclude(criteria=obj)
            .exclude(criteria=None)
            .select_related("criteria")
        )
        done, failed = [], []
        for risk in risks:
            if not can(self.request.user, "change", risk, self.request.organisation):
                failed.append(gettext("%(reference)s (not yours to change)") % {"reference": risk.reference})
                continue
            try:
                with transaction.atomic():
                    services.risk_rescore_with_criteria(actor=self.request.user, risk=risk, criteria=obj)
                done.append(risk.reference)
            except ServiceError as exc:
                failed.append(f"{risk.reference} ({' '.join(exc.messages)})")
        return done, failed

    def success_message(self, obj, result):
        done, failed = result
        message = ngettext(
            "%(count)s risk rescored with version %(version)s.",
            "%(count)s risks rescored with version %(version)s.",
            len(done),
        ) % {"count": len(done), "version": obj.version}
        if failed:
            messages.warning(self.request, gettext("Not rescored: %(risks)s") % {"risks": "; ".join(failed)})
        return message


# --- Heat map ------------------------------------------------------------------------------------------


MAP_TITLES = {"inherent": _("Inherent risk"), "residual": _("Residual risk")}


class HeatMapView(OrganisationViewMixin, TemplateView):
    """Inherent and residual heat maps of the (filtered) register; each cell links to the filtered register."""

    model = Risk
    url_base = "risk:risk"
    template_name = "risk/heat_map.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        risks = Risk.objects.visible_to(request.user, request.organisation)
        filterset = RiskFilterSet(request.GET or None, queryset=risks, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else risks
        if not request.GET.get("status") and not request.GET.get("open"):
            rows = rows.exclude(status=RiskStatus.CLOSED)
        for name in list(filterset.form.fields):
            if name in RiskFilterSet.HIDDEN_ON_PAGE or name in ("q",):
                del filterset.form.fields[name]
        criteria = criteria_for_display(request.organisation)
        keep = {
            k: v
            for k, v in request.GET.items()
            if v and k in ("system", "level", "status", "owner", "source", "category", "overdue")
        }
        if "status" not in keep:
            keep["open"] = "true"
        maps = []
        for kind in ("inherent", "residual"):
            counts = heat_map_counts(rows, kind)
            maps.append(
                {
                    "kind": kind,
                    "title": MAP_TITLES[kind],
                    "total": sum(counts.values()),
                    "svg": heat_map_svg(
                        criteria=criteria,
                        counts=counts,
                        kind=kind,
                        base_url=reverse("risk:risk-list"),
                        extra_params=keep,
                        id_prefix=f"heat-{kind}",
                    ),
                }
            )
        context = {
            **self.common_context(),
            "filter": filterset,
            "maps": maps,
            "criteria": criteria,
            "unscored": rows.filter(inherent_level="").count(),
            "levels": level_rows(criteria),
        }
        return render(request, self.template_name, context)
