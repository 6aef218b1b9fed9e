"""Laying out a pack or a dossier part by part: the cover with the contents, then each section on its own.

One WeasyPrint call for a whole pack holds every laid-out page in memory until the PDF is written (about 1.2 GB
for 220 dense pages) and uses one core. Here each section is its own part (``aims.pdf.render_document``): laid out
in a forked process, ``REPORTS_LAYOUT_PROCESSES`` at a time, and joined with pypdf, which also writes the
"Page x of y" footers, the outline and the links between sections. The contents and the documented-information
index print the real page numbers: they are laid out again once the length of every section is known.

``single_html`` is the same document in one piece, as one call would lay it out (the benchmark's floor).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aims.pdf import DocumentPart, render_document
from reports.models import JobKind


def _template(job) -> str:
    return "reports/pdf/dossier.html" if job.kind == JobKind.DOSSIER else "reports/pdf/pack.html"


def document_context(job, ctx, sections: list[dict], *, generated_at) -> dict:
    """What the cover, the contents and the sections print."""
    systems = ctx.systems()
    return {
        "job": job,
        "organisation": job.organisation,
        "as_of": job.as_of,
        "generated_at": generated_at,
        "sections": sections,
        "systems": systems,
        "system": systems[0] if job.kind == JobKind.DOSSIER and systems else None,
        "frameworks": job.framework_labels,
        "figures": [
            (len(systems), _("AI systems")),
            (len(ctx.risks()), _("risks")),
            (len(ctx.controls()), _("controls")),
            (len(ctx.evidence()), _("evidence items")),
        ],
    }


def single_html(job, ctx, sections: list[dict], *, generated_at) -> str:
    """The whole document as one HTML page (page numbers by ``target-counter``)."""
    context = document_context(job, ctx, sections, generated_at=generated_at)
    return render_to_string(_template(job), {**context, "front": True, "body_sections": sections})


def parts(job, ctx, sections: list[dict], *, generated_at) -> list[DocumentPart]:
    """The cover with the contents, then one part per section."""
    context = document_context(job, ctx, sections, generated_at=generated_at)
    template = _template(job)

    def part(front: bool, body: list[dict]) -> DocumentPart:
        return DocumentPart(
            lambda page_numbers: render_to_string(
                template, {**context, "front": front, "body_sections": body, "page_numbers": page_numbers}
            )
        )

    return [part(True, []), *(part(False, [section]) for section in sections)]


def page_label(page: int, pages: int) -> str:
    return f"{pgettext('page 3 of 10', 'Page')} {page} {pgettext('page 3 of 10', 'of')} {pages}"


def render(job, ctx, sections: list[dict], *, generated_at, processes: int | None = None) -> bytes:
    """The PDF of the pack or dossier, laid out part by part."""
    if processes is None:
        processes = settings.REPORTS_LAYOUT_PROCESSES
    return render_document(
        parts(job, ctx, sections, generated_at=generated_at), processes=processes, page_label=page_label
    )
