"""Forms of the AIMS context registers: the scope statement, context issues and interested parties."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from registry.models import ContextIssue, InterestedParty, ScopeStatement


class ScopeStatementForm(OrganisationModelForm):
    """The texts of a draft scope. Version, status and approval are set by the services, never typed in."""

    fieldsets = [
        (_("Boundaries"), ["boundaries", "exclusions"]),
        (_("Where and who"), ["units", "locations", "ai_roles"]),
    ]

    class Meta:
        model = ScopeStatement
        fields = ["boundaries", "units", "locations", "ai_roles", "exclusions"]
        widgets = {
            "boundaries": forms.Textarea(attrs={"rows": 5}),
            "units": forms.Textarea(attrs={"rows": 3}),
            "locations": forms.Textarea(attrs={"rows": 3}),
            "ai_roles": forms.Textarea(attrs={"rows": 3}),
            "exclusions": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "exclusions": _("For each exclusion, say why it is excluded and why that does not weaken the AIMS."),
        }


class ContextIssueForm(OrganisationModelForm):
    fieldsets = [
        (_("Issue"), ["reference", "title", "kind", "owner", "next_review"]),
        (_("Description and effect"), ["description", "effect_on_aims"]),
    ]

    class Meta:
        model = ContextIssue
        fields = ["reference", "title", "kind", "owner", "description", "effect_on_aims", "next_review"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "effect_on_aims": forms.Textarea(attrs={"rows": 4}),
            "next_review": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class InterestedPartyForm(OrganisationModelForm):
    fieldsets = [
        (_("Party"), ["reference", "name", "kind", "owner"]),
        (_("Requirements"), ["requirements", "addressed", "how_addressed"]),
    ]

    class Meta:
        model = InterestedParty
        fields = ["reference", "name", "kind", "owner", "requirements", "addressed", "how_addressed"]
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "how_addressed": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"how_addressed": _("Required when the AIMS addresses the requirements.")}
