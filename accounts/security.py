"""Sign-in rules: two-factor (TOTP with recovery codes), SSO-only organisations, lockout wording.

Views, the API token exchange and the middleware ask these functions; none of them decides on its own.
"""

from __future__ import annotations

from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import record_access
from accounts.models import AccessKind, Membership, OidcProvider
from aims.permissions import ADMIN_ROLES, OFFICER_ROLES
from aims.services import ServiceError

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
_TWO_FACTOR_ROLES = ADMIN_ROLES | OFFICER_ROLES


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-in attempts. Sign-in for this account from your address is locked for "
        "%(minutes)s minutes; try again later or ask an administrator to unlock it."
    ) % {"minutes": minutes}


# --- Password sign-in and SSO-only organisations ------------------------------------------------------------


def sso_only_organisations(user):
    return OidcProvider.objects.filter(
        enabled=True, sso_only=True, organisation__memberships__in=Membership.objects.effective().filter(user=user)
    ).select_related("organisation")


def password_login_refusal(user) -> str:
    """Why ``user`` may not sign in with a password (empty when they may). Site administrators always may."""
    if user.is_superuser:
        return ""
    provider = sso_only_organisations(user).first()
    if provider is None:
        return ""
    return _(
        "%(organisation)s signs in through single sign-on only: "
        "use “Sign in with single sign-on” and the organisation “%(slug)s”."
    ) % {"organisation": provider.organisation.name, "slug": provider.organisation.slug}


# --- Two-factor ---------------------------------------------------------------------------------------------


def has_two_factor(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def two_factor_required(user) -> bool:
    """True when one of the user's organisations requires a second factor for the user's role there:
    administrators, officers and external auditors of an organisation with ``require_two_factor``."""
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.effective().filter(user=user, organisation__require_two_factor=True)
    return any(m.role in _TWO_FACTOR_ROLES or m.expires_at is not None for m in memberships.only("role", "expires_at"))


def verify_code(user, code: str):
    """The device (TOTP or recovery codes) that accepts ``code``, or ``None``. A code is accepted once."""
    code = "".join((code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (one at a time), created when needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no external service sees the secret)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def confirm_totp(user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; returns the device and new recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ServiceError(_("Start the set-up again: no authenticator is waiting for confirmation."), field="code")
    code = "".join((code or "").split())
    if not code.isdigit() or not device.verify_token(code):
        raise ServiceError(
            _("That code is not right. Check the time on your phone and try the next code."), field="code"
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator per person
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record_access(AccessKind.TWO_FACTOR, user=user, detail="authenticator app enrolled", every_organisation=True)
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    if not has_two_factor(user):
        raise ServiceError(_("Set up an authenticator app first."))
    codes = _new_recovery_codes(user)
    record_access(AccessKind.TWO_FACTOR, user=user, detail="new recovery codes", every_organisation=True)
    return codes


@transaction.atomic
def disable_two_factor(user) -> None:
    if two_factor_required(user):
        raise ServiceError(_("Your organisation requires two-factor for your role: it cannot be turned off."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_access(AccessKind.TWO_FACTOR, user=user, detail="two-factor turned off", every_organisation=True)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): JSON for the API, a page otherwise."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=429)
