"""Reads of the Statement of Applicability: its lines as rows (the same shape live and frozen), the checks an
approval needs, and the section headings of Annex A."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext

from controls.constants import ISO42001_KEY, ExclusionReason, ImplementationStatus, RequirementKind
from controls.models import Control, Requirement, SoALine, SoAVersion, StatementOfApplicability
from risk.models import Risk

_STATUS_LABELS = dict(ImplementationStatus.choices)
_EXCLUSION_LABELS = dict(ExclusionReason.choices)


def annex_a_controls():
    """The Annex A controls of the shipped ISO/IEC 42001 (the SoA has one line for each)."""
    return Requirement.objects.filter(
        framework__key=ISO42001_KEY,
        framework__organisation__isnull=True,
        kind=RequirementKind.ANNEX_A_CONTROL,
        withdrawn=False,
    )


def soa_for(organisation) -> StatementOfApplicability | None:
    return StatementOfApplicability.objects.filter(organisation=organisation).select_related("approved_by").first()


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def section_map(framework_id) -> dict:
    """``{requirement id: (section identifier, section title)}`` for every requirement of the framework: the
    top-level heading, or the heading under an annex (Annex A → A.6). One query."""
    rows = {
        row["pk"]: row
        for row in Requirement.objects.filter(framework_id=framework_id).values(
            "pk", "parent_id", "identifier", "title", "kind", "depth"
        )
    }
    sections = {}
    for pk, row in rows.items():
        chain = [row]
        node = row
        while node["parent_id"] in rows and len(chain) < 20:
            node = rows[node["parent_id"]]
            chain.append(node)
        chain.reverse()  # top first
        top = chain[0]
        if top["kind"] == RequirementKind.ANNEX and len(chain) > 1:
            top = chain[1]
        sections[pk] = (top["identifier"], top["title"])
    return sections


def derived_status(statuses: list[str]) -> str:
    """A line's implementation status from its controls' statuses: all implemented → implemented; some
    implemented or partial → partial; some planned → planned; none → not started."""
    relevant = [s for s in statuses if s != ImplementationStatus.NOT_APPLICABLE]
    if not relevant:
        return ImplementationStatus.NOT_STARTED
    if all(s == ImplementationStatus.IMPLEMENTED for s in relevant):
        return ImplementationStatus.IMPLEMENTED
    if any(s in (ImplementationStatus.IMPLEMENTED, ImplementationStatus.PARTIAL) for s in relevant):
        return ImplementationStatus.PARTIAL
    if any(s == ImplementationStatus.PLANNED for s in relevant):
        return ImplementationStatus.PLANNED
    return ImplementationStatus.NOT_STARTED


def _risk_entry(risk) -> dict:
    return {"reference": risk.reference, "title": risk.title, "level": risk.current_level or ""}


def line_row(line: SoALine, sections: dict) -> dict:
    """One line as a plain dict (JSON-safe): what the page shows, what the exports write and what an
    approved version freezes. Needs the prefetches of ``soa_lines``."""
    requirement = line.requirement
    controls = getattr(requirement, "org_controls", [])
    risks: dict[str, dict] = {}
    for risk in line.risks.all():
        risks[risk.reference] = {**_risk_entry(risk), "via": "line"}
    for control in controls:
        for risk in control.risks.all():
            risks.setdefault(risk.reference, {**_risk_entry(risk), "via": control.reference})
    if line.applicable is False:
        status = ImplementationStatus.NOT_APPLICABLE
    else:
        status = derived_status([c.implementation_status for c in controls])
    section, section_title = sections.get(requirement.pk, ("", ""))
    return {
        "line_id": str(line.pk),
        "requirement_id": str(requirement.pk),
        "identifier": requirement.identifier,
        "title": requirement.title,
        "section": section,
        "section_title": section_title,
        "applicable": line.applicable,
        "implementation_status": str(status),
        "implementation_status_label": str(_STATUS_LABELS.get(status, status)),
        "controls": [
            {
                "reference": c.reference,
                "title": c.title,
                "status": c.implementation_status,
                "status_label": str(_STATUS_LABELS.get(c.implementation_status, "")),
            }
            for c in controls
        ],
        "risks": sorted(risks.values(), key=lambda r: r["reference"]),
        "obligations": line.obligations,
        "business_need": line.business_need,
        "exclusion_reason": line.exclusion_reason,
        "exclusion_reason_label": str(_EXCLUSION_LABELS.get(line.exclusion_reason, "")),
        "exclusion_justification": line.exclusion_justification,
        "owner": person(line.owner),
        "notes": line.notes,
    }


def soa_lines(soa: StatementOfApplicability):
    """The SoA's lines with everything a row needs, in Annex A order (a fixed number of queries)."""
    org_controls = (
        Control.objects.filter(organisation_id=soa.organisation_id)
        .only("id", "reference", "title", "implementation_status", "organisation_id")
        .prefetch_related(Prefetch("risks", queryset=Risk.objects.order_by("reference")))
        .order_by("reference")
    )
    return (
        SoALine.objects.filter(soa=soa)
        .select_related("requirement", "owner")
        .prefetch_related(
            Prefetch("risks", queryset=Risk.objects.order_by("reference")),
            Prefetch("requirement__controls", queryset=org_controls, to_attr="org_controls"),
        )
        .order_by("requirement__sort_order")
    )


