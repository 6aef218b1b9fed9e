"""Recompute the hashes of a pack's files against its manifest and report every mismatch."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from reports.manifest import MANIFEST_NAME


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.checked > 0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "files_checked": self.checked, "problems": self.problems}


def verify_zip(path: Path | str, *, expected_sha256: str = "") -> Verification:
    result = Verification()
    path = Path(path)
    if not path.is_file():
        result.problems.append(_("%(name)s: the file is missing") % {"name": path.name})
        return result
    if expected_sha256:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected_sha256:
            result.problems.append(
                _("%(name)s: SHA-256 of the pack differs from the one recorded when it was built") % {"name": path.name}
            )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        result.problems.append(_("%(name)s: not a readable ZIP file") % {"name": path.name})
        return result
    with archive:
        try:
            result.manifest = json.loads(archive.read(MANIFEST_NAME))
        except (KeyError, ValueError):
            result.problems.append(_("%(manifest)s is missing or unreadable") % {"manifest": MANIFEST_NAME})
            return result
        listed = {entry["path"]: entry for entry in result.manifest.get("files", [])}
        present = {name for name in archive.namelist() if not name.endswith("/")} - {MANIFEST_NAME}
        for name in sorted(present - set(listed)):
            result.problems.append(_("%(name)s: in the ZIP but not in the manifest") % {"name": name})
        for name, entry in sorted(listed.items()):
            if name not in present:
                result.problems.append(_("%(name)s: in the manifest but missing from the ZIP") % {"name": name})
                continue
            digest = hashlib.sha256()
            size = 0
            with archive.open(name) as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
            result.checked += 1
            if digest.hexdigest() != entry.get("sha256"):
                result.problems.append(_("%(name)s: SHA-256 mismatch") % {"name": name})
            if size != entry.get("size"):
                result.problems.append(
                    _("%(name)s: size %(size)s differs from the manifest's %(expected)s")
                    % {"name": name, "size": size, "expected": entry.get("size")}
                )
    return result


def verify_pdf(path: Path | str, *, expected_sha256: str) -> Verification:
    """A dossier is a single PDF: its hash against the one recorded when it was built."""
    result = Verification()
    path = Path(path)
    if not path.is_file():
        result.problems.append(_("%(name)s: the file is missing") % {"name": path.name})
        return result
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result.checked = 1
    if digest != expected_sha256:
        result.problems.append(_("%(name)s: SHA-256 mismatch") % {"name": path.name})
    return result


def verify_job(job) -> Verification:
    from reports.models import JobKind, JobStatus
    from reports.services import file_of

    path = file_of(job)
    if job.status != JobStatus.COMPLETE or path is None:
        result = Verification()
        result.problems.append(
            _("%(reference)s is not complete; there is nothing to verify") % {"reference": job.reference}
        )
        return result
    if job.kind == JobKind.DOSSIER:
        return verify_pdf(path, expected_sha256=job.sha256)
    return verify_zip(path, expected_sha256=job.sha256)
