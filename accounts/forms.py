from django import forms
from django.contrib.auth.forms import AuthenticationForm

from aims.roles import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="An existing user, or a new account to create.")
    email = forms.EmailField(
        required=False, help_text="For a new account: an invitation to set a password is sent here."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, initial="API token", help_text="What the token is for, e.g. 'MLOps pipeline'."
    )
    read_only = forms.BooleanField(required=False, help_text="A read-only token can never change data.")
