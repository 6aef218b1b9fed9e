"""Risk assessment pages, including the workflow that walks an assessor through identify → analyse →
evaluate → treat for the systems assessed (ISO/IEC 42001 clauses 6.1.2, 6.1.3, 8.2, 8.3). Every step saves real
records through the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError
from risk import services
from risk.charts import heat_map_svg
from risk.constants import AssessmentStatus, AssessmentStep
from risk.filtersets import RiskAssessmentFilterSet
from risk.forms import ConclusionForm, QuickActionForm, RiskAssessmentForm, RiskForm, ScoreForm, TreatmentForm
from risk.models import Risk, RiskAssessment
from risk.scoring import within_appetite
from risk.selectors import heat_map_counts
from risk.views_base import FormsDetailView, ObjectActionView

ASSESSMENT_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("AI systems", lambda a: ", ".join(s.reference for s in a.ai_systems.all())),
    ("Date", "assessment_date"),
    ("Lead assessor", "owner.username"),
    ("Assessors", lambda a: ", ".join(u.username for u in a.assessors.all())),
    ("Participants", "participants"),
    ("Scope", "scope"),
    ("Criteria version", "criteria.version"),
    ("Risks", lambda a: ", ".join(r.reference for r in a.risks.all())),
    ("Conclusion", "conclusion"),
    ("Status", "status"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
]

IDENTIFY_FIELDS = [
    "risk_type",
    "title",
    "category",
    "owner",
    "cause",
    "event",
    "consequence",
    "lifecycle_stage",
    "risk_source",
    "objectives",
]


class AssessmentMixin:
    model = RiskAssessment
    url_base = "risk:assessment"

    def base_queryset(self):
        return RiskAssessment.objects.select_related("owner", "criteria", "approved_by").prefetch_related(
            "ai_systems", "assessors"
        )


class AssessmentListView(AssessmentMixin, RegisterListView):
    title = _("Risk assessments")
    filterset_class = RiskAssessmentFilterSet
    export_fields = ASSESSMENT_EXPORT
    default_ordering = "-assessment_date"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="risk/cells/reference.html"),
        Column("title", _("Assessment"), sort="title", template="risk/cells/title.html"),
        Column("ai_systems", _("AI systems"), template="risk/cells/systems.html"),
        Column("assessment_date", _("Date"), sort="assessment_date"),
        Column("owner", _("Lead assessor"), sort="owner__username"),
        Column("risk_count", _("Risks"), sort="risk_count"),
        Column("status", _("Status"), sort="status", template="risk/cells/assessment_status.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("risks").annotate(risk_count=Count("risks", distinct=True))


class AssessmentDetailView(AssessmentMixin, FormsDetailView):
    template_name = "risk/assessment_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "risk/tabs/assessment_overview.html"),
        Tab("risks", _("Risks"), "risk/tabs/assessment_risks.html"),
    ]

    def tab_context(self, obj, tab_key):
        if tab_key == "risks":
            return {"risks": obj.risks.select_related("owner", "criteria").prefetch_related("ai_systems")}
        return {}


class AssessmentFormView(AssessmentMixin, RegisterFormView):
    """Start an assessment (then go to its workflow) or edit one in progress."""

    form_class = RiskAssessmentForm

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            initial["owner"] = self.request.user.pk
            initial["assessors"] = [self.request.user.pk]
            system = self.request.GET.get("system")
            if system:
                initial["ai_systems"] = [system]
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)

    def create(self, form):
        return services.assessment_start(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.assessment_update(actor=self.request.user, assessment=obj, data=form.service_data())

    def success_url(self, obj) -> str:
        if obj.status == AssessmentStatus.IN_PROGRESS:
            return reverse("risk:assessment-workflow", args=[obj.pk]) + "?step=identify"
        return self.url("detail", obj.pk)


class AssessmentDeleteView(AssessmentMixin, RegisterDeleteView):
    def delete(self, obj):
        services.assessment_delete(actor=self.request.user, assessment=obj)


class AssessmentApproveView(AssessmentMixin, ObjectActionView):
    permission_action = "approve"

    def perform(self, obj, form):
        return services.assessment_approve(actor=self.request.user, assessment=obj)

    def success_message(self, obj, result):
        return gettext("%(reference)s approved.") % {"reference": result.reference}


# --- The workflow ---------------------------------------------------------------------------------------

STEPS = list(AssessmentStep)


class AssessmentWorkflowView(AssessmentMixin, OrganisationViewMixin, TemplateView):
    """One page per step; ``?step=`` chooses it. Each POST runs one service and comes back to the step."""

    template_name = "risk/assessment_workflow.html"

    def get_object(self) -> RiskAssessment:
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def step(self) -> str:
        value = self.request.GET.get("step") or self.request.POST.get("step")
        return value if value in AssessmentStep.values else AssessmentStep.IDENTIFY

    def risks(self, assessment):
        return list(
            assessment.risks.select_related("owner", "criteria")
            .prefetch_related("ai_systems", "actions__owner")
            .order_by("reference")
        )

    # Forms, one set per risk (prefixed with its reference, so every label is unique on the page).
    def risk_forms(self, assessment, risks, step, bound=None):
        organisation = self.request.organisation
        rows = []
        for risk in risks:
            criteria = risk.criteria or assessment.criteria
            prefix = risk.reference
            row = {"risk": risk, "criteria": criteria, "can_change": self._can(risk)}
            if risk.current_level:
                row["within_appetite"] = within_appetite(risk.current_level, criteria.appetite)
            if step == AssessmentStep.ANALYSE:
                row["score_form"] = ScoreForm(
                    criteria=criteria,
                    kind=f"{prefix}-inherent",
                    initial={"likelihood": risk.inherent_likelihood, "impact": risk.inherent_impact},
                )
            elif step == AssessmentStep.EVALUATE:
                row["treatment_form"] = TreatmentForm(
                    prefix=prefix,
                    initial={"treatment_option": risk.treatment_option, "treatment_plan": risk.treatment_plan},
                )
            elif step == AssessmentStep.TREAT:
                row["action_form"] = QuickActionForm(
                    prefix=f"{prefix}-action", organisation=organisation, initial={"owner": risk.owner_id}
                )
                row["residual_form"] = ScoreForm(
                    criteria=criteria,
                    kind=f"{prefix}-residual",
                    initial={"likelihood": risk.residual_likelihood, "impact": risk.residual_impact},
                )
            if bound and bound.get("risk") == risk.pk:
                row.update(bound["forms"])
            rows.append(row)
        return rows

    def _can(self, risk) -> bool:
        return can(self.request.user, "change", risk, self.request.organisation)

    def context(self, assessment, step, bound=None, identify_form=None, conclusion_form=None):
        risks = self.risks(assessment)
        index = STEPS.index(AssessmentStep(step))
        context = {
            **self.common_context(),
            "object": assessment,
            "step": step,
            "steps": [{"key": s.value, "label": s.label, "number": n + 1} for n, s in enumerate(STEPS)],
            "step_number": index + 1,
            "previous_step": STEPS[index - 1].value if index > 0 else None,
            "next_step": STEPS[index + 1].value if index + 1 < len(STEPS) else None,
            "step_label": STEPS[index].label,
            "next_step_label": STEPS[index + 1].label if index + 1 < len(STEPS) else None,
            "rows": self.risk_forms(assessment, risks, step, bound),
            "risks": risks,
            "criteria": assessment.criteria,
            "in_progress": assessment.status == AssessmentStatus.IN_PROGRESS,
            "can_change": self.allowed("change", assessment),
        }
        if step == AssessmentStep.IDENTIFY:
            context["identify_form"] = identify_form or self.identify_form(assessment)
        if step == AssessmentStep.EVALUATE:
            counts = heat_map_counts(Risk.objects.filter(pk__in=[r.pk for r in risks]), "inherent")
            context["heat_map"] = heat_map_svg(
                criteria=assessment.criteria,
                counts=counts,
                kind="inherent",
                base_url=None,
                title=gettext("Inherent risk of %(reference)s") % {"reference": assessment.reference},
                id_prefix="assessment-heat",
            )
        if step == AssessmentStep.TREAT:
            context["conclusion_form"] = conclusion_form or ConclusionForm(
                initial={"conclusion": assessment.conclusion}
            )
        return context

    def identify_form(self, assessment, data=None):
        form = RiskForm(
            data,
            organisation=self.request.organisation,
            criteria=assessment.criteria,
            prefix="new",
            initial={"owner": self.request.user.pk},
        )
        for name in list(form.fields):
            if name not in IDENTIFY_FIELDS:
                del form.fields[name]
        form.fieldsets = None
        return form

    def get(self, request, *args, **kwargs):
        assessment = self.get_object()
        return render(request, self.template_name, self.context(assessment, self.step()))

    def post(self, request, *args, **kwargs):
        assessment = self.get_object()
        self.require("change", assessment)
        step = self.step()
        if assessment.status != AssessmentStatus.IN_PROGRESS:
            messages.error(
                request,
                gettext("%(reference)s is %(status)s.")
                % {"reference": assessment.reference, "status": assessment.get_status_display().lower()},
            )
            return redirect(reverse("risk:assessment-detail", args=[assessment.pk]))
        operation = request.POST.get("operation", "")
        handler = {
            "add_risk": self.add_risk,
            "analyse": self.analyse,
            "evaluate": self.evaluate,
            "add_action": self.add_action,
            "residual": self.residual,
            "complete": self.complete,
        }.get(operation)
        if handler is None:
            messages.error(request, gettext("Unknown operation."))
            return redirect(self.step_url(assessment, step))
        return handler(assessment, step)

    def step_url(self, assessment, step, anchor=""):
        url = reverse("risk:assessment-workflow", args=[assessment.pk]) + f"?step={step}"
        return url + (f"#{anchor}" if anchor else "")

    def risk_of(self, assessment) -> Risk:
        risk = get_object_or_404(assessment.risks.all(), pk=self.request.POST.get("risk") or None)
        if not self._can(risk):
            raise PermissionDenied
        return risk

    def run(self, assessment, step, form, call, *, risk=None, form_key=None, message=""):
        """Validate ``form``, run ``call(form)`` in a transaction; on refusal re-render the step with the errors."""
        if form.is_valid():
            try:
                with transaction.atomic():
                    call(form)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                if message:
                    messages.success(self.request, message)
                return redirect(self.step_url(assessment, step, risk.reference if risk else ""))
        assessment.refresh_from_db()
        bound = {"risk": risk.pk, "forms": {form_key: form}} if risk is not None else None
        extra = {}
        if form_key == "identify_form":
            extra["identify_form"] = form
        if form_key == "conclusion_form":
            extra["conclusion_form"] = form
        return render(self.request, self.template_name, self.context(assessment, step, bound, **extra))

    def add_risk(self, assessment, step):
        form = self.identify_form(assessment, self.request.POST)
        self.require("add", Risk)
        return self.run(
            assessment,
            step,
            form,
            lambda f: services.assessment_add_risk(
                actor=self.request.user, assessment=assessment, data=f.service_data()
            ),
            form_key="identify_form",
            message=gettext("Risk added to the assessment."),
        )

    def analyse(self, assessment, step):
        risk = self.risk_of(assessment)
        criteria = risk.criteria or assessment.criteria
        form = ScoreForm(self.request.POST, criteria=criteria, kind=f"{risk.reference}-inherent")

        def call(f):
            services.risk_score_inherent(
                actor=self.request.user,
                risk=risk,
                likelihood=f.cleaned_data["likelihood"],
                impact=f.cleaned_data["impact"],
            )
            controls = self.request.POST.get(f"{risk.reference}-existing_controls")
            if controls is not None and controls != risk.existing_controls:
                services.risk_update(
                    actor=self.request.user, risk=risk, data={"existing_controls": controls}, reason="Existing controls"
                )

        return self.run(
            assessment,
            step,
            form,
            call,
            risk=risk,
            form_key="score_form",
            message=gettext("%(reference)s analysed.") % {"reference": risk.reference},
        )

    def evaluate(self, assessment, step):
        risk = self.risk_of(assessment)
        form = TreatmentForm(self.request.POST, prefix=risk.reference)
        return self.run(
            assessment,
            step,
            form,
            lambda f: services.risk_plan_treatment(
                actor=self.request.user,
                risk=risk,
                option=f.cleaned_data["treatment_option"],
                plan=f.cleaned_data["treatment_plan"],
            ),
            risk=risk,
            form_key="treatment_form",
            message=gettext("Treatment of %(reference)s chosen.") % {"reference": risk.reference},
        )

    def add_action(self, assessment, step):
        risk = self.risk_of(assessment)
        form = QuickActionForm(
            self.request.POST, prefix=f"{risk.reference}-action", organisation=self.request.organisation
        )
        return self.run(
            assessment,
            step,
            form,
            lambda f: services.treatment_action_add(actor=self.request.user, risk=risk, data=f.service_data()),
            risk=risk,
            form_key="action_form",
            message=gettext("Treatment action added to %(reference)s.") % {"reference": risk.reference},
        )

    def residual(self, assessment, step):
        risk = self.risk_of(assessment)
        criteria = risk.criteria or assessment.criteria
        form = ScoreForm(self.request.POST, criteria=criteria, kind=f"{risk.reference}-residual")
        return self.run(
            assessment,
            step,
            form,
            lambda f: services.risk_score_residual(
                actor=self.request.user,
                risk=risk,
                likelihood=f.cleaned_data["likelihood"],
                impact=f.cleaned_data["impact"],
            ),
            risk=risk,
            form_key="residual_form",
            message=gettext("Residual risk of %(reference)s recorded.") % {"reference": risk.reference},
        )

    def complete(self, assessment, step):
        form = ConclusionForm(self.request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.assessment_complete(
                        actor=self.request.user, assessment=assessment, conclusion=form.cleaned_data["conclusion"]
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    self.request, gettext("%(reference)s completed.") % {"reference": assessment.reference}
                )
                return redirect(reverse("risk:assessment-detail", args=[assessment.pk]) + "?tab=risks")
        assessment.refresh_from_db()
        return render(self.request, self.template_name, self.context(assessment, step, conclusion_form=form))
