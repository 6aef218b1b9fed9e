from django import forms
from django.utils.translation import gettext_lazy as _

from aims.events import EVENT_TYPES
from aims.forms import OrganisationModelForm
from integrations.models import WebhookEndpoint


class WebhookEndpointForm(OrganisationModelForm):
    event_types = forms.MultipleChoiceField(
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Event types"),
        help_text=_("Events sent to this endpoint."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "active"]
        labels = {"name": _("Name"), "url": _("URL"), "active": _("Active")}


class OscalImportForm(forms.Form):
    file = forms.FileField(label=_("OSCAL catalog (JSON)"), help_text=_("An OSCAL 1.x catalog in JSON."))
    key = forms.SlugField(
        max_length=40,
        required=False,
        label=_("Key"),
        help_text=_("Short key for the framework (from the title if empty)."),
    )
    dry_run = forms.BooleanField(required=False, initial=True, label=_("Dry run: check the file, import nothing"))
