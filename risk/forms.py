"""Forms of the risk pages. They parse and check input; the services apply the rules."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from registry.forms import CommaSeparatedMultipleChoiceField
from risk import annex_c
from risk.constants import LEVEL_ORDER, RiskLevel, TreatmentOption
from risk.models import ImpactArea, ImpactAssessment, Risk, RiskAssessment, TreatmentAction
from risk.scoring import MAX_LEVELS, MIN_LEVELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


def score_choices(levels: list[dict]) -> list[tuple]:
    return [("", "—")] + [(item["level"], f"{item['level']} {item.get('label', '')}".strip()) for item in levels]


def score_field(label: str, levels: list[dict], *, required: bool = False) -> forms.TypedChoiceField:
    """A likelihood or impact on the criteria's scale; values outside it are refused as invalid choices."""
    return forms.TypedChoiceField(
        label=label, choices=score_choices(levels), coerce=int, empty_value=None, required=required
    )


def _members_field(organisation, **kwargs):
    from accounts.models import User

    return forms.ModelChoiceField(
        queryset=User.objects.filter(memberships__organisation=organisation).order_by("username"), **kwargs
    )


# Model fields without an explicit verbose name (adding one would need a migration) get their label here.
LABELS = {
    "reference": _("Reference"),
    "title": _("Title"),
    "owner": _("Owner"),
    "category": _("Category"),
    "next_review": _("Next review"),
    "cause": _("Cause"),
    "event": _("Event"),
    "consequence": _("Consequence"),
    "lifecycle_stage": _("Lifecycle stage"),
    "existing_controls": _("Existing controls"),
    "treatment_option": _("Treatment option"),
    "description": _("Description"),
    "due_date": _("Due date"),
    "status": _("Status"),
    "completion_note": _("Completion note"),
    "scope": _("Scope"),
    "assessors": _("Assessors"),
    "participants": _("Participants"),
    "assessment_date": _("Assessment date"),
    "conclusion": _("Conclusion"),
    "area": _("Area"),
    "potential_impact": _("Potential impact"),
    "severity": _("Severity"),
    "likelihood": _("Likelihood"),
    "reversibility": _("Reversibility"),
    "mitigations": _("Mitigations"),
}

# The criteria editor names the levels of each scale ("Likelihood 3", "What likelihood 3 means").
SCALE_LABEL = {"likelihood": _("Likelihood %(n)s"), "impact": _("Impact %(n)s")}
SCALE_MEANS = {"likelihood": _("What likelihood %(n)s means"), "impact": _("What impact %(n)s means")}


