"""Sets ``request.organisation`` and ``request.role`` for signed-in browser sessions.

The current organisation is kept in the session; it is always re-checked against the user's memberships,
so a stale or forged session value never opens another organisation. API requests authenticated by a
token get the token's organisation instead (see ``aims.api.views.OrganisationScopedMixin``).
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import current_membership, memberships_for_request

SESSION_KEY = "aims_organisation_id"


class CurrentOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Resolved eagerly: a lazy wrapper around None would pass every `is None` check downstream.
        membership = None
        memberships = []
        if request.user.is_authenticated:
            memberships = list(memberships_for_request(request.user))
            membership = current_membership(request.user, request.session.get(SESSION_KEY), memberships)
        request.memberships = memberships  # the organisation switcher's list: read once per request
        request.membership = membership
        request.organisation = membership.organisation if membership else None
        return self.get_response(request)


# --- Session security, two-factor, external auditors ---------------------------------------------------------

SESSION_LAST_SEEN = "aims_last_seen"
SESSION_SIGNED_IN_AT = "aims_signed_in_at"
SESSION_TWO_FACTOR = "aims_two_factor"  # {"state": "ok" | "verify" | "enrol", "at": epoch seconds}
SESSION_SSO = "aims_sso"
_TWO_FACTOR_RECHECK_SECONDS = 300
_LAST_SEEN_WRITE_EVERY = 60

# Paths a signed-in user reaches before the second factor (and the exits).
_BEFORE_TWO_FACTOR = ("/account/two-factor/", "/logout/", "/static/", "/health/", "/login/")
# What an external auditor may open at all; the permission module then limits the objects to their scope.
# Higher apps append theirs (the evidence packs of ``reports``) with ``allow_external_auditor_path``.
EXTERNAL_AUDITOR_PATHS = [
    "/audits/internal/",
    "/audits/checklist/",
    "/audits/findings/",
    "/reports/",
    "/account/two-factor/",
    "/account/password/",
    "/account/switch/",
    "/account/preferences/",
    "/account/language/",
    "/logout/",
    "/static/",
    "/health/",
]
# Where an external auditor may also write (their own password and second factor; signing out).
_EXTERNAL_AUDITOR_POSTS = (
    "/account/two-factor/",
    "/account/password/",
    "/account/switch/",
    "/account/preferences/",
    "/account/language/",
    "/logout/",
)


def allow_external_auditor_path(prefix: str) -> None:
    if prefix not in EXTERNAL_AUDITOR_PATHS:
        EXTERNAL_AUDITOR_PATHS.append(prefix)


def two_factor_state(user) -> str:
    """``verify`` (has a second factor), ``enrol`` (must set one up) or ``ok``; asked at sign-in and every
    few minutes, and kept in the session so ordinary requests cost no query."""
    from accounts import security

    if security.has_two_factor(user):
        return "verify"
    if security.two_factor_required(user):
        return "enrol"
    return "ok"


def remember_sign_in(request, user, *, sso: bool = False) -> None:
    """Called at every sign-in: start the idle clock and note what the second factor needs."""
    request.session[SESSION_LAST_SEEN] = request.session[SESSION_SIGNED_IN_AT] = time.time()
    request.session[SESSION_SSO] = sso
    # Single sign-on: the identity provider applies its own multi-factor policy.
    state = "ok" if sso else two_factor_state(user)
    request.session[SESSION_TWO_FACTOR] = {"state": state, "at": time.time()}


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def _signed_out(request, message: str):
    next_path = request.get_full_path()
    logout(request)
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=401)
    messages.info(request, message)
    return redirect(f"{reverse('login')}?{urlencode({'next': next_path})}")


class AccessControlMiddleware:
    """After the organisation is known: idle timeout, ended memberships, the second factor, and the
    external auditor's narrow, logged view. Also makes the request available to ``record_access``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.access import reset_current_request, set_current_request

        token = set_current_request(request)
        try:
            try:
                response = self.check(request)
            except Http404:
                self.log_external(request, 404)
                raise
            if response is None:
                response = self.get_response(request)
            self.log_external(request, response.status_code, response.get("Content-Disposition", ""))
            return response
        finally:
            reset_current_request(token)

    def check(self, request):
        user = request.user
        if not user.is_authenticated or not hasattr(request, "session") or "_auth_user_id" not in request.session:
            return None  # anonymous, or an API token request (tokens have their own checks)
        now = time.time()
        last_seen = request.session.get(SESSION_LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            return _signed_out(
                request, _("You were signed out after %(minutes)s minutes without activity.") % {"minutes": minutes}
            )
        signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
        if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
            # Activity keeps extending the session cookie; the sign-in itself has an absolute lifetime.
            hours = settings.SESSION_COOKIE_AGE // 3600
            return _signed_out(
                request, _("Your session ended after %(hours)s hours: sign in again.") % {"hours": hours}
            )
        if last_seen is None or now - last_seen > _LAST_SEEN_WRITE_EVERY:
            request.session[SESSION_LAST_SEEN] = now

        if request.membership is None and self._membership_ended(user):
            return _signed_out(request, _("Your access to this organisation has ended."))

        response = self.check_two_factor(request, user, now)
        if response is not None:
            return response

        membership = request.membership
        if membership is not None and membership.expires_at is not None:
            return self.check_external(request)
        return None

    @staticmethod
    def _membership_ended(user) -> bool:
        from accounts.models import Membership

        return (
            not Membership.objects.effective().filter(user=user).exists()
            and Membership.objects.filter(user=user, expires_at__isnull=False).exists()
        )

    def check_two_factor(self, request, user, now):
        if request.session.get(SESSION_SSO) or user.is_verified():
            return None
        info = request.session.get(SESSION_TWO_FACTOR) or {}
        if not info or now - info.get("at", 0) > _TWO_FACTOR_RECHECK_SECONDS:
            info = {"state": two_factor_state(user), "at": now}
            request.session[SESSION_TWO_FACTOR] = info
        state = info["state"]
        if state == "ok" or request.path.startswith(_BEFORE_TWO_FACTOR):
            return None
        if _wants_json(request):
            return JsonResponse({"detail": _("Complete two-factor sign-in in the browser first.")}, status=403)
        target = "accounts:two-factor-verify" if state == "verify" else "accounts:two-factor"
        if state == "enrol":
            messages.warning(request, _("Your organisation requires two-factor sign-in: set up an authenticator app."))
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def check_external(request):
        path = request.path
        if path == "/":
            return redirect("audits:audit-list")
        if not path.startswith(tuple(EXTERNAL_AUDITOR_PATHS)):
            raise Http404
        if request.method not in ("GET", "HEAD") and not path.startswith(_EXTERNAL_AUDITOR_POSTS):
            raise Http404
        return None

    @staticmethod
    def log_external(request, status: int, disposition: str = "") -> None:
        membership = getattr(request, "membership", None)
        if membership is None or membership.expires_at is None or request.path.startswith("/static/"):
            return
        from accounts.access import record_access
        from accounts.models import AccessKind

        kind = AccessKind.DOWNLOAD if disposition.startswith("attachment") else AccessKind.PAGE_VIEW
        record_access(kind, request=request, detail=f"external auditor · HTTP {status}")
