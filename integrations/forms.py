from django import forms

from aims.events import EVENT_TYPES
from aims.forms import OrganisationModelForm
from integrations.models import WebhookEndpoint


class WebhookEndpointForm(OrganisationModelForm):
    event_types = forms.MultipleChoiceField(
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Events sent to this endpoint.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "active"]


class OscalImportForm(forms.Form):
    file = forms.FileField(label="OSCAL catalog (JSON)", help_text="An OSCAL 1.x catalog in JSON.")
    key = forms.SlugField(
        max_length=40, required=False, help_text="Short key for the framework (from the title if empty)."
    )
    dry_run = forms.BooleanField(required=False, initial=True, label="Dry run: check the file, import nothing")
