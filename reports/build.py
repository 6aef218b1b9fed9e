"""Building a pack or a dossier: gather the sections, lay out the PDF, assemble the ZIP.

The PDF is laid out section by section in forked processes and joined (``reports.layout``), so that the memory
peak is that of the largest section, not of the whole pack. Large tables are read in chunks (``iterator``) while
gathering and the ZIP is written file by file, streaming evidence files and CSV exports through a hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import uuid
import zipfile
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.locale import override_for
from reports import layout, services
from reports.manifest import MANIFEST_NAME, build_manifest
from reports.models import JobKind, ReportJob
from reports.sections import DOSSIER_SECTIONS, PACK_SECTIONS, PackContext

logger = logging.getLogger(__name__)


def context_for(job: ReportJob) -> PackContext:
    ids = {uuid.UUID(str(i)) for i in job.ai_system_ids} if job.ai_system_ids else None
    return PackContext(
        organisation=job.organisation,
        as_of=job.as_of,
        frameworks=list(job.frameworks) or ["iso42001"],
        system_ids=ids,
        dossier_system_id=job.ai_system_id if job.kind == JobKind.DOSSIER else None,
    )


def gather(job: ReportJob, ctx: PackContext, *, on_section=None) -> list[dict]:
    sections = DOSSIER_SECTIONS if job.kind == JobKind.DOSSIER else PACK_SECTIONS
    gathered = []
    for index, section in enumerate(sections):
        if on_section:
            on_section(index, len(sections), section)
        data = section.gather(ctx)
        if section.key == "frameworks" and not data.get("frameworks"):
            continue
        gathered.append({"section": section, "number": len(gathered) + 1, **data})
    return gathered


def render_html(job: ReportJob, ctx: PackContext, sections: list[dict], *, generated_at) -> str:
    """The whole document as one HTML page, as a single WeasyPrint call would lay it out (the benchmark's floor)."""
    return layout.single_html(job, ctx, sections, generated_at=generated_at)


def build_pdf(job: ReportJob, ctx: PackContext, *, on_section=None, generated_at=None) -> bytes:
    generated_at = generated_at or timezone.now()
    sections = gather(job, ctx, on_section=on_section)
    return layout.render(job, ctx, sections, generated_at=generated_at)


def pdf_page_count(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


# --- ZIP -------------------------------------------------------------------------------------------------------------
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    cleaned = _SAFE.sub("-", name).strip("-.") or "file"
    return cleaned[:120]


class _HashingWriter:
    """Writes to a ZIP entry while hashing and counting what passes through."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.handle.write(data)


def _add_bytes(archive: zipfile.ZipFile, path: str, content: bytes, kind: str, *, compress=True) -> dict:
    info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    archive.writestr(info, content)
    return {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "kind": kind}


def _add_stream(archive: zipfile.ZipFile, path: str, chunks, kind: str) -> dict:
    info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as handle:
        writer = _HashingWriter(handle)
        for chunk in chunks:
            writer.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
    return {"path": path, "sha256": writer.digest.hexdigest(), "size": writer.size, "kind": kind}


def _evidence_files(ctx: PackContext):
    """(path in the ZIP, evidence, revision) for each evidence file current at the date."""
    for item in ctx.evidence():
        revision = getattr(item, "revision", None)
        if revision is None:
            continue
        yield (
            f"evidence/{safe_name(item.reference)}/r{revision.number}-{safe_name(revision.original_name)}",
            item,
            revision,
        )


def _copy_file(archive, path: str, revision) -> dict:
    def chunks():
        with revision.file.open("rb") as handle:
            yield from iter(lambda: handle.read(1 << 20), b"")

    return _add_stream(archive, path, chunks(), "evidence")


def write_zip(job: ReportJob, ctx: PackContext, temp: Path, pdf: bytes, pdf_name: str, *, generated_at, step) -> int:
    """Write the pack's ZIP to ``temp``; returns the number of files in it (with the manifest)."""
    from reports.registers import register_csv_chunks, registers

    files = []
    with zipfile.ZipFile(temp, "w", allowZip64=True) as archive:
        files.append(_add_bytes(archive, pdf_name, pdf, "pdf", compress=False))
        step(_("Adding evidence files"), 80)
        for path, item, revision in _evidence_files(ctx):
            try:
                entry = _copy_file(archive, path, revision)
            except FileNotFoundError:
                logger.warning("Evidence file of %s r%s is missing from storage", item.reference, revision.number)
                continue
            if entry["sha256"] != revision.sha256:
                entry["note"] = "differs from the SHA-256 recorded at upload"
            files.append(entry)
        step(_("Exporting registers as CSV"), 90)
        for name, register in registers():
            files.append(_add_stream(archive, f"registers/{name}.csv", register_csv_chunks(register, ctx), "csv"))
        manifest = build_manifest(
            job, files=files, generated_at=generated_at, systems=ctx.systems(), pdf_pages=job.page_count
        )
        _add_bytes(archive, MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False).encode(), "manifest")
    return len(files) + 1


def run(job_id) -> str:
    """The body of the build task. Returns what happened: "complete", "skipped" (complete or held elsewhere) or
    "lost" (another attempt took over). Raises on errors (the task retries, then marks the job failed)."""
    token = services.claim(job_id)
    if token is None:
        return "skipped"
    job = ReportJob.objects.select_related("organisation", "requested_by", "ai_system").get(pk=job_id)
    # The PDF, its headings and the progress stages are in the organisation's language, not the worker's.
    with override_for(organisation=job.organisation):
        return _build(job, token)


def _build(job: ReportJob, token) -> str:
    services.remove_partials(job)
    ctx = context_for(job)
    generated_at = timezone.now()

    def step(stage: str, percent: int) -> None:
        services.progress(job.pk, token, stage, percent)

    def on_section(index, total, section):
        step(_("Reading: %(section)s") % {"section": section.title}, 5 + int(45 * index / total))

    temp = services.job_folder(job) / f"{job.pk}.{token}.part"
    try:
        sections = gather(job, ctx, on_section=on_section)
        step(_("Laying out the PDF"), 55)
        pdf = layout.render(job, ctx, sections, generated_at=generated_at)
        job.page_count = pdf_page_count(pdf)
        stamp = timezone.localtime(job.as_of).strftime("%Y-%m-%d")
        base = f"{job.reference}-{job.organisation.slug}-{stamp}"
        if job.kind == JobKind.DOSSIER:
            step(_("Writing the PDF"), 90)
            temp.write_bytes(pdf)
            final_name = f"{base}-dossier.pdf"
        else:
            step(_("Writing the ZIP"), 75)
            write_zip(job, ctx, temp, pdf, f"{base}.pdf", generated_at=generated_at, step=step)
            final_name = f"{base}.zip"
        del pdf
        step(_("Finishing"), 98)
        if not services.finish(job, token, temp, final_name, page_count=job.page_count):
            return "lost"
        return "complete"
    except services.LeaseLost:
        temp.unlink(missing_ok=True)
        return "lost"
    except BaseException:
        # Leave no partial file; the task decides between a retry and a final failure.
        temp.unlink(missing_ok=True)
        raise
