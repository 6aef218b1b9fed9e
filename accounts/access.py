"""The access log: ``record_access`` is the one way to write it; the signal handlers below feed it.

Other apps call ``record_access(AccessKind.EXPORT, request=request, detail=...)``. Without ``request`` the
request being served is used when there is one (set by ``accounts.middleware.AccessControlMiddleware``), so
helpers deep in a call chain (``aims.exports.export_response``) need not pass it along.
"""

from __future__ import annotations

import contextvars

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import Signal, receiver

from accounts.models import AccessKind, AccessLog, Membership

# Sent with ``rows`` after every write: the audit trail (a higher app) chains them. The rows are written with
# bulk_create, which sends no post_save.
access_recorded = Signal()

_current_request: contextvars.ContextVar = contextvars.ContextVar("aims_current_request", default=None)


def set_current_request(request):
    return _current_request.set(request)


def reset_current_request(token) -> None:
    _current_request.reset(token)


def current_request():
    return _current_request.get()


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: a client-supplied X-Forwarded-For would let anyone write another address here.
    # Behind a trusted proxy, the proxy sets REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    value = request.META.get("REMOTE_ADDR") or None
    return value[:45] if value else None


def record_access(
    kind: str,
    *,
    request=None,
    user=None,
    organisation=None,
    username: str = "",
    detail: str = "",
    every_organisation: bool = False,
) -> list[AccessLog]:
    """Write one access-log event and return the rows written.

    ``organisation`` defaults to the request's; when there is none but the user is known (a sign-in), the
    event is written once for each organisation the user belongs to, as it is with ``every_organisation``
    (sign-in and sign-out concern all of them). ``username`` is for failed sign-ins.
    """
    request = request if request is not None else current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if organisation is None and request is not None and not every_organisation:
        organisation = getattr(request, "organisation", None)
    base = {
        "kind": kind,
        "user": user if user is not None and user.pk else None,
        "username": (username or (user.get_username() if user is not None else ""))[:150],
        "detail": (detail or "")[:500],
    }
    if request is not None:
        base.update(
            ip_address=_client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            method=request.method[:10] if request.method else "",
            path=request.get_full_path()[:500],
        )
    if organisation is not None and not every_organisation:
        organisations = [organisation]
    elif base["user"] is not None:
        organisations = [m.organisation for m in Membership.objects.filter(user=user).select_related("organisation")]
    else:
        organisations = []
    rows = [AccessLog(organisation=o, **base) for o in organisations] or [AccessLog(organisation=None, **base)]
    with transaction.atomic():
        written = AccessLog.objects.bulk_create(rows)
        access_recorded.send(sender=AccessLog, rows=written)
    return written


@receiver(user_logged_in, dispatch_uid="aims_access_login")
def _on_login(sender, request, user, **kwargs):
    from accounts.middleware import remember_sign_in

    backend = getattr(user, "backend", "") or ""
    sso = "oidc" in backend.lower()
    detail = "single sign-on" if sso else "password"
    if request is not None and hasattr(request, "session"):
        remember_sign_in(request, user, sso=sso)
    record_access(AccessKind.LOGIN, request=request, user=user, detail=detail, every_organisation=True)


@receiver(user_logged_out, dispatch_uid="aims_access_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_access(AccessKind.LOGOUT, request=request, user=user, every_organisation=True)


@receiver(user_login_failed, dispatch_uid="aims_access_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    from accounts.models import User

    username = str(credentials.get("username") or "")[:150]
    if not username:
        return  # an OpenID Connect callback without a match is logged by its view
    user = User.objects.filter(username=username).first()
    locked = request is not None and getattr(request, "axes_locked_out", False)
    record_access(
        AccessKind.LOCKED_OUT if locked else AccessKind.LOGIN_FAILED,
        request=request,
        user=user,
        username=username,
        every_organisation=True,
        detail="too many failed attempts" if locked else "",
    )
