"""Users, organisations (the tenants), memberships with roles, and API tokens."""

import hashlib
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.roles import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone (use an IANA name such as Europe/Berlin).") % {"value": value},
            code="unknown_time_zone",
        )


def validate_language(value: str) -> None:
    if value and value not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(gettext("%(value)s is not an available language.") % {"value": value}, code="invalid")


class DateFormat(models.TextChoices):
    """How dates are written on pages (``aims_date`` / ``aims_datetime``); the stored values are API values."""

    ISO = "iso", _("ISO 8601 (2026-03-31)")
    LOCALE = "locale", _("As usual in my language (31 Mar 2026)")


class User(AbstractUser):
    """A person who signs in. Their rights come from their memberships, never from the user row.

    ``language`` and ``time_zone`` empty mean "my organisation's default" (see ``accounts.locale``).
    """

    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        validators=[validate_language],
        help_text=_("Empty: the organisation's default language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_timezone],
        help_text=_("Empty: the organisation's time zone."),
    )
    date_format = models.CharField(_("date format"), max_length=10, choices=DateFormat.choices, default=DateFormat.ISO)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(models.Model):
    """The tenant. Every domain record belongs to exactly one organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(
        _("default language"),
        max_length=10,
        blank=True,
        default="",
        validators=[validate_language],
        help_text=_(
            "For members who have not chosen their own language, and for e-mails and reports. "
            "Empty: each member's browser language."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Administrators, officers and external auditors must sign in with a second factor (TOTP)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def effective(self, now=None):
        """Memberships in force: without an end, or ending later than ``now`` (external auditors)."""
        now = now or timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class Membership(models.Model):
    """A user's place in an organisation, with the one role that decides what they may do there.

    An external auditor's membership ends at ``expires_at`` (or at once when the invitation is revoked,
    which sets it to the moment of revocation); from then on it opens nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("External auditors only: access ends here."))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="accounts_membership_unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} as {self.get_role_display()}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for one user in one organisation. Only its SHA-256 is stored; the key is shown once."""

    PREFIX_LENGTH = 8

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="API token")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate_key(cls) -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def mark_used(self) -> bool:
        """Record last use; written at most once a minute so reads do not turn into writes. True when written."""
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
            return True
        return False


class AccessKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Signed out")
    TWO_FACTOR = "two_factor", _("Two-factor change")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_USED = "token_used", _("API token used")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ROLE_CHANGED = "role_changed", _("Role changed")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Evidence download")
    PAGE_VIEW = "page_view", _("Page view (external auditor)")
    INVITATION = "invitation", _("External auditor invitation")


class AccessLog(models.Model):
    """One security-relevant event: who, what, when, from where. Written by ``record_access`` only, never edited.

    Events about a person rather than an organisation (a sign-in) are written once for each organisation
    the person belongs to, so that each organisation's officers see the whole story of their members.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="access_log"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=AccessKind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text=_("As typed, for failed sign-ins."))
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation", "-at"], name="accounts_accesslog_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class AuditorInvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class AuditorInvitation(models.Model):
    """An external auditor's time-limited, read-only access to an organisation's audits (and evidence packs).

    ``audit_ids`` empty means every audit of the organisation; otherwise only the named audits (kept as
    ids because audits live in a higher app that accounts must not import).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="auditor_invitations")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True, help_text=_("Person or certification body."))
    expires_at = models.DateTimeField(help_text=_("Access ends at this moment."))
    audit_ids = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = AuditorInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Auditor invitation for {self.email}"

    @property
    def whole_organisation(self) -> bool:
        return not self.audit_ids

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active" if self.accepted_at else "pending"


class OidcProvider(models.Model):
    """An organisation's OpenID Connect identity provider for single sign-on.

    Members sign in at the provider; the ``email`` claim (or ``preferred_username``) must match an existing
    member. With ``sso_only`` the organisation's members can no longer sign in with a password.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="oidc_provider")
    enabled = models.BooleanField(_("enabled"), default=True)
    sso_only = models.BooleanField(
        _("single sign-on only"),
        default=False,
        help_text=_("Refuse password sign-in for this organisation's members (site admins excepted)."),
    )
    issuer = models.URLField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    authorization_endpoint = models.URLField(_("authorization endpoint"), max_length=300)
    token_endpoint = models.URLField(_("token endpoint"), max_length=300)
    userinfo_endpoint = models.URLField(_("user info endpoint"), max_length=300, blank=True)
    jwks_uri = models.URLField(_("JWKS URI"), max_length=300)
    signing_algorithm = models.CharField(
        _("signing algorithm"),
        max_length=10,
        default="RS256",
        choices=[("RS256", "RS256"), ("ES256", "ES256"), ("HS256", "HS256")],
    )
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    match_claim = models.CharField(
        _("match claim"),
        max_length=40,
        default="email",
        choices=[("email", "email"), ("preferred_username", "preferred_username")],
    )
    history = HistoricalRecords(excluded_fields=["client_secret"])

    class Meta:
        verbose_name = _("OpenID Connect provider")

    def __str__(self) -> str:
        return f"SSO for {self.organisation}: {self.issuer}"
