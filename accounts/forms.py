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


class PasswordLoginForm(LoginForm):
    """The sign-in form, refusing password sign-in for members of an SSO-only organisation."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from accounts.security import password_login_refusal

        refusal = password_login_refusal(user)
        if refusal:
            raise forms.ValidationError(refusal, code="sso_only")


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )


class TwoFactorConfirmForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AccessLogFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Event")
    q = forms.CharField(required=False, max_length=150, label="User")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from accounts.models import AccessKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any"), *AccessKind.choices]


class AuditorInviteForm(forms.Form):
    email = forms.EmailField(help_text="The invitation link is sent here.")
    name = forms.CharField(required=False, max_length=200, label="Name or certification body")
    expires_on = forms.DateField(
        label="Access until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Access ends at the end of this day (UTC).",
    )
    audits = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every audit (and evidence pack) of the organisation.",
    )

    def __init__(self, *args, audit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audits"].choices = list(audit_choices)


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class OrganisationSecurityForm(forms.ModelForm):
    class Meta:
        from accounts.models import Organisation

        model = Organisation
        fields = ["require_two_factor"]


class OidcProviderForm(forms.ModelForm):
    class Meta:
        from accounts.models import OidcProvider

        model = OidcProvider
        fields = [
            "enabled",
            "sso_only",
            "issuer",
            "client_id",
            "client_secret",
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
            "signing_algorithm",
            "scopes",
            "match_claim",
        ]
        widgets = {"client_secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_secret"].help_text = "Leave empty to keep the stored secret."

    def clean_client_secret(self):
        value = self.cleaned_data.get("client_secret")
        if not value and self.instance.pk:
            return self.instance.client_secret
        return value
