"""The evidence-pack request form: frameworks (ISO/IEC 42001 always), AI systems (all in scope when none is
chosen) and the as-of date (today when empty)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import PackFramework

OPTIONAL_FRAMEWORKS = [(k, v) for k, v in PackFramework.choices if k != PackFramework.ISO42001]


class PackRequestForm(forms.Form):
    frameworks = forms.MultipleChoiceField(
        label=_("Also cover"),
        choices=OPTIONAL_FRAMEWORKS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ISO/IEC 42001 is always covered."),
    )
    ai_systems = forms.ModelMultipleChoiceField(
        label=_("AI systems"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for every system in the AIMS scope."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The pack shows the AIMS as it was at the end of this day. Empty: now."),
    )

    def __init__(self, *args, systems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = systems
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The as-of date cannot be in the future."))
        return value
