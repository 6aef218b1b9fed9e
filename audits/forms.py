"""Forms of the audit programme, audits, checklist, findings, nonconformities and corrective actions. They parse
and check input; the services apply the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from audits.constants import ChecklistResult, Effectiveness
from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding, Nonconformity
from controls.models import Evidence, Requirement

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# Labels of model fields that have no verbose name of their own (adding one would need a migration).
FIELD_LABELS = {
    "reference": _("Reference"),
    "title": _("Title"),
    "owner": _("Owner"),
    "programme": _("Programme"),
    "importance": _("Importance"),
    "planned_start": _("Planned start"),
    "planned_end": _("Planned end"),
    "kind": _("Kind"),
    "requirement": _("Requirement"),
    "description": _("Description"),
    "raised_on": _("Raised on"),
    "source": _("Source"),
    "grade": _("Grade"),
    "risk": _("Risk"),
    "detected_on": _("Detected on"),
    "immediate_correction": _("Immediate correction"),
    "due_date": _("Due date"),
    "status": _("Status"),
}


def rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


def visible_requirements(organisation):
    """Assessable requirements of the shipped catalogue and the organisation's own frameworks, current ones only."""
    return (
        Requirement.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .filter(withdrawn=False, assessable=True)
        .select_related("framework")
        .order_by("framework__name", "sort_order", "identifier")
    )


def _requirement_label(requirement) -> str:
    return f"{requirement.identifier} {requirement.title}"


class RequirementMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Requirements grouped by framework in the select (one optgroup per framework)."""

    def label_from_instance(self, obj):
        return _requirement_label(obj)

    def _get_choices(self):
        groups: dict[str, list] = {}
        for requirement in self.queryset:
            groups.setdefault(requirement.framework.name, []).append((requirement.pk, _requirement_label(requirement)))
        return list(groups.items())

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class RequirementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.framework.name} · {_requirement_label(obj)}"


def evidence_field(organisation, **kwargs):
    return forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.filter(organisation=organisation).order_by("reference"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        **kwargs,
    )


# --- Programme and audits ----------------------------------------------------------------------------------------


class ProgrammeForm(OrganisationModelForm):
    fieldsets = [
        (_("Programme"), ["reference", "title", "period_start", "period_end", "owner"]),
        (_("Plan"), ["objectives", "planning_basis"]),
    ]

    class Meta:
        model = AuditProgramme
        fields = ["reference", "title", "period_start", "period_end", "owner", "objectives", "planning_basis"]
        labels = FIELD_LABELS
        widgets = {"period_start": DATE, "period_end": DATE, "objectives": rows(3), "planning_basis": rows(3)}


class AuditForm(OrganisationModelForm):
    criteria = RequirementMultipleChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        label=_("Audit criteria"),
        help_text=_("Requirements of any framework; the checklist has one line for each. Hold Ctrl to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    fieldsets = [
        (_("Audit"), ["reference", "programme", "title", "importance", "frequency_months", "planning_rationale"]),
        (_("Dates and team"), ["planned_start", "planned_end", "lead_auditor", "team", "external_auditors"]),
        (_("Scope"), ["scope", "units", "ai_systems", "controls", "risks"]),
        (_("Criteria"), ["criteria"]),
    ]

    class Meta:
        model = Audit
        fields = [
            "reference",
            "programme",
            "title",
            "importance",
            "frequency_months",
            "planning_rationale",
            "planned_start",
            "planned_end",
            "lead_auditor",
            "team",
            "external_auditors",
            "scope",
            "units",
            "ai_systems",
            "controls",
            "risks",
            "criteria",
        ]
        labels = FIELD_LABELS
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "scope": rows(3),
            "planning_rationale": rows(2),
            "ai_systems": forms.SelectMultiple(attrs={"size": 6}),
            "controls": forms.SelectMultiple(attrs={"size": 6}),
            "risks": forms.SelectMultiple(attrs={"size": 6}),
            "team": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = visible_requirements(self.organisation)
        for name in ("ai_systems", "controls", "risks", "programme"):
            self.fields[name].queryset = self.fields[name].queryset.order_by("reference")


class IndependenceForm(forms.Form):
    statement = forms.CharField(
        label=_("Independence declaration"),
        widget=rows(3),
        help_text=_("E.g. 'The auditors do not own or operate any control, system or risk in scope.'"),
    )


class ReportForm(forms.Form):
    summary = forms.CharField(widget=rows(4), label=_("Summary"))
    conclusion = forms.CharField(widget=rows(3), label=_("Conclusion"))
    recipients = forms.CharField(
        required=False, max_length=300, label=_("Report sent to"), help_text=_("The managers who receive the report.")
    )


class ChecklistResultForm(forms.Form):
    """The auditor's result on one requirement."""

    result = forms.ChoiceField(
        choices=[c for c in ChecklistResult.choices if c[0]], widget=forms.RadioSelect, label=_("Result")
    )
    notes = forms.CharField(
        widget=rows(3), required=False, label=_("Notes"), help_text=_("What was seen, and why the result.")
    )
    sampled_records = forms.CharField(
        widget=rows(2),
        required=False,
        label=_("Sampled records"),
        help_text=_("The records sampled (references, dates, numbers)."),
    )
    acknowledge_independence = forms.BooleanField(
        required=False,
        label=_("I acknowledge the independence warning and record the result anyway"),
        help_text=_("Needed only when you own work under audit; the warning is kept with the result."),
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(organisation, label=_("Evidence consulted"))
        order = ["result", "notes", "sampled_records", "evidence", "acknowledge_independence"]
        self.order_fields(order)


class FindingForm(OrganisationModelForm):
    requirement = RequirementChoiceField(queryset=Requirement.objects.none(), required=False, label=_("Requirement"))

    class Meta:
        model = Finding
        fields = ["reference", "kind", "title", "requirement", "description", "raised_on"]
        labels = FIELD_LABELS
        widgets = {"description": rows(3), "raised_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = visible_requirements(self.organisation)
        self.fields["raised_on"].required = False
        self.fields["raised_on"].help_text = _("Left empty, today.")

    def service_data(self) -> dict:
        data = super().service_data()
        if data.get("raised_on") is None:
            data.pop("raised_on", None)
        return data


# --- Nonconformities and corrective actions ------------------------------------------------------------------


class WhysField(forms.CharField):
    """The 5 whys as lines of text, stored as a list."""

    widget = rows(5)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class NonconformityForm(OrganisationModelForm):
    requirement = RequirementChoiceField(queryset=Requirement.objects.none(), required=False, label=_("Requirement"))
    five_whys = WhysField(
        required=False,
        label=_("5 whys"),
        help_text=_("One answer per line: why did it happen? And why did that happen? …"),
    )

    fieldsets = [
        (_("Nonconformity"), ["reference", "title", "source", "grade", "requirement", "risk"]),
        (_("Detection"), ["detected_on", "detected_by", "owner"]),
        (_("What and the correction"), ["description", "immediate_correction"]),
        (_("Root cause"), ["root_cause_method", "five_whys", "root_cause"]),
        (_("Changes made as a result"), ["risk_register_changed", "controls_changed", "changes_note"]),
    ]

    class Meta:
        model = Nonconformity
        fields = [
            "reference",
            "title",
            "source",
            "grade",
            "requirement",
            "risk",
            "detected_on",
            "detected_by",
            "owner",
            "description",
            "immediate_correction",
            "root_cause_method",
            "five_whys",
            "root_cause",
            "risk_register_changed",
            "controls_changed",
            "changes_note",
        ]
        labels = FIELD_LABELS
        widgets = {
            "detected_on": DATE,
            "description": rows(3),
            "immediate_correction": rows(2),
            "root_cause": rows(3),
            "changes_note": rows(2),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = visible_requirements(self.organisation)
        self.fields["risk"].queryset = self.fields["risk"].queryset.order_by("reference")
        if self.instance and self.instance.pk and self.instance.finding_id:
            # Raised by an audit finding: where it came from is fixed.
            for name in ("source",):
                self.fields.pop(name)
            self.fieldsets = [(legend, [n for n in names if n in self.fields]) for legend, names in self.fieldsets]


class CorrectiveActionForm(OrganisationModelForm):
    class Meta:
        model = CorrectiveAction
        fields = ["reference", "title", "owner", "due_date", "status", "description", "completion_note"]
        labels = FIELD_LABELS
        widgets = {"due_date": DATE, "description": rows(3), "completion_note": rows(3)}


class QuickCorrectiveActionForm(OrganisationModelForm):
    """A corrective action planned from its nonconformity's page."""

    class Meta:
        model = CorrectiveAction
        fields = ["title", "owner", "due_date", "description"]
        labels = FIELD_LABELS
        widgets = {"due_date": DATE, "description": rows(2)}


class NoteForm(forms.Form):
    note = forms.CharField(widget=rows(2), required=False, label=_("Note"))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=rows(2), label=_("Why"))


class VerifyForm(forms.Form):
    """The verification of a corrective action's effectiveness (10.2 d)."""

    effectiveness = forms.ChoiceField(
        choices=[c for c in Effectiveness.choices if c[0]], widget=forms.RadioSelect, label=_("Result")
    )
    note = forms.CharField(widget=rows(3), label=_("How effectiveness was checked"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(organisation, label=_("Evidence of the verification"))
