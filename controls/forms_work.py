"""Forms of the controls, SoA lines, evidence, policies and the roadmap. They validate input; services apply it."""

from django import forms
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from controls.constants import ISO42001_KEY, CheckResult, ExclusionReason, ReviewStatus
from controls.forms import labels_for
from controls.models import Control, Evidence, Policy, Requirement, RoadmapAction, SoALine
from controls.uploads import ACCEPT_ATTRIBUTE, ACCEPTED_LABEL, max_bytes
from risk.models import Risk, TreatmentAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def visible_requirements(organisation):
    """Assessable, current requirements of the shipped frameworks and the organisation's own."""
    return (
        Requirement.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .filter(assessable=True, withdrawn=False)
        .select_related("framework")
        .order_by(
            Case(When(framework__key=ISO42001_KEY, then=Value(0)), default=Value(1)),
            "framework__organisation",
            "framework__name",
            "sort_order",
        )
    )


def upload_help() -> str:
    """What an evidence file may be, in the active language."""
    return gettext("%(accepted)s; up to %(size)s MB.") % {
        "accepted": ACCEPTED_LABEL,
        "size": max_bytes() // (1024 * 1024),
    }


class GroupedRequirementsField(forms.ModelMultipleChoiceField):
    """Requirements grouped by framework in the select (one ``<optgroup>`` per framework)."""

    def label_from_instance(self, obj):
        return f"{obj.identifier} {obj.title}"

    def _get_choices(self):
        groups: dict[str, list] = {}
        for requirement in self.queryset:
            groups.setdefault(str(requirement.framework), []).append(
                (str(requirement.pk), self.label_from_instance(requirement))
            )
        return list(groups.items())

    choices = property(_get_choices, forms.ModelMultipleChoiceField.choices.fset)


