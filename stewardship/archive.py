"""The archive format shared by backups and organisation exports: a ZIP holding

- ``data/<app_label>.<model>.json`` — the rows of one model, in Django's portable JSON serialisation;
- ``media/<path>`` — the stored files (evidence), byte for byte;
- ``manifest.json`` — format, kind, creation time, applied migrations, row counts and the SHA-256 and
  size of every other entry, so a damaged or altered archive is refused on restore.

The rows are read in one transaction (REPEATABLE READ, read only, on PostgreSQL), so the archive is a
consistent snapshot even while the application keeps running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "aims-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class ArchiveError(Exception):
    """The archive is unreadable, altered, or does not fit this installation."""


class PreciseJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _HashingWriter:
    """A text stream the serialiser writes into: encodes, hashes and counts while writing to the ZIP entry."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> int:
        data = text.encode()
        self.digest.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(text)


def all_models() -> list:
    """Every concrete model with a table, auto-created many-to-many tables included, in a stable order."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def applied_migrations(using=DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        result.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(result.items())}


@contextlib.contextmanager
def snapshot(using=DEFAULT_DB_ALIAS):
    """One read transaction: REPEATABLE READ, READ ONLY on PostgreSQL (a consistent view of every table)."""
    connection = connections[using]
    outer = connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def media_name_ok(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def write_archive(
    target,
    *,
    kind: str,
    querysets: Iterable[tuple[type[models.Model], models.QuerySet, list[str] | None]],
    files: Iterable[str],
    extra: dict | None = None,
) -> dict:
    """Write an archive to ``target`` (a path or a binary file). Returns the manifest.

    ``querysets`` yields ``(model, queryset, fields)`` (``fields`` None = every field); ``files`` are
    storage names under MEDIA_ROOT. Call inside ``snapshot()`` for a consistent archive.
    """
    entries: dict[str, dict] = {}
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for model, queryset, fields in querysets:
            label = model._meta.label_lower
            name = f"data/{label}.json"
            with archive.open(name, "w", force_zip64=True) as raw:
                writer = _HashingWriter(raw)
                if fields is None and model._meta.many_to_many:
                    # Many-to-many rows are archived as their own tables (with their ids), not inside the row.
                    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                options = {"fields": fields} if fields else {}
                options["cls"] = PreciseJSONEncoder
                counter = _Counter(queryset.order_by("pk").iterator(chunk_size=2000))
                serializers.serialize("json", counter, stream=writer, **options)
            entries[name] = {"sha256": writer.digest.hexdigest(), "size": writer.size}
            counts[label] = counter.count
        for storage_name in sorted(set(files)):
            if not media_name_ok(storage_name) or not default_storage.exists(storage_name):
                continue
            name = f"media/{storage_name}"
            digest, size = hashlib.sha256(), 0
            with default_storage.open(storage_name, "rb") as source, archive.open(name, "w", force_zip64=True) as raw:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    raw.write(chunk)
            entries[name] = {"sha256": digest.hexdigest(), "size": size}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "created_at": timezone.now().isoformat(),
            "aims_version": settings.AIMS_VERSION,
            "database_vendor": connections[DEFAULT_DB_ALIAS].vendor,
            "migrations": applied_migrations(),
            "counts": counts,
            "entries": entries,
            **(extra or {}),
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


class _Counter:
    def __init__(self, iterable):
        self.iterable = iterable
        self.count = 0

    def __iter__(self):
        for item in self.iterable:
            self.count += 1
            yield item


def read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise ArchiveError(f"{MANIFEST} is missing or unreadable: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError("This is not an AIMS archive of a format this version can read.")
    return manifest


def verify_entries(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every entry is listed, present, of the stated size and SHA-256; nothing else is in the archive."""
    listed = set(manifest["entries"])
    present = set(archive.namelist()) - {MANIFEST}
    if present - listed:
        raise ArchiveError(f"Entries not in the manifest: {', '.join(sorted(present - listed)[:5])}")
    if listed - present:
        raise ArchiveError(f"Entries missing from the archive: {', '.join(sorted(listed - present)[:5])}")
    for name, expected in manifest["entries"].items():
        if name.startswith("media/") and not media_name_ok(name.removeprefix("media/")):
            raise ArchiveError(f"Unsafe file name in the archive: {name}")
        digest, size = hashlib.sha256(), 0
        with archive.open(name) as stream:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
        if digest.hexdigest() != expected["sha256"] or size != expected["size"]:
            raise ArchiveError(f"{name} does not match its SHA-256 in the manifest: the archive was altered.")
