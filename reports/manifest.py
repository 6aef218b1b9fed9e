"""The pack's ``manifest.json``: every file with its SHA-256 and size, and what the pack is.

``build_manifest`` is the ONE place where the manifest's fields are assembled; add new fields (for example
the head of a tamper-evident history chain) here, and ``verify`` keeps working as it reads only ``files``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from trail.services import chain_head

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "aims-evidence-pack/1"


def build_manifest(job, *, files: list[dict], generated_at, systems: list, pdf_pages: int | None) -> dict:
    """``files``: ``[{"path", "sha256", "size", "kind"}]`` for every file in the ZIP except the manifest."""
    organisation = job.organisation
    return {
        "format": MANIFEST_FORMAT,
        "software": "AIMS",
        "software_version": settings.AIMS_VERSION,
        "pack": job.reference,
        "kind": job.kind,
        "organisation": {"name": organisation.name, "slug": organisation.slug},
        "as_of": timezone.localtime(job.as_of).isoformat(timespec="seconds"),
        "generated_at": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "requested_by": job.requested_by.get_username() if job.requested_by_id else None,
        "frameworks": list(job.frameworks),
        "ai_systems": [{"reference": s.reference, "name": s.name} for s in systems],
        "pdf_pages": pdf_pages,
        "hash_algorithm": "sha256",
        # The audit trail's head at the as-of date: a later verify_trail that reaches this link with this hash
        # shows that nothing recorded before the pack was altered afterwards.
        "trail_head": _trail_head(organisation, job.as_of),
        "files": sorted(files, key=lambda f: f["path"]),
    }


def _trail_head(organisation, as_of) -> dict:
    head = chain_head(organisation, as_of)
    return {**head, "at": head["at"].isoformat(timespec="seconds") if head["at"] else None}