class RiskForm(OrganisationModelForm):
    """A risk or opportunity. Scores are optional here and checked by the service on the risk's criteria."""

    objectives = CommaSeparatedMultipleChoiceField(
        choices=annex_c.objective_choices, required=False, label=_("Objectives affected (Annex C)")
    )

    fieldsets = [
        (_("Risk"), ["reference", "risk_type", "title", "category", "owner", "next_review"]),
        (_("Description: cause → event → consequence"), ["cause", "event", "consequence"]),
        (_("Context"), ["ai_systems", "lifecycle_stage", "risk_source", "objectives"]),
        (_("Analysis"), ["inherent_likelihood", "inherent_impact", "existing_controls"]),
        (_("Treatment"), ["treatment_option", "treatment_plan", "residual_likelihood", "residual_impact"]),
    ]

    class Meta:
        model = Risk
        fields = [
            "reference",
            "risk_type",
            "title",
            "category",
            "owner",
            "next_review",
            "cause",
            "event",
            "consequence",
            "ai_systems",
            "lifecycle_stage",
            "risk_source",
            "objectives",
            "existing_controls",
            "treatment_option",
            "treatment_plan",
        ]
        widgets = {
            "cause": _rows(2),
            "event": _rows(2),
            "consequence": _rows(2),
            "existing_controls": _rows(2),
            "treatment_plan": _rows(2),
            "next_review": DATE,
            "ai_systems": forms.SelectMultiple(attrs={"size": 5}),
        }
        labels = LABELS
        help_texts = {"next_review": _("Left empty, it follows the criteria's cadence for the risk's level.")}

    def __init__(self, *args, criteria=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = self.fields["ai_systems"].queryset.order_by("reference")
        likelihood, impact = (criteria.likelihood_levels, criteria.impact_levels) if criteria else ([], [])
        self.fields["inherent_likelihood"] = score_field(_("Inherent likelihood"), likelihood)
        self.fields["inherent_impact"] = score_field(_("Inherent impact"), impact)
        self.fields["residual_likelihood"] = score_field(_("Residual likelihood"), likelihood)
        self.fields["residual_impact"] = score_field(_("Residual impact"), impact)
        if self.instance and self.instance.pk:
            for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"):
                self.initial.setdefault(name, getattr(self.instance, name))

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance and self.instance.pk:
            # Unchanged scores are not sent, so editing text never rescores.
            for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"):
                if data.get(name) == getattr(self.instance, name):
                    data.pop(name, None)
        return data


class ScoreForm(forms.Form):
    """Likelihood and impact on the risk's criteria (inherent or residual)."""

    def __init__(self, *args, criteria, kind: str, **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["likelihood"] = score_field(_("Likelihood"), criteria.likelihood_levels, required=True)
        self.fields["impact"] = score_field(_("Impact"), criteria.impact_levels, required=True)


class TreatmentForm(forms.Form):
    treatment_option = forms.ChoiceField(choices=TreatmentOption.choices, label=_("Treatment option"))
    treatment_plan = forms.CharField(widget=_rows(2), required=False, label=_("Rationale"))


class TreatmentActionForm(OrganisationModelForm):
    fieldsets = [
        (_("Action"), ["reference", "title", "owner", "due_date", "status"]),
        (_("Details"), ["description", "controls_note", "completion_note"]),
    ]

    class Meta:
        model = TreatmentAction
        fields = [
            "reference",
            "title",
            "owner",
            "due_date",
            "status",
            "description",
            "controls_note",
            "completion_note",
        ]
        widgets = {
            "due_date": DATE,
            "description": _rows(2),
            "controls_note": _rows(2),
            "completion_note": _rows(2),
        }
        labels = LABELS
        help_texts = {
            "controls_note": _("Which controls this action puts in place (links come with the controls app).")
        }


class QuickActionForm(OrganisationModelForm):
    """The short form under a risk's treatment plan: what, who, by when."""

    class Meta:
        model = TreatmentAction
        fields = ["title", "owner", "due_date", "controls_note"]
        widgets = {"due_date": DATE, "controls_note": forms.TextInput()}
        labels = {
            "title": _("Action"),
            "controls_note": _("Controls it implements"),
            "owner": _("Owner"),
            "due_date": _("Due date"),
        }


class CompleteActionForm(forms.Form):
    note = forms.CharField(widget=_rows(2), required=False, label=_("What was done"))


class AcceptForm(forms.Form):
    comment = forms.CharField(widget=_rows(2), label=_("Why the risk is accepted"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"] = _members_field(
            organisation,
            required=False,
            label=_("Approved above the appetite by"),
            help_text=_("Only for a level above the appetite: the approver named in the risk criteria."),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=_rows(2), label=_("Reason"))


class RiskAssessmentForm(OrganisationModelForm):
    fieldsets = [
        (_("Assessment"), ["reference", "title", "ai_systems", "assessment_date", "owner"]),
        (_("People and scope"), ["assessors", "participants", "scope"]),
    ]

    class Meta:
        model = RiskAssessment
        fields = ["reference", "title", "ai_systems", "assessment_date", "owner", "assessors", "participants", "scope"]
        widgets = {
            "assessment_date": DATE,
            "scope": _rows(3),
            "participants": _rows(2),
            "ai_systems": forms.SelectMultiple(attrs={"size": 6}),
            "assessors": forms.SelectMultiple(attrs={"size": 4}),
        }
        labels = {
            **LABELS,
            "owner": _("Lead assessor"),
        }
        help_texts = {"title": _("Left empty, it is named after the systems.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["ai_systems"].queryset = self.fields["ai_systems"].queryset.order_by("reference")


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(widget=_rows(4), label=_("Conclusion"))


class ImpactAssessmentForm(OrganisationModelForm):
    fieldsets = [
        (_("Assessment"), ["reference", "owner", "next_review", "use_considered"]),
        (_("Who is affected"), ["affected_individuals", "affected_groups", "affected_society"]),
        (_("Data protection (GDPR Art. 35)"), ["is_dpia", "dpia_reference"]),
        (
            _("Fundamental-rights impact assessment (EU AI Act Art. 27, deployers of high-risk systems)"),
            ["is_fria", "fria_authority_notified", "fria_process", "fria_period", "fria_oversight", "fria_remedies"],
        ),
        (_("Conclusion"), ["conclusion"]),
    ]

    class Meta:
        model = ImpactAssessment
        fields = [
            "reference",
            "owner",
            "next_review",
            "use_considered",
            "affected_individuals",
            "affected_groups",
            "affected_society",
            "is_dpia",
            "dpia_reference",
            "is_fria",
            "fria_authority_notified",
            "fria_process",
            "fria_period",
            "fria_oversight",
            "fria_remedies",
            "conclusion",
        ]
        widgets = {
            "next_review": DATE,
            "use_considered": _rows(3),
            "affected_individuals": _rows(2),
            "affected_groups": _rows(2),
            "affected_society": _rows(2),
            "fria_process": _rows(2),
            "fria_period": _rows(2),
            "fria_oversight": _rows(2),
            "fria_remedies": _rows(2),
            "conclusion": _rows(3),
        }
        labels = {**LABELS, "owner": _("Assessor")}


class ImpactAreaForm(OrganisationModelForm):
    class Meta:
        model = ImpactArea
        fields = ["area", "affected", "potential_impact", "severity", "likelihood", "reversibility", "mitigations"]
        widgets = {"potential_impact": _rows(2), "mitigations": _rows(2)}
        labels = LABELS


class ApproveImpactForm(forms.Form):
    clear_reassessment = forms.BooleanField(
        required=False, initial=True, label=_("This assessment is the reassessment: clear the system's flag")
    )


# --- Criteria editor ------------------------------------------------------------------------------------


class CriteriaForm(forms.Form):
    """The whole criteria version on one page: scales, every matrix cell, appetite and cadence.

    Fields are generated from the draft's current size; ``resize`` changes the size.
    """

    name = forms.CharField(max_length=200, label=_("Name"))
    method = forms.CharField(widget=_rows(4), required=False, label=_("Method"))
    appetite = forms.ChoiceField(
        choices=RiskLevel.choices, label=_("Risk appetite (highest level an owner may accept)")
    )

    def __init__(self, *args, criteria, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["appetite_approver"] = _members_field(
            organisation, required=False, label=_("Approver of acceptances above the appetite")
        )
        for kind, levels in (("likelihood", criteria.likelihood_levels), ("impact", criteria.impact_levels)):
            for item in levels:
                n = item["level"]
                self.fields[f"{kind}_{n}_label"] = forms.CharField(max_length=60, label=SCALE_LABEL[kind] % {"n": n})
                self.fields[f"{kind}_{n}_description"] = forms.CharField(
                    max_length=300, required=False, label=SCALE_MEANS[kind] % {"n": n}
                )
        level_choices = RiskLevel.choices
        for lk in range(1, criteria.n_likelihood + 1):
            for im in range(1, criteria.n_impact + 1):
                self.fields[f"cell_{lk}_{im}"] = forms.ChoiceField(
                    choices=level_choices,
                    label=gettext("Level for likelihood %(likelihood)s × impact %(impact)s")
                    % {"likelihood": lk, "impact": im},
                )
        for level in LEVEL_ORDER:
            self.fields[f"months_{level}"] = forms.IntegerField(
                min_value=1,
                max_value=60,
                label=gettext("Review every (months): %(level)s") % {"level": RiskLevel(level).label},
            )
            self.fields[f"describe_{level}"] = forms.CharField(
                max_length=300,
                required=False,
                label=gettext("What %(level)s means") % {"level": RiskLevel(level).label},
            )
        if not self.is_bound:
            self.initial.update(self.initial_from(criteria))

    @staticmethod
    def initial_from(criteria) -> dict:
        initial = {
            "name": criteria.name,
            "method": criteria.method,
            "appetite": criteria.appetite,
            "appetite_approver": criteria.appetite_approver_id,
        }
        for kind, levels in (("likelihood", criteria.likelihood_levels), ("impact", criteria.impact_levels)):
            for item in levels:
                initial[f"{kind}_{item['level']}_label"] = item.get("label", "")
                initial[f"{kind}_{item['level']}_description"] = item.get("description", "")
        for key, level in (criteria.matrix or {}).items():
            lk, im = key.split(",")
            initial[f"cell_{lk}_{im}"] = level
        for level in LEVEL_ORDER:
            initial[f"months_{level}"] = (criteria.review_months or {}).get(level)
            initial[f"describe_{level}"] = (criteria.level_descriptions or {}).get(level, "")
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        criteria = self.criteria

        def scale(kind, size):
            return [
                {
                    "level": n,
                    "label": data[f"{kind}_{n}_label"].strip(),
                    "description": data[f"{kind}_{n}_description"].strip(),
                }
                for n in range(1, size + 1)
            ]

        return {
            "name": data["name"],
            "method": data["method"],
            "appetite": data["appetite"],
            "appetite_approver": data.get("appetite_approver"),
            "likelihood_levels": scale("likelihood", criteria.n_likelihood),
            "impact_levels": scale("impact", criteria.n_impact),
            "matrix": {
                f"{lk},{im}": data[f"cell_{lk}_{im}"]
                for lk in range(1, criteria.n_likelihood + 1)
                for im in range(1, criteria.n_impact + 1)
            },
            "review_months": {level: data[f"months_{level}"] for level in LEVEL_ORDER},
            "level_descriptions": {level: data[f"describe_{level}"].strip() for level in LEVEL_ORDER},
        }


class ResizeForm(forms.Form):
    n_likelihood = forms.IntegerField(min_value=MIN_LEVELS, max_value=MAX_LEVELS, label=_("Likelihood levels"))
    n_impact = forms.IntegerField(min_value=MIN_LEVELS, max_value=MAX_LEVELS, label=_("Impact levels"))
