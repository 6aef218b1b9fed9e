"""SoA exports: CSV and XLSX from the same rows the page shows, and the PDF (WeasyPrint, our own layout).

The rows are the working copy's (``soa_rows``) or an approved version's frozen ``lines``: both have the same
shape, so an old version exports exactly as it was approved.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.locale import override_for
from aims.exports import export_response
from aims.pdf import render_pdf
from controls.charts import readiness_bar_chart, section_bars
from controls.constants import SoAStatus
from controls.selectors_soa import group_by_section, person, soa_summary


class _Rows(list):
    """A list the shared exporter iterates as it is (it streams querysets, which a list is not)."""

    _prefetch_related_lookups = ("rows",)


def _justification(row: dict) -> str:
    if row["applicable"] is False:
        return f"{row['exclusion_reason_label']}: {row['exclusion_justification']}".strip(": ")
    parts = []
    if row["risks"]:
        parts.append("Risks: " + ", ".join(f"{r['reference']} {r['title']}" for r in row["risks"]))
    if row["obligations"]:
        parts.append("Obligations: " + row["obligations"])
    if row["business_need"]:
        parts.append("Business need: " + row["business_need"])
    return " | ".join(parts)


def _applicable(row: dict) -> str:
    return {True: "yes", False: "no"}.get(row["applicable"], "not decided")


SOA_FIELDS = [
    ("Annex A control", lambda r: r["identifier"]),
    ("Title", lambda r: r["title"]),
    ("Section", lambda r: f"{r['section']} {r['section_title']}".strip()),
    ("Applicable", _applicable),
    ("Justification", _justification),
    ("Risks treated", lambda r: ", ".join(f"{x['reference']} ({x['level'] or 'not scored'})" for x in r["risks"])),
    ("Legal or contractual obligations", lambda r: r["obligations"]),
    ("Business need", lambda r: r["business_need"]),
    ("Exclusion reason", lambda r: r["exclusion_reason_label"]),
    ("Exclusion justification", lambda r: r["exclusion_justification"]),
    ("Implementing controls", lambda r: ", ".join(f"{c['reference']} {c['title']}" for c in r["controls"])),
    ("Implementation status", lambda r: r["implementation_status_label"]),
    ("Owner", lambda r: r["owner"]),
    ("Notes", lambda r: r["notes"]),
]


def pdf_response(content: bytes, filename: str):
    """A PDF as an attachment the browser must not sniff."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def soa_table_response(rows: list[dict], fmt: str, *, organisation, version_label: str):
    """CSV or XLSX of SoA rows (dicts)."""
    filename = f"soa-{organisation.slug}-{version_label}".replace(" ", "-").lower()
    return export_response(_Rows(rows), SOA_FIELDS, fmt, filename=filename)


def soa_pdf(
    *,
    organisation,
    rows: list[dict],
    version: int,
    status: str,
    approved_by=None,
    approved_at=None,
    note: str = "",
    readiness=None,
) -> bytes:
    """The SoA as a PDF: a cover with the summary, then the lines by Annex A section. The running header
    carries the organisation, the version and its approval on every page; the footer numbers the pages.

    Written in the organisation's language, whoever asks for it: it is the organisation's document of record.
    ``status`` is a ``SoAStatus`` value."""
    with override_for(organisation=organisation):
        return _soa_pdf(
            organisation=organisation,
            rows=rows,
            version=version,
            status_label=str(SoAStatus(status).label),
            approved_by=approved_by,
            approved_at=approved_at,
            note=note,
            readiness=readiness,
        )


def _soa_pdf(*, organisation, rows, version, status_label, approved_by, approved_at, note, readiness) -> bytes:
    summary = soa_summary(rows)
    chart = None
    if readiness is not None and readiness.sections:
        annex = [s for s in readiness.sections if s.identifier.startswith("A.")]
        if annex:
            chart = readiness_bar_chart(
                section_bars(annex),
                title=gettext("Readiness of Annex A sections"),
                id_prefix="pdf-annex",
                show_crosswalk=False,
                label_width=250,
                bar_width=300,
            )
    approval = (
        gettext("Approved by %(person)s on %(date)s")
        % {
            "person": person(approved_by) or gettext("a former member"),
            "date": date_format(timezone.localtime(approved_at), "DATE_FORMAT"),
        }
        if approved_at
        else gettext("Not approved: working draft")
    )
    html = render_to_string(
        "controls/pdf/soa.html",
        {
            "organisation": organisation,
            "groups": group_by_section(rows),
            "summary": summary,
            "version": version,
            "status_label": status_label,
            "approval": approval,
            "approved_at": approved_at,
            "note": note,
            "generated_at": timezone.localtime(),
            "readiness": readiness,
            "chart": chart,
        },
    )
    return render_pdf(html)
