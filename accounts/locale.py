"""Which language, time zone and date format a person or an organisation reads AIMS in.

The one place other apps ask when they produce text outside a request: e-mails to a recipient, PDFs built by a
worker for an organisation. Inside a request ``LocaleMiddleware`` (below) has already activated the right
language, time zone and date format.

Order of preference: the person's own choice, then their organisation's default, then (in a request) the
browser's Accept-Language, then the site default (settings.LANGUAGE_CODE / settings.TIME_ZONE).
"""

from __future__ import annotations

import contextvars
import zoneinfo
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

ISO = "iso"
LOCALE = "locale"

# The date format of the person being served: read by the ``aims_date`` / ``aims_datetime`` template filters,
# which cannot see the request. A context variable, so threads and async tasks never see each other's.
_date_format: contextvars.ContextVar[str] = contextvars.ContextVar("aims_date_format", default=ISO)


def supported_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def language_for(*, user=None, organisation=None) -> str:
    """The language code to use for ``user`` (in ``organisation``), falling back to the site default."""
    supported = supported_languages()
    for candidate in (getattr(user, "language", ""), getattr(organisation, "language", "")):
        if candidate and candidate in supported:
            return candidate
    return settings.LANGUAGE_CODE


@lru_cache(maxsize=64)
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def timezone_name_for(*, user=None, organisation=None) -> str:
    """The IANA name of the time zone for ``user`` (in ``organisation``): theirs, the organisation's, the site's."""
    for candidate in (getattr(user, "time_zone", ""), getattr(organisation, "time_zone", "")):
        if candidate and _zone(candidate) is not None:
            return candidate
    return settings.TIME_ZONE


def timezone_for(*, user=None, organisation=None) -> zoneinfo.ZoneInfo:
    """The time zone (a ``ZoneInfo``) for ``user`` (in ``organisation``)."""
    return _zone(timezone_name_for(user=user, organisation=organisation)) or zoneinfo.ZoneInfo("UTC")


def date_format_for(*, user=None) -> str:
    """``iso`` or ``locale``: how dates are written for ``user`` (ISO 8601 unless they chose otherwise)."""
    value = getattr(user, "date_format", "") or ISO
    return value if value in (ISO, LOCALE) else ISO


def current_date_format() -> str:
    return _date_format.get()


@contextmanager
def override_for(*, user=None, organisation=None):
    """Activate the language of ``user``/``organisation`` for the block (e-mails, PDFs, job output)."""
    with translation.override(language_for(user=user, organisation=organisation)):
        yield


@contextmanager
def override_all_for(*, user=None, organisation=None):
    """Language, time zone and date format of ``user``/``organisation`` for the block (e-mails, PDFs)."""
    reset = _date_format.set(date_format_for(user=user))
    try:
        with (
            translation.override(language_for(user=user, organisation=organisation)),
            timezone.override(timezone_for(user=user, organisation=organisation)),
        ):
            yield
    finally:
        _date_format.reset(reset)


# --- In a request --------------------------------------------------------------------------------------------


def request_language(request, *, user=None, organisation=None) -> str:
    """The language for a request: the user's, the organisation's, the browser's (Accept-Language), English."""
    supported = supported_languages()
    for candidate in (getattr(user, "language", ""), getattr(organisation, "language", "")):
        if candidate and candidate in supported:
            return candidate
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if header:
        for accepted, _quality in translation.trans_real.parse_accept_lang_header(header):
            if accepted == "*":
                break
            try:
                return translation.get_supported_language_variant(accepted)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def activate_for_request(request, *, user=None, organisation=None) -> None:
    """Activate language, time zone and date format for this request and note the language on it.

    Called by ``LocaleMiddleware`` for browser sessions and again by token authentication for API requests,
    whose user is only known once DRF has authenticated them.

    The API gets the language (its messages are read by people) but keeps UTC: DRF writes every datetime in
    the active time zone, and an API whose timestamps change offset with the caller's preferences would be a
    different contract per user (clients compare them, webhooks and exports carry UTC). ``GET
    /api/v1/me/preferences/`` tells a client the person's zone (``effective_time_zone``).
    """
    language = request_language(request, user=user, organisation=organisation)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    if is_api(request):
        timezone.deactivate()
    else:
        timezone.activate(timezone_for(user=user, organisation=organisation))
    _date_format.set(date_format_for(user=user))


class LocaleMiddleware:
    """Activate the language (pages and API) and time zone (pages) of the signed-in person for every request.

    Placed after authentication and ``CurrentOrganisationMiddleware`` so that both the user's choices and
    their current organisation's defaults are known. Sets Content-Language (and Vary: Accept-Language, as the
    language of anonymous pages follows the browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        user = user if user is not None and user.is_authenticated else None
        activate_for_request(request, user=user, organisation=getattr(request, "organisation", None))
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language",))
        if not response.streaming:
            # The next request on this thread starts from the defaults, whoever it belongs to. A streamed
            # response (a large export) is still to be produced, in this language: the next request's
            # activation replaces it.
            timezone.deactivate()
            translation.deactivate()
            _date_format.set(ISO)
        return response