@dataclass
class SoARow:
    """A live line: the model (for edit links and permissions) and its row dict."""

    line: SoALine | None
    data: dict
    problems: list[str] = field(default_factory=list)


def soa_rows(soa: StatementOfApplicability) -> list[SoARow]:
    lines = list(soa_lines(soa))
    sections = section_map(lines[0].requirement.framework_id) if lines else {}
    rows = []
    for line in lines:
        data = line_row(line, sections)
        rows.append(SoARow(line, data, line_problems(data)))
    return rows


def line_problems(data: dict) -> list[str]:
    """What keeps a line from being approved: undecided, or a decision without its justification."""
    if data["applicable"] is None:
        return [gettext("Not decided yet: applicable or not?")]
    if data["applicable"] is False:
        problems = []
        if not data["exclusion_reason"]:
            problems.append(gettext("Excluded without a reason category."))
        if not (data["exclusion_justification"] or "").strip():
            problems.append(gettext("Excluded without a justification."))
        return problems
    if not (data["risks"] or (data["obligations"] or "").strip() or (data["business_need"] or "").strip()):
        return [gettext("Included without a justification: link a risk, or name an obligation or a business need.")]
    return []


def soa_summary(rows) -> dict:
    """Counts for the page header, the dashboard and the PDF cover."""
    datas = [row.data if isinstance(row, SoARow) else row for row in rows]
    applicable = [d for d in datas if d["applicable"] is True]
    return {
        "total": len(datas),
        "applicable": len(applicable),
        "excluded": sum(1 for d in datas if d["applicable"] is False),
        "undecided": sum(1 for d in datas if d["applicable"] is None),
        "implemented": sum(1 for d in applicable if d["implementation_status"] == ImplementationStatus.IMPLEMENTED),
        "with_problems": sum(1 for d in datas if line_problems(d)),
    }


def relabelled(data: dict) -> dict:
    """A row dict with its status and exclusion labels in the active language. An approved version froze the
    labels in the language of whoever approved it; the values it froze say the same in any language."""
    status = data.get("implementation_status", "")
    reason = data.get("exclusion_reason", "")
    return {
        **data,
        "implementation_status_label": str(_STATUS_LABELS.get(status, status)),
        "exclusion_reason_label": str(_EXCLUSION_LABELS.get(reason, "")),
        "controls": [
            {**c, "status_label": str(_STATUS_LABELS.get(c.get("status", ""), c.get("status_label", "")))}
            for c in data.get("controls", [])
        ],
    }


def group_by_section(datas: list) -> list[dict]:
    """Rows (dicts or SoARow) grouped under their Annex A section, in order; the labels of frozen rows (dicts)
    in the active language."""
    groups: list[dict] = []
    for row in datas:
        data = row.data if isinstance(row, SoARow) else relabelled(row)
        if not isinstance(row, SoARow):
            row = data
        if not groups or groups[-1]["section"] != data["section"]:
            groups.append({"section": data["section"], "title": data["section_title"], "rows": []})
        groups[-1]["rows"].append(row)
    return groups


def soa_versions(soa: StatementOfApplicability):
    return SoAVersion.objects.filter(soa=soa).select_related("approved_by").defer("lines").order_by("-version")