def _requirements_field(label=None, help_text=None):
    return GroupedRequirementsField(
        queryset=Requirement.objects.none(),
        required=False,
        label=label or _("Requirements it satisfies"),
        help_text=help_text or _("Hold Ctrl (⌘ on a Mac) to choose several; grouped by framework."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )


class ControlForm(OrganisationModelForm):
    requirements = _requirements_field()

    fieldsets = [
        (_("Control"), ["title", "reference", "control_type", "owner", "implementation_status", "description"]),
        (_("What it satisfies and treats"), ["requirements", "ai_systems", "risks", "treatment_actions"]),
        (_("Checks"), ["check_frequency", "next_review", "last_checked", "last_check_result", "last_check_note"]),
    ]

    class Meta:
        model = Control
        fields = [
            "title",
            "reference",
            "control_type",
            "owner",
            "implementation_status",
            "description",
            "requirements",
            "ai_systems",
            "risks",
            "treatment_actions",
            "check_frequency",
            "next_review",
            "last_checked",
            "last_check_result",
            "last_check_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "last_check_note": forms.Textarea(attrs={"rows": 2}),
            "ai_systems": forms.SelectMultiple(attrs={"size": 6}),
            "risks": forms.SelectMultiple(attrs={"size": 6}),
            "treatment_actions": forms.SelectMultiple(attrs={"size": 6}),
            "next_review": DATE,
            "last_checked": DATE,
        }
        labels = labels_for(model)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = visible_requirements(self.organisation)
        self.fields["treatment_actions"].queryset = (
            TreatmentAction.objects.filter(organisation=self.organisation).select_related("risk").order_by("reference")
        )
        self.fields["treatment_actions"].label_from_instance = lambda a: f"{a} ({a.risk.reference})"
        self.fields["risks"].queryset = Risk.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["reference"].required = False


class CheckForm(forms.Form):
    """Record a test or check of a control."""

    checked_on = forms.DateField(label=_("Checked on"), widget=DATE)
    result = forms.ChoiceField(choices=[c for c in CheckResult.choices if c[0]], label=_("Result"))
    note = forms.CharField(
        label=_("What was checked and found"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkControlForm(forms.Form):
    """From a risk's page: link one of the organisation's controls, optionally to a treatment action."""

    control = forms.ModelChoiceField(queryset=Control.objects.none(), label=_("Control"))
    treatment_action = forms.ModelChoiceField(
        queryset=TreatmentAction.objects.none(),
        required=False,
        label=_("For treatment action"),
        empty_label=_("— none —"),
    )

    def __init__(self, *args, organisation=None, risk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control"].queryset = Control.objects.filter(organisation=organisation).order_by("reference")
        self.fields["treatment_action"].queryset = (
            risk.actions.order_by("reference") if risk is not None else TreatmentAction.objects.none()
        )


class SoALineForm(OrganisationModelForm):
    """Decide one Annex A control: applicable or not, and why; and the controls that implement it."""

    applicable = forms.TypedChoiceField(
        choices=[("", "Not decided"), ("yes", "Applicable"), ("no", "Not applicable")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        label=_("Applicable?"),
        widget=forms.RadioSelect,
    )
    controls = forms.ModelMultipleChoiceField(
        queryset=Control.objects.none(),
        required=False,
        label=_("Implementing controls"),
        help_text=_("Your controls that carry out this Annex A control (the link is kept on each control)."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    fieldsets = [
        (_("Decision"), ["applicable", "owner"]),
        (_("Why it is included"), ["risks", "obligations", "business_need"]),
        (_("Why it is excluded"), ["exclusion_reason", "exclusion_justification"]),
        (_("Implementation"), ["controls", "notes"]),
    ]

    class Meta:
        model = SoALine
        fields = [
            "applicable",
            "owner",
            "risks",
            "obligations",
            "business_need",
            "exclusion_reason",
            "exclusion_justification",
            "controls",
            "notes",
        ]
        widgets = {
            "risks": forms.SelectMultiple(attrs={"size": 6}),
            "obligations": forms.Textarea(attrs={"rows": 2}),
            "business_need": forms.Textarea(attrs={"rows": 2}),
            "exclusion_justification": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = labels_for(model, risks=_("Risks that call for it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["controls"].queryset = Control.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["risks"].queryset = Risk.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["exclusion_reason"].choices = [("", "—"), *ExclusionReason.choices]
        if self.instance.pk:
            self.initial["applicable"] = {True: "yes", False: "no"}.get(self.instance.applicable, "")
            self.initial["controls"] = list(
                Control.objects.filter(organisation=self.organisation, requirements=self.instance.requirement)
            )

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("controls", None)
        return data


class EvidenceForm(OrganisationModelForm):
    """Evidence: on creation a file or a link; afterwards its description and links (new files are revisions)."""

    file = forms.FileField(
        required=False,
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    requirements = _requirements_field(label=_("Requirements it supports"))

    class Meta:
        model = Evidence
        fields = [
            "title",
            "reference",
            "owner",
            "description",
            "url",
            "effective_date",
            "expiry_date",
            "controls",
            "requirements",
            "ai_systems",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "effective_date": DATE,
            "expiry_date": DATE,
            "controls": forms.SelectMultiple(attrs={"size": 6}),
            "ai_systems": forms.SelectMultiple(attrs={"size": 5}),
        }
        labels = labels_for(model)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = visible_requirements(self.organisation)
        self.fields["controls"].queryset = Control.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["reference"].required = False
        creating = self.instance._state.adding
        if creating:
            self.fields["file"].help_text = upload_help()
        if not creating:
            del self.fields["file"]
            if self.instance.kind == "file":
                del self.fields["url"]
        self.fieldsets = [
            (_("Evidence"), ["title", "reference", "owner", "description"]),
            (_("Content"), ["file", "url"] if creating else (["url"] if "url" in self.fields else [])),
            (_("Dates"), ["effective_date", "expiry_date"]),
            (_("What it supports"), ["controls", "requirements", "ai_systems"]),
        ]
        self.fieldsets = [(legend, names) for legend, names in self.fieldsets if names]

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("file", None)
        return data


class RevisionForm(forms.Form):
    file = forms.FileField(
        label=_("New file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help() + " " + gettext("Earlier revisions are kept.")


class ReviewForm(forms.Form):
    review_status = forms.ChoiceField(choices=ReviewStatus.choices, label=_("Review result"))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=80)


class PolicyForm(OrganisationModelForm):
    requirements = _requirements_field(
        label=_("Requirements it answers"), help_text=_("E.g. 5.2 and A.2.2 for the AI policy.")
    )

    fieldsets = [
        (_("Policy"), ["title", "kind", "reference", "owner", "review_date"]),
        (_("Text"), ["body", "document", "change_summary"]),
        (_("Requirements"), ["requirements"]),
    ]

    class Meta:
        model = Policy
        fields = [
            "title",
            "kind",
            "reference",
            "owner",
            "review_date",
            "body",
            "document",
            "change_summary",
            "requirements",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
            "change_summary": forms.Textarea(attrs={"rows": 2}),
            "review_date": DATE,
        }
        labels = labels_for(model)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = visible_requirements(self.organisation)
        self.fields["document"].queryset = Evidence.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["reference"].required = False
        if not self.instance._state.adding:
            self.fields["reference"].disabled = True
            self.fields["reference"].help_text = _("Shared by every version of this policy.")


class RoadmapActionForm(OrganisationModelForm):
    requirement = forms.ModelChoiceField(
        queryset=Requirement.objects.none(), required=False, label=_("Requirement (gap)")
    )

    fieldsets = [
        (_("Action"), ["title", "reference", "owner", "phase", "due_date", "status"]),
        (_("The gap it closes"), ["requirement", "gap_kind", "control", "description"]),
    ]

    class Meta:
        model = RoadmapAction
        fields = [
            "title",
            "reference",
            "owner",
            "phase",
            "due_date",
            "status",
            "requirement",
            "gap_kind",
            "control",
            "description",
        ]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        labels = labels_for(model)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = visible_requirements(self.organisation)
        self.fields["requirement"].label_from_instance = lambda r: f"{r.framework.name} {r.identifier} {r.title}"
        self.fields["control"].queryset = Control.objects.filter(organisation=self.organisation).order_by("reference")
        self.fields["reference"].required = False
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Left empty, it is written from the gap.")
