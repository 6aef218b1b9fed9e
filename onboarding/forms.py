"""Forms of the guided setup: short versions of the registers' own forms (the fields a first pass needs),
the questionnaire, the roadmap choices, organisation creation and the template library."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model

from aims.forms import OrganisationModelForm
from onboarding.models import DocumentTemplate, GapAnswer
from registry.forms import AISystemForm
from registry.forms_context import InterestedPartyForm
from registry.models import AISystem


class ScopeForm(forms.Form):
    boundaries = forms.CharField(
        label="What does the AIMS cover?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The activities, products and AI systems in scope, e.g. “All AI systems the claims department "
        "develops or buys, from design to retirement”.",
    )
    units = forms.CharField(
        label="Organisational units",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Departments, teams or subsidiaries inside the scope.",
    )
    ai_roles = forms.CharField(
        label="Your roles for AI",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Developer, provider, deployer (user), importer, distributor — and for which systems.",
    )
    locations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1}))


class SetupPartyForm(InterestedPartyForm):
    fieldsets = None

    class Meta(InterestedPartyForm.Meta):
        fields = ["name", "kind", "requirements"]
        widgets = {"requirements": forms.Textarea(attrs={"rows": 2})}
        labels = {"requirements": "What they expect of your AI"}


class SetupSystemForm(AISystemForm):
    fieldsets = None

    class Meta(AISystemForm.Meta):
        fields = [
            "name",
            "intended_purpose",
            "intended_users",
            "operator_role",
            "human_oversight",
            "in_scope",
            "scope_justification",
        ]
        widgets = {
            "intended_purpose": forms.Textarea(attrs={"rows": 2}),
            "intended_users": forms.Textarea(attrs={"rows": 2}),
            "human_oversight": forms.Textarea(attrs={"rows": 2}),
            "scope_justification": forms.Textarea(attrs={"rows": 2}),
        }


class RoadmapForm(forms.Form):
    pilot_system = forms.ModelChoiceField(
        queryset=AISystem.objects.none(),
        required=False,
        help_text="The system the AIMS is tried on first, end to end. A high-risk system makes a telling pilot.",
    )
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), help_text="Accountable for the actions.")
    start = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot_system"].queryset = AISystem.objects.filter(organisation=organisation).order_by("reference")
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organisation name")
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label="Short name (address)",
        help_text="Letters, digits and hyphens; made from the name when left empty.",
    )
    time_zone = forms.ChoiceField(initial="UTC")
    administrator = forms.CharField(
        required=False,
        label="Administrator (username)",
        help_text="Site administrators only: the user who will administer it. Empty: you.",
    )

    def __init__(self, *args, site_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        if not site_admin:
            del self.fields["administrator"]

    def clean_administrator(self):
        username = (self.cleaned_data.get("administrator") or "").strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("No user has this username.")
        return user


class InstantiateForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), help_text="Who will own the document.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )


class DocumentTemplateForm(OrganisationModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["title", "summary", "kind", "body", "requirements"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from controls.constants import ISO42001_KEY

        self.fields["requirements"].queryset = (
            self.fields["requirements"]
            .queryset.model.objects.filter(
                framework__key=ISO42001_KEY, framework__organisation__isnull=True, assessable=True
            )
            .order_by("sort_order")
        )
        self.fields["requirements"].widget.attrs["size"] = 10


ANSWER_CHOICES = [("", "—")] + list(GapAnswer.Answer.choices)


def answer_field_names(pk) -> tuple[str, str]:
    return f"answer-{pk}", f"note-{pk}"


class QuestionnaireForm(forms.Form):
    """One answer and one "where is the evidence?" per requirement of a section (dynamic fields)."""

    def __init__(self, *args, items, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            answer_name, note_name = answer_field_names(item.pk)
            existing = answers.get(item.pk)
            choices = ANSWER_CHOICES if item.annex else ANSWER_CHOICES[:-1]
            self.fields[answer_name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"{item.identifier} {item.title}",
                initial=existing.answer if existing else "",
            )
            self.fields[note_name] = forms.CharField(
                required=False,
                max_length=2000,
                label="Where is the evidence?",
                initial=existing.evidence_note if existing else "",
            )

    def rows(self):
        for item in self.items:
            answer_name, note_name = answer_field_names(item.pk)
            yield item, self[answer_name], self[note_name]
