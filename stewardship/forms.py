from django import forms
from django.utils.translation import gettext_lazy as _


class DeletionRequestForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the organisation's short name to confirm"),
        max_length=80,
        help_text=_("Deletion happens when the grace period ends; until then an administrator can cancel it."),
    )
