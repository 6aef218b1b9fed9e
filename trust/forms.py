"""Forms of the trust centre: the page settings, a system's listing, the concern form and triage."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from registry.models import AISystem
from trust.models import Concern, PublishedSystem, TrustPage
from trust.services import LISTING_FIELDS, PAGE_FIELDS


class TrustPageForm(OrganisationModelForm):
    certificate = forms.FileField(required=False, label=_("Certificate (PDF)"))

    fieldsets = [
        (_("Page"), ["published", "slug", "display_name", "introduction", "publish_introduction", "accept_concerns"]),
        (_("AI policy"), ["policy_summary", "publish_policy_summary"]),
        (_("Contact"), ["contact_email", "contact_text", "publish_contact"]),
        (
            _("Certification"),
            [
                "certification_standard",
                "certification_body",
                "certificate_number",
                "certificate_valid_from",
                "certificate_valid_until",
                "certificate",
                "publish_certification",
                "publish_certificate_file",
            ],
        ),
    ]

    class Meta:
        model = TrustPage
        fields = list(PAGE_FIELDS)
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "policy_summary": forms.Textarea(attrs={"rows": 5}),
            "contact_text": forms.Textarea(attrs={"rows": 2}),
            "certificate_valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "certificate_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        # Labels here rather than verbose names on the model: the same words, translatable, without a migration.
        labels = {
            "slug": _("Slug"),
            "published": _("Published"),
            "display_name": _("Display name"),
            "introduction": _("Introduction"),
            "publish_introduction": _("Publish introduction"),
            "policy_summary": _("AI policy summary"),
            "publish_policy_summary": _("Publish policy summary"),
            "contact_email": _("Contact email"),
            "contact_text": _("Other contact details"),
            "publish_contact": _("Publish contact"),
            "certification_standard": _("Certification standard"),
            "certification_body": _("Certification body"),
            "certificate_number": _("Certificate number"),
            "certificate_valid_from": _("Certificate valid from"),
            "certificate_valid_until": _("Certificate valid until"),
            "publish_certification": _("Publish certification"),
            "publish_certificate_file": _("Publish certificate file"),
            "accept_concerns": _("Accept concerns"),
        }


class ListingForm(forms.ModelForm):
    class Meta:
        model = PublishedSystem
        fields = [name for name in LISTING_FIELDS if name != "sort_order"]
        widgets = {"user_information": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "published": _("Published"),
            "publish_purpose": _("Publish the intended purpose"),
            "publish_intended_users": _("Publish intended users"),
            "publish_human_oversight": _("Publish human oversight"),
            "publish_eu_tier": _("Publish the EU AI Act tier"),
            "user_information": _("Information for users"),
            "publish_user_information": _("Publish user information"),
        }


class SystemChoiceField(forms.ModelChoiceField):
    """Systems by name only: the public form never shows internal references."""

    def label_from_instance(self, obj):
        return obj.name


class ConcernForm(forms.Form):
    """The public (and in-product) concern form. ``website`` is the honeypot: hidden from people."""

    what_happened = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Describe what the AI system did or what worries you. Please leave out other people's personal data."
        ),
    )
    ai_system = SystemChoiceField(
        queryset=AISystem.objects.none(),
        required=False,
        label=_("Which AI system?"),
        empty_label=_("Not sure / not listed"),
    )
    system_description = forms.CharField(
        required=False,
        max_length=200,
        label=_("Or describe the system"),
        help_text=_("E.g. “the chat on your website”."),
    )
    occurred = forms.CharField(required=False, max_length=100, label=_("When did it happen?"))
    anonymous = forms.BooleanField(required=False, initial=True, label=_("Report anonymously"))
    contact_name = forms.CharField(required=False, max_length=120, label=_("Your name (optional)"))
    contact_email = forms.EmailField(
        required=False,
        label=_("Your email (optional)"),
        help_text=_("Only if you want updates by email. Not used for anything else."),
    )
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=400)

    def __init__(self, *args, systems=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what_happened"].max_length = settings.TRUST_CONCERN_MAX_LENGTH
        self.fields["what_happened"].validators.append(
            forms.CharField(max_length=settings.TRUST_CONCERN_MAX_LENGTH).validators[-1]
        )
        self.fields["ai_system"].queryset = AISystem.objects.filter(pk__in=[s.pk for s in systems]).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("anonymous") and (data.get("contact_email") or data.get("contact_name")):
            self.add_error("anonymous", gettext("Untick “anonymously” to leave contact details, or leave them empty."))
        return data


class TriageForm(forms.Form):
    into = forms.ChoiceField(choices=Concern.TriagedInto.choices, label=_("Becomes"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Triage note (internal)"))


class ReporterMessageForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label=_("Message to the reporter")
    )
    close = forms.BooleanField(required=False, label=_("Close the concern"))
