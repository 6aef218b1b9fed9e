"""Forms of the KPI register, management reviews and AI incidents."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from audits.builtin_kpis import builtin_choices
from audits.constants import DecisionKind, HarmType
from audits.forms import DATE, DATETIME, FIELD_LABELS, rows
from audits.models import KPI, Incident, ManagementReview, ReviewAction
from registry.forms import CommaSeparatedMultipleChoiceField

# Labels of model fields without a verbose name of their own (adding one would need a migration).
MORE_LABELS = {
    **FIELD_LABELS,
    "name": _("Name"),
    "kind": _("Kind"),
    "unit": _("Unit"),
    "objective": _("AI objective measured"),
    "direction": _("Direction"),
    "target": _("Target"),
    "amber_threshold": _("Amber threshold"),
    "red_threshold": _("Red threshold"),
    "definition": _("Definition"),
    "planned_date": _("Meeting date"),
    "location": _("Location"),
    "chair": _("Chair"),
    "other_attendees": _("Other attendees"),
    "completion_note": _("What was done"),
    "severity": _("Severity"),
    "detected_at": _("Detected at"),
    "root_cause": _("Root cause"),
    "lessons_learned": _("Lessons learned"),
}


class KPIForm(OrganisationModelForm):
    builtin_key = forms.ChoiceField(
        choices=[("", "—"), *builtin_choices()],
        required=False,
        label=_("Computation"),
        help_text=_("For a KPI computed from AIMS data: which computation."),
    )

    fieldsets = [
        (_("KPI"), ["reference", "name", "kind", "builtin_key", "unit", "owner", "objective", "is_active"]),
        (_("Target and thresholds"), ["direction", "target", "amber_threshold", "red_threshold"]),
        (_("Definition"), ["definition"]),
    ]

    class Meta:
        model = KPI
        fields = [
            "reference",
            "name",
            "kind",
            "builtin_key",
            "unit",
            "owner",
            "objective",
            "is_active",
            "direction",
            "target",
            "amber_threshold",
            "red_threshold",
            "definition",
        ]
        labels = MORE_LABELS
        widgets = {"definition": rows(3)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = self.fields["objective"].queryset.order_by("reference")


class KPIValueForm(forms.Form):
    value = forms.DecimalField(max_digits=16, decimal_places=4, label=_("Value"))
    taken_at = forms.DateTimeField(
        required=False, widget=DATETIME, label=_("Measured at"), help_text=_("Left empty, now.")
    )
    note = forms.CharField(required=False, max_length=300, label=_("Note"))


class AddBuiltinForm(forms.Form):
    key = forms.ChoiceField(choices=builtin_choices(), label=_("Built-in KPI"))


# --- Management review -----------------------------------------------------------------------------------------


class ReviewForm(OrganisationModelForm):
    class Meta:
        model = ManagementReview
        fields = [
            "reference",
            "title",
            "planned_date",
            "location",
            "chair",
            "attendees",
            "other_attendees",
            "top_management_present",
        ]
        labels = MORE_LABELS
        widgets = {"planned_date": DATE, "attendees": forms.SelectMultiple(attrs={"size": 5})}


class HoldForm(forms.Form):
    """The meeting as held."""

    held_on = forms.DateField(widget=DATE, label=_("Held on"))
    top_management_present = forms.BooleanField(required=False, label=_("Top management was present"))
    minutes = forms.CharField(widget=rows(5), required=False, label=_("Discussion"))
    conclusions = forms.CharField(
        widget=rows(3), label=_("Conclusions"), help_text=_("Is the AIMS still suitable, adequate and effective?")
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["attendees"] = forms.ModelMultipleChoiceField(
            queryset=User.objects.filter(memberships__organisation=organisation).order_by("username"),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 5}),
            label=_("Attendees (members)"),
        )
        self.order_fields(["held_on", "attendees", "top_management_present", "minutes", "conclusions"])


class DecisionForm(forms.Form):
    """A decision of the review and the tracked action it creates."""

    kind = forms.ChoiceField(choices=DecisionKind.choices, label=_("Kind of decision"))
    decision = forms.CharField(widget=rows(2), label=_("Decision"))
    action_title = forms.CharField(
        max_length=200, required=False, label=_("Action"), help_text=_("Left empty, the decision's first line.")
    )
    due_date = forms.DateField(widget=DATE, label=_("Due"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["owner"] = forms.ModelChoiceField(
            queryset=User.objects.filter(memberships__organisation=organisation).order_by("username"),
            label=_("Action owner"),
        )
        self.order_fields(["kind", "decision", "action_title", "owner", "due_date"])


class ReviewActionForm(OrganisationModelForm):
    class Meta:
        model = ReviewAction
        fields = ["reference", "title", "owner", "due_date", "status", "completion_note"]
        labels = MORE_LABELS
        widgets = {"due_date": DATE, "completion_note": rows(3)}


# --- Incidents ------------------------------------------------------------------------------------------------


class IncidentForm(OrganisationModelForm):
    harm_types = CommaSeparatedMultipleChoiceField(choices=HarmType.choices, required=False, label=_("Harm"))

    fieldsets = [
        (
            _("Incident"),
            ["reference", "title", "ai_systems", "severity", "status", "detected_at", "reported_by", "owner"],
        ),
        (_("What happened"), ["description", "harm_types", "affected_persons", "affected_count", "containment"]),
        (_("EU AI Act Art. 73"), ["serious", "serious_category", "aware_at"]),
        (_("Follow-up"), ["root_cause", "lessons_learned"]),
    ]

    class Meta:
        model = Incident
        fields = [
            "reference",
            "title",
            "ai_systems",
            "severity",
            "status",
            "detected_at",
            "reported_by",
            "owner",
            "description",
            "harm_types",
            "affected_persons",
            "affected_count",
            "containment",
            "serious",
            "serious_category",
            "aware_at",
            "root_cause",
            "lessons_learned",
        ]
        labels = MORE_LABELS
        widgets = {
            "detected_at": DATETIME,
            "aware_at": DATETIME,
            "description": rows(3),
            "affected_persons": rows(2),
            "containment": rows(2),
            "root_cause": rows(2),
            "lessons_learned": rows(2),
            "ai_systems": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"detected_at": _("In the organisation's time zone.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = self.fields["ai_systems"].queryset.order_by("reference")
        self.fields["ai_systems"].label_from_instance = lambda s: f"{s.reference} {s.name} ({s.get_eu_tier_display()})"


class EscalationForm(forms.Form):
    notified = forms.CharField(max_length=200, label=_("Who was notified"))
    notified_at = forms.DateTimeField(widget=DATETIME, label=_("When"))
    channel = forms.CharField(max_length=100, required=False, label=_("How"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class AuthorityReportForm(forms.Form):
    reported_to_authority_at = forms.DateTimeField(widget=DATETIME, label=_("Reported at"))
    authority = forms.CharField(max_length=200, label=_("Authority"))
    authority_reference = forms.CharField(max_length=100, required=False, label=_("Authority's reference"))


class IncidentCloseForm(forms.Form):
    lessons_learned = forms.CharField(widget=rows(3), required=False, label=_("Lessons learned"))
