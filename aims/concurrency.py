"""Optimistic concurrency shared by the API (ETag / If-Match) and the forms (a hidden version field).

A record's *version* is a hash of its stored column values: any save that changes a field (and every save of
a model with ``updated_at``) gives a new version. A writer that read version A and sends it back is refused
when the record is now at version B, instead of overwriting the other person's change silently.

Writes lock the row first (``SELECT ... FOR UPDATE``), then read it, compare the version and apply the
change inside the same transaction, so two racing writers are serialised and neither loses an update.
"""

from __future__ import annotations

import hashlib

from django.db import models

VERSION_FIELD = "_version"


def object_version(obj: models.Model) -> str:
    """A short, stable hash of the record's stored column values."""
    digest = hashlib.sha256(obj._meta.label_lower.encode())
    for field in obj._meta.concrete_fields:
        digest.update(b"\x1f")
        digest.update(field.attname.encode())
        digest.update(b"=")
        digest.update(repr(getattr(obj, field.attname, None)).encode())
    return digest.hexdigest()[:32]


def etag_for(obj: models.Model) -> str:
    return f'"{object_version(obj)}"'


def lock_row(model: type[models.Model], pk) -> None:
    """Lock one row until the end of the current transaction (no-op on SQLite, which locks the database)."""
    list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def reload(obj: models.Model) -> models.Model:
    """The stored record as it is now (for the version after a write)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def if_match_satisfied(header: str | None, obj: models.Model) -> bool:
    """RFC 9110 If-Match: ``*`` or a list of entity tags; weak tags (``W/``) never match for a write."""
    if header is None:
        return True
    header = header.strip()
    if header == "*":
        return True
    current = etag_for(obj)
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    return any(tag == current for tag in tags if not tag.startswith("W/"))
