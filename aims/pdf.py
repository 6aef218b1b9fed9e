"""PDF rendering with WeasyPrint, shared by every app, with a URL fetcher that cannot reach the outside.

A PDF is rendered from HTML the app wrote itself, but that HTML holds user text; a link or an ``<img>`` in it
must never make the server fetch a file from its disk (``file://``) or from the network (SSRF). The fetcher
here therefore answers only ``data:`` URLs and the app's own static files (``/static/...``, read through the
staticfiles finders); every other URL is refused, and WeasyPrint leaves that resource out.

Templates link the shared print stylesheet with ``{% static 'css/print.css' %}``; relative static URLs resolve
against ``STATIC_BASE`` (an address that is never contacted, only parsed).
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint reports every rendering step at INFO; keep its warnings (a refused URL) and errors only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Never contacted: relative URLs in the HTML are joined to it, and the fetcher maps its /static/ paths to files.
STATIC_BASE = "https://aims-static.invalid/"
_STATIC_HOST = urlsplit(STATIC_BASE).netloc


class PDFResourceRefused(ValueError):
    """A URL a PDF may not load (anything but ``data:`` and the app's static files)."""


def _static_prefix() -> str:
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    return prefix if prefix != "//" else "/static/"


def static_file_bytes(url: str) -> tuple[bytes, str] | None:
    """The content and type of an app static file named by ``url`` (``/static/css/print.css`` or the same
    under ``STATIC_BASE``), or None when ``url`` names anything else."""
    parts = urlsplit(url)
    foreign = parts.scheme not in ("http", "https") or parts.netloc != _STATIC_HOST
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = unquote(parts.path)
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = PurePosixPath(path[len(prefix) :])
    if not relative.parts or any(part in ("..", "") or part.startswith(".") for part in relative.parts):
        return None
    found = finders.find(str(relative))
    if not found and settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
        root = Path(settings.STATIC_ROOT).resolve()
        found = str(candidate) if candidate.is_file() and root in candidate.parents else None
    if not found:
        return None
    if isinstance(found, list):
        found = found[0]
    with open(found, "rb") as handle:
        content = handle.read()
    content_type = mimetypes.guess_type(str(relative))[0] or "application/octet-stream"
    return content, content_type


@functools.cache
def safe_url_fetcher_class():
    """The fetcher class, built on first use so that importing this module does not load WeasyPrint."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """Answers ``data:`` URLs and the app's static files; refuses every other URL (file, http, ftp ...)."""

        def __init__(self, **kwargs):
            kwargs.setdefault("allowed_protocols", ("data", "http", "https"))
            kwargs.setdefault("allow_redirects", False)
            kwargs.setdefault("timeout", 5)
            super().__init__(**kwargs)

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            static = static_file_bytes(url)
            if static is None:
                raise PDFResourceRefused(f"PDFs may load only data: URLs and the app's static files, not {url[:120]!r}")
            content, content_type = static
            return URLFetcherResponse(url, body=content, headers={"Content-Type": content_type})

    return SafeURLFetcher


def safe_url_fetcher():
    """A fresh fetcher instance (WeasyPrint keeps per-request state on it)."""
    return safe_url_fetcher_class()()


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html``. Relative URLs resolve against ``base_url`` (default ``STATIC_BASE``); only
    ``data:`` URLs and the app's static files are ever loaded."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or STATIC_BASE, url_fetcher=safe_url_fetcher())
    return document.write_pdf()
