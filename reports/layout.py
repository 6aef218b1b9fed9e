"""Laying out a pack or a dossier part by part: the cover with the contents, then each section on its own.

One WeasyPrint call for a whole pack holds every laid-out page in memory until the PDF is written (about 1.2 GB
for 220 dense pages) and uses one core. Here each section is its own part (``aims.pdf.render_document``): laid out
in a forked process, ``REPORTS_LAYOUT_PROCESSES`` at a time, and joined with pypdf, which also writes the
"Page x of y" footers, the outline and the links between sections. The contents and the documented-information
index print the real page numbers: they are laid out again once the length of every section is known.
Small sections share a part, and a short document (a dossier, a small pack) is laid out in one call as before.

``single_html`` is the same document in one piece, as one call lays it out (also the benchmark's floor).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aims.pdf import DocumentPart, PendingPageNumbers, render_document, render_pdf
from reports.models import JobKind

# Sections are joined into one part until it holds this much HTML (about 5 dense pages); a larger section is a part
# of its own.
MIN_PART_CHARS = 60_000
# A document with less HTML than this (about 50 pages) is laid out in one call, as a whole: each part costs about
# a page's layout and the contents are laid out twice, which a short document does not win back.
SINGLE_CALL_CHARS = 300_000


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


def _section_html(context: dict, section: dict, page_numbers) -> str:
    return render_to_string("reports/pdf/section.html", {**context, "s": section, "page_numbers": page_numbers})


def single_html(job, ctx, sections: list[dict], *, generated_at) -> str:
    """The whole document as one HTML page (page numbers by ``target-counter``), as one WeasyPrint call would lay
    it out."""
    context = document_context(job, ctx, sections, generated_at=generated_at)
    body = [mark_safe(_section_html(context, s, None)) for s in sections]  # noqa: S308  # nosec B308 B703 - our own rendered template
    return render_to_string(_template(job), {**context, "front": True, "body_html": body})


class _Fragment:
    """A section's HTML, rendered once; again with the real page numbers if it printed any."""

    def __init__(self, context: dict, section: dict):
        self.context, self.section = context, section
        probe = PendingPageNumbers()
        self.html = _section_html(context, section, probe)
        self.refers_to_pages = probe.asked

    def render(self, page_numbers) -> str:
        html = _section_html(self.context, self.section, page_numbers) if self.refers_to_pages else self.html
        return mark_safe(html)  # noqa: S308  # nosec B308 B703 - our own rendered template


def parts(job, ctx, sections: list[dict], *, generated_at) -> list[DocumentPart]:
    """The cover with the contents, then the sections: each large section a part of its own, consecutive small
    ones together (each part costs a fixed setup of about a page's layout)."""
    context = document_context(job, ctx, sections, generated_at=generated_at)
    template = _template(job)
    fragments = [_Fragment(context, section) for section in sections]
    groups: list[list[_Fragment]] = [[]]  # the first group also holds the cover and the contents
    size = 0
    whole = sum(len(fragment.html) for fragment in fragments) < SINGLE_CALL_CHARS
    for fragment in fragments:
        if not whole and (size >= MIN_PART_CHARS or (groups[-1] and len(fragment.html) >= MIN_PART_CHARS)):
            groups.append([])
            size = 0
        groups[-1].append(fragment)
        size += len(fragment.html)

    def part(front: bool, fragments: list[_Fragment]) -> DocumentPart:
        def html(page_numbers) -> str:
            body = [fragment.render(page_numbers) for fragment in fragments]
            return render_to_string(
                template, {**context, "front": front, "body_html": body, "page_numbers": page_numbers}
            )

        return DocumentPart(html)

    return [part(index == 0, fragments) for index, fragments in enumerate(groups)]


def page_label(page: int, pages: int) -> str:
    return f"{pgettext('page 3 of 10', 'Page')} {page} {pgettext('page 3 of 10', 'of')} {pages}"


def render(job, ctx, sections: list[dict], *, generated_at, processes: int | None = None) -> bytes:
    """The PDF of the pack or dossier, laid out part by part."""
    if processes is None:
        processes = settings.REPORTS_LAYOUT_PROCESSES
    document = parts(job, ctx, sections, generated_at=generated_at)
    if len(document) == 1:  # short: one WeasyPrint call resolves the page numbers and footers itself
        return render_pdf(single_html(job, ctx, sections, generated_at=generated_at))
    return render_document(document, processes=processes, page_label=page_label)
