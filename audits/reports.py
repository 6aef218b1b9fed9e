"""PDFs of the audits app: the audit report and the management review minutes (WeasyPrint through
``aims.pdf.render_pdf``, with the shared print stylesheet). Each is a service that returns the bytes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.locale import override_for
from aims.pdf import render_pdf
from audits.builtin_kpis import catalogue_text
from audits.charts import sparkline_svg
from audits.deadlines import organisation_zone
from audits.selectors import audit_result_counts, checklist_rows


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF as an attachment the browser must not sniff."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def audit_report_pdf(audit) -> bytes:
    """The audit report: summary, scope, results per requirement, findings and conclusion (clause 9.2.2)."""
    organisation = audit.organisation
    # An organisation's record: in its language and time zone, whoever downloads it.
    with override_for(organisation=organisation), timezone.override(organisation_zone(organisation)):
        html = render_to_string(
            "audits/pdf/audit_report.html",
            {
                "organisation": organisation,
                "audit": audit,
                "lead": _person(audit.lead_auditor),
                "team": [_person(u) for u in audit.team.order_by("last_name", "username")],
                "counts": audit_result_counts(audit),
                "rows": checklist_rows(audit),
                "findings": list(audit.findings.select_related("requirement", "nonconformity").order_by("reference")),
                "systems": list(audit.ai_systems.order_by("reference")),
                "controls": list(audit.controls.select_related("owner").order_by("reference")),
                "risks": list(audit.risks.order_by("reference")),
                "generated_at": timezone.localtime(),
            },
        )
    return render_pdf(html)


def _sparklines(inputs: dict) -> dict:
    lines = {}
    for row in inputs.get("kpis", {}).get("rows", []):
        values = [Decimal(value) for _, value in row.get("history", [])]
        lines[row["reference"]] = sparkline_svg(values, label=catalogue_text(row["name"]), width=90, height=20)
    return lines


def review_minutes_pdf(review) -> bytes:
    """The minutes of a management review: attendance, the frozen inputs, the discussion, conclusions and the
    decisions with their actions (clause 9.3.3)."""
    organisation = review.organisation
    inputs = review.inputs or {}
    with override_for(organisation=organisation), timezone.override(organisation_zone(organisation)):
        html = render_to_string(
            "audits/pdf/review_minutes.html",
            {
                "organisation": organisation,
                "review": review,
                "inputs": inputs,
                "since": dt.date.fromisoformat(inputs["since"]) if inputs.get("since") else None,
                "sparklines": _sparklines(inputs),
                "chair": _person(review.chair),
                "attendees": [_person(u) for u in review.attendees.order_by("last_name", "username")],
                "decisions": list(review.decisions.prefetch_related("actions__owner").order_by("created_at")),
                "generated_at": timezone.localtime(),
            },
        )
    return render_pdf(html)
