"""Forms of the guided setup: short versions of the registers' own forms (the fields a first pass needs),
the questionnaire, the roadmap choices, organisation creation and the template library."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from onboarding.models import DocumentTemplate, GapAnswer
from registry.forms import AISystemForm
from registry.forms_context import InterestedPartyForm
from registry.models import AISystem


class ScopeForm(forms.Form):
    boundaries = forms.CharField(
        label=_("What does the AIMS cover?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The activities, products and AI systems in scope, e.g. “All AI systems the claims department "
            "develops or buys, from design to retirement”."
        ),
    )
    units = forms.CharField(
        label=_("Organisational units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Departments, teams or subsidiaries inside the scope."),
    )
    ai_roles = forms.CharField(
        label=_("Your roles for AI"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Developer, provider, deployer (user), importer, distributor — and for which systems."),
    )
    locations = forms.CharField(required=False, label=_("Locations"), widget=forms.Textarea(attrs={"rows": 1}))


class SetupPartyForm(InterestedPartyForm):
    fieldsets = None

    class Meta(InterestedPartyForm.Meta):
        fields = ["name", "kind", "requirements"]
        widgets = {"requirements": forms.Textarea(attrs={"rows": 2})}
        labels = {"requirements": _("What they expect of your AI")}


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
        label=_("Pilot system"),
        help_text=_("The system the AIMS is tried on first, end to end. A high-risk system makes a telling pilot."),
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Owner"), help_text=_("Accountable for the actions.")
    )
    start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot_system"].queryset = AISystem.objects.filter(organisation=organisation).order_by("reference")
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Organisation name"))
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label=_("Short name (address)"),
        help_text=_("Letters, digits and hyphens; made from the name when left empty."),
    )
    time_zone = forms.ChoiceField(initial="UTC", label=_("Time zone"))
    administrator = forms.CharField(
        required=False,
        label=_("Administrator (username)"),
        help_text=_("Site administrators only: the user who will administer it. Empty: you."),
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
            raise forms.ValidationError(gettext("No user has this username."))
        return user


class InstantiateForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Owner"), help_text=_("Who will own the document.")
    )

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


ANSWER_CHOICES = [("", "—"), *GapAnswer.Answer.choices]


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
                label=_("Where is the evidence?"),
                initial=existing.evidence_note if existing else "",
            )

    def rows(self):
        for item in self.items:
            answer_name, note_name = answer_field_names(item.pk)
            yield item, self[answer_name], self[note_name]


class SignUpForm(forms.Form):
    """A new person and their organisation. ``website`` is a honeypot (hidden from people); ``form_token`` is the
    signed token of ``trust.protection`` (minimum fill time, maximum age)."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("For resetting your password and for notifications."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What you sign in with: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("The company or public body whose AI management system this is. You become its owner."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=400)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # At request time, in the reader's language (the validators translate their own texts).
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        get_user_model().username_validator(username)
        return username

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", gettext("The two passwords differ."))
        elif password1:
            # The project's validators (length, common, numeric, similar to the name, username or email).
            first, _space, last = (data.get("full_name") or "").partition(" ")
            person = get_user_model()(
                username=data.get("username", ""), email=data.get("email", ""), first_name=first, last_name=last
            )
            try:
                password_validation.validate_password(password1, person)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
