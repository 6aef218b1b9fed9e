from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from aims.roles import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, help_text=_("An existing user, or a new account to create.")
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("For a new account: an invitation to set a password is sent here."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        initial="API token",
        help_text=_("What the token is for, e.g. 'MLOps pipeline'."),
    )
    read_only = forms.BooleanField(
        label=_("Read only"), required=False, help_text=_("A read-only token can never change data.")
    )


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
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
    )


class TwoFactorConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AccessLogFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label=_("Event"))
    q = forms.CharField(required=False, max_length=150, label=_("User"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from accounts.models import AccessKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any")), *AccessKind.choices]


class AuditorInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("The invitation link is sent here."))
    name = forms.CharField(required=False, max_length=200, label=_("Name or certification body"))
    expires_on = forms.DateField(
        label=_("Access until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Access ends at the end of this day (UTC)."),
    )
    audits = forms.MultipleChoiceField(
        label=_("Audits"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every audit (and evidence pack) of the organisation."),
    )

    def __init__(self, *args, audit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audits"].choices = list(audit_choices)


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def _time_zone_choices(empty_label):
    import zoneinfo

    zones = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
    return [("", empty_label), *zones] if empty_label else zones


class PreferencesForm(forms.ModelForm):
    """A person's language, time zone and date format. Empty language or zone: the organisation's default."""

    class Meta:
        from accounts.models import User

        model = User
        fields = ["language", "time_zone", "date_format"]
        widgets = {"date_format": forms.RadioSelect}

    def __init__(self, *args, organisation=None, **kwargs):
        from django.conf import settings

        from accounts.locale import timezone_name_for

        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        if organisation is not None and organisation.language in names:
            default_language = _("Organisation default (%(language)s)") % {"language": names[organisation.language]}
        else:
            default_language = _("Organisation default (your browser's language)")
        default_zone = _("Organisation default (%(zone)s)") % {"zone": timezone_name_for(organisation=organisation)}
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), required=False, choices=[("", default_language), *settings.LANGUAGES]
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"), required=False, choices=_time_zone_choices(default_zone)
        )
        self.fields["date_format"].label = _("Date format")
        self.fields["date_format"].help_text = _("How dates and times are written on the pages.")


class LanguageSwitchForm(forms.Form):
    """The user menu's quick switch: one of the languages, or empty for the organisation's default."""

    language = forms.ChoiceField(required=False)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", ""), *settings.LANGUAGES]


class OrganisationLocaleForm(forms.ModelForm):
    """The organisation's default language and time zone (administrators)."""

    class Meta:
        from accounts.models import Organisation

        model = Organisation
        fields = ["language", "time_zone"]

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Default language"),
            required=False,
            choices=[("", _("Each member's browser language")), *settings.LANGUAGES],
            help_text=_("For members who have not chosen their own language, and for e-mails and reports."),
        )
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=_time_zone_choices(None),
            help_text=_("Deadlines and review dates are counted in this zone; members may choose their own."),
        )


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
        self.fields["client_secret"].help_text = _("Leave empty to keep the stored secret.")

    def clean_client_secret(self):
        value = self.cleaned_data.get("client_secret")
        if not value and self.instance.pk:
            return self.instance.client_secret
        return value
