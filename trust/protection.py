"""Abuse protection for the public forms (the concern form, and the organisation sign-up of ``onboarding``),
without third-party services.

- A signed form token (``django.core.signing``) carries the organisation, a random nonce and the time the
  form was served. A submission needs a valid token for the same organisation, no older than
  ``TRUST_CONCERN_MAX_FORM_AGE`` and no younger than ``TRUST_CONCERN_MIN_FILL_SECONDS`` (bots post at once).
  The nonce is also the idempotency key: the same form posted twice creates one concern.
- A honeypot field people never see must stay empty.
- Cache-based counters throttle per client IP and per organisation (``TRUST_CONCERN_RATE_*``).

The sign-up form uses the same pieces (``signed_form_token``, ``check_signed_form_token``, ``allow_from_ip``)
with its own salt and ``AIMS_SIGNUP_*`` settings.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

SALT = "trust.concern-form"


def signed_form_token(salt: str, bound: str = "") -> str:
    """A token for a public form: what it is bound to (an organisation's id, or nothing), a random nonce and the
    time it was served, signed with ``salt`` so that a token of one form never passes another."""
    return signing.dumps({"o": bound, "n": secrets.token_urlsafe(24), "t": time.time()}, salt=salt)


class TokenProblem(Exception):
    """The form token is missing, forged, expired or was filled too fast."""


def check_signed_form_token(
    token: str, salt: str, bound: str = "", *, min_fill_seconds: int, max_age: int, now: float | None = None
) -> str:
    """The submission key (SHA-256 of the nonce) of a valid token, else ``TokenProblem``."""
    try:
        data = signing.loads(token or "", salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise TokenProblem("expired or invalid") from exc
    if not isinstance(data, dict) or data.get("o") != bound or not data.get("n"):
        raise TokenProblem("wrong form")
    elapsed = (now or time.time()) - float(data.get("t", 0))
    if elapsed < min_fill_seconds:
        raise TokenProblem("too fast")
    return hashlib.sha256(str(data["n"]).encode()).hexdigest()


def form_token(organisation) -> str:
    return signed_form_token(SALT, str(organisation.pk))


def check_form_token(token: str, organisation, *, now: float | None = None) -> str:
    """The submission key of a valid concern-form token for ``organisation``, else ``TokenProblem``."""
    return check_signed_form_token(
        token,
        SALT,
        str(organisation.pk),
        min_fill_seconds=settings.TRUST_CONCERN_MIN_FILL_SECONDS,
        max_age=settings.TRUST_CONCERN_MAX_FORM_AGE,
        now=now,
    )


def client_ip(request) -> str:
    """The peer address. Behind a proxy, configure it to set REMOTE_ADDR (never trust a client header here)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one attempt; ``True`` while within ``limit`` for the window."""
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return count <= limit


def allow_from_ip(request, name: str, limit: int, window: int) -> bool:
    """Count one attempt at ``name`` (a public form) from the client's IP; ``False`` once over ``limit``."""
    key = f"{name}:ip:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    return _hit(key, limit, window)


def allow_submission(request, organisation) -> bool:
    """Throttle public submissions per client IP and per organisation (both must allow)."""
    window = settings.TRUST_CONCERN_RATE_WINDOW
    ip_key = "trust:concern:ip:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    org_key = f"trust:concern:org:{organisation.pk}"
    ip_ok = _hit(ip_key, settings.TRUST_CONCERN_RATE_PER_IP, window)
    org_ok = _hit(org_key, settings.TRUST_CONCERN_RATE_PER_ORGANISATION, window)
    return ip_ok and org_ok
