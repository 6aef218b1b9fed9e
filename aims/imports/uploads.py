"""Keeping an uploaded file between the preview and the import, for the person who uploaded it only.

The bytes go to ``MEDIA_ROOT/imports/<organisation>/<user>/<token>.upload`` (media is never served by URL);
the session remembers which register and format a token is for. A token from another session, user or
organisation finds nothing. Files older than a day are removed whenever the same person uploads again.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "aims_imports"
MAX_KEPT = 5
MAX_AGE_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder(request) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(request.organisation.pk) / str(request.user.pk)


def _purge(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


def keep_upload(request, content: bytes, *, register: str, fmt: str, filename: str) -> str:
    """Store ``content`` and return the token that finds it again in this session."""
    folder = _folder(request)
    folder.mkdir(parents=True, exist_ok=True)
    _purge(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(content)
    kept = dict(request.session.get(SESSION_KEY, {}))
    for old in list(kept)[: max(0, len(kept) - MAX_KEPT + 1)]:
        discard_upload(request, old, kept=kept)
    kept[token] = {"register": register, "format": fmt, "filename": filename[:200]}
    request.session[SESSION_KEY] = kept
    return token


def load_upload(request, token: str) -> tuple[bytes, dict] | None:
    """The stored bytes and their details, or None when the token is unknown here or the file is gone."""
    if not _TOKEN.match(token or ""):
        return None
    meta = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder(request) / f"{token}.upload"
    if meta is None or not path.is_file():
        return None
    return path.read_bytes(), meta


def discard_upload(request, token: str, *, kept: dict | None = None) -> None:
    if not _TOKEN.match(token or ""):
        return
    (_folder(request) / f"{token}.upload").unlink(missing_ok=True)
    if kept is None:
        kept = dict(request.session.get(SESSION_KEY, {}))
        kept.pop(token, None)
        request.session[SESSION_KEY] = kept
    else:
        kept.pop(token, None)
