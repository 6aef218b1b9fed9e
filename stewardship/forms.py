from django import forms


class DeletionRequestForm(forms.Form):
    confirm = forms.CharField(
        label="Type the organisation's short name to confirm",
        max_length=80,
        help_text="Deletion happens when the grace period ends; until then an administrator can cancel it.",
    )
