"""Checks on an uploaded evidence file before anything is written: size, allowed type, and content that
matches the extension (magic bytes), plus its SHA-256.

The type is decided from the content and the extension together, never from the browser's claimed
content type. A refusal is a ``ServiceError`` on the ``file`` field with a message a person can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.services import ServiceError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_HEAD = 64 * 1024
_CHUNK = 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "txt": "text/plain",
    "md": "text/markdown",
}
TYPE_NAMES = {
    "pdf": _("a PDF document"),
    "png": _("a PNG image"),
    "jpg": _("a JPEG image"),
    "jpeg": _("a JPEG image"),
    "docx": _("a Word document"),
    "xlsx": _("an Excel workbook"),
    "csv": _("a CSV file (UTF-8 text)"),
    "txt": _("a text file (UTF-8)"),
    "md": _("a Markdown file (UTF-8 text)"),
}
ACCEPTED_LABEL = _("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV, text (.txt) and Markdown (.md)")
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in CONTENT_TYPES)


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _is_text(head: bytes, complete: bool) -> bool:
    """UTF-8 without NUL bytes. ``complete``: ``head`` is the whole file (a cut multi-byte character at the end
    of a partial head is not an error)."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _zip_has(upload, member: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and member in names


def content_matches(extension: str, head: bytes, upload, *, complete: bool = True) -> bool:
    """Does the content look like what the extension says?"""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "docx":
        return head.startswith(b"PK\x03\x04") and _zip_has(upload, "word/document.xml")
    if extension == "xlsx":
        return head.startswith(b"PK\x03\x04") and _zip_has(upload, "xl/workbook.xml")
    if extension in ("csv", "txt", "md"):
        return _is_text(head, complete)
    return False


def clean_file_name(name: str) -> str:
    """The uploader's file name, kept only for display and the download (never used as a path)."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?') or "file"
    return base[-255:]


def check_upload(upload) -> CheckedFile:
    """Check an uploaded file (a Django ``UploadedFile``) and hash it, reading it in chunks."""
    name = clean_file_name(getattr(upload, "name", "") or "")
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in CONTENT_TYPES:
        if extension:
            message = gettext("Files .%(extension)s are not accepted. Upload %(accepted)s.")
        else:
            message = gettext("Files without an extension are not accepted. Upload %(accepted)s.")
        raise ServiceError(message % {"extension": extension, "accepted": ACCEPTED_LABEL}, field="file")
    size = upload.size or 0
    limit = max_bytes()
    if size > limit:
        raise ServiceError(
            gettext("“%(name)s” is %(size)s; the limit for evidence files is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            field="file",
        )
    if size == 0:
        raise ServiceError(gettext("“%(name)s” is empty.") % {"name": name}, field="file")
    upload.seek(0)
    head = upload.read(_HEAD)
    upload.seek(0)
    if not content_matches(extension, head, upload, complete=len(head) >= size):
        raise ServiceError(
            gettext(
                "“%(name)s” does not contain %(type)s: its content does not match its .%(extension)s extension. "
                "Upload the original file, or save it in the format its name says."
            )
            % {"name": name, "type": TYPE_NAMES[extension], "extension": extension},
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks(_CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(_CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name, extension, CONTENT_TYPES[extension], size, digest.hexdigest())
