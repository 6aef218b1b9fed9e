"""Which language (and time zone) a person or an organisation reads AIMS in.

The one place other apps ask when they produce text outside a request: e-mails to a recipient, PDFs built by a
worker for an organisation. Inside a request the locale middleware has already activated the right language.

Order of preference: the person's own choice, then their organisation's default, then the site default.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation


def language_for(*, user=None, organisation=None) -> str:
    """The language code to use for ``user`` (in ``organisation``), falling back to the site default."""
    supported = {code for code, _name in settings.LANGUAGES}
    for candidate in (getattr(user, "language", ""), getattr(organisation, "language", "")):
        if candidate and candidate in supported:
            return candidate
    return settings.LANGUAGE_CODE


@contextmanager
def override_for(*, user=None, organisation=None):
    """Activate the language of ``user``/``organisation`` for the block (e-mails, PDFs, job output)."""
    with translation.override(language_for(user=user, organisation=organisation)):
        yield
