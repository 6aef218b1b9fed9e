"""Reads of the Statement of Applicability: its lines as rows (the same shape live and frozen), the checks an
approval needs, and the section headings of Annex A."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import CharField, F, Prefetch, Value
from django.utils.translation import gettext

from controls.constants import ISO42001_KEY, ExclusionReason, ImplementationStatus, RequirementKind
from controls.models import Control, Requirement, SoALine, SoAVersion, StatementOfApplicability

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


_RISK_COLUMNS = ("risk__reference", "risk__title", "risk__residual_level", "risk__inherent_level")


def _attach_linked_risks(lines: list[SoALine]) -> None:
    """Give each line and each of its controls ``linked_risks`` (reference order), read in ONE query: the risk
    links of the lines and those of their controls, as a union of the two link tables."""
    # A control implementing several lines is a separate instance on each; they share one list.
    controls: dict = {}
    for line in lines:
        line.linked_risks = []
        for control in getattr(line.requirement, "org_controls", []):
            control.linked_risks = controls.setdefault(control.pk, [])
    if not lines:
        return
    by_line = {line.pk: line.linked_risks for line in lines}

    def links(through, owner_column, owner_ids, kind):
        return (
            through.objects.filter(**{f"{owner_column}__in": owner_ids})
            .annotate(link_kind=Value(kind, output_field=CharField()), link_owner=F(owner_column))
            .values_list("link_kind", "link_owner", *_RISK_COLUMNS)
        )

    query = links(SoALine.risks.through, "soaline_id", list(by_line), "line")
    if controls:
        query = query.union(links(Control.risks.through, "control_id", list(controls), "control"), all=True)
    for kind, owner, reference, title, residual, inherent in query:
        risks = by_line[owner] if kind == "line" else controls[owner]
        risks.append({"reference": reference, "title": title, "level": residual or inherent or ""})
    for risks in [*by_line.values(), *controls.values()]:
        risks.sort(key=lambda risk: risk["reference"])


def _section_of(requirement: Requirement) -> tuple[str, str] | None:
    """The heading a requirement sits under (as ``section_map``), from the parents ``soa_lines`` joined; None
    when the chain goes higher than they reach."""
    chain = [requirement]
    node = requirement
    while node.parent_id is not None:
        if not Requirement.parent.is_cached(node):
            return None
        node = node.parent
        chain.append(node)
    chain.reverse()  # top first
    top = chain[1] if chain[0].kind == RequirementKind.ANNEX and len(chain) > 1 else chain[0]
    return top.identifier, top.title


def line_rows(lines) -> list[dict]:
    """Rows of ``soa_lines`` (evaluated here): one query for the risks of every line and control; the section
    headings come from the joined parents (one more query only for a catalogue nested deeper than that)."""
    lines = list(lines)
    _attach_linked_risks(lines)
    sections = {}
    for line in lines:
        section = _section_of(line.requirement)
        if section is None:
            sections = section_map(line.requirement.framework_id)
            break
        sections[line.requirement.pk] = section
    return [line_row(line, sections) for line in lines]


def line_row(line: SoALine, sections: dict) -> dict:
    """One line as a plain dict (JSON-safe): what the page shows, what the exports write and what an
    approved version freezes. Needs ``soa_lines`` and the risks ``line_rows`` attaches."""
    requirement = line.requirement
    controls = getattr(requirement, "org_controls", [])
    risks: dict[str, dict] = {}
    for risk in line.linked_risks:
        risks[risk["reference"]] = {**risk, "via": "line"}
    for control in controls:
        for risk in control.linked_risks:
            risks.setdefault(risk["reference"], {**risk, "via": control.reference})
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
    """The SoA's lines in Annex A order with their control, its headings up to Annex A (three levels: A.6.2.4 →
    A.6.2 → A.6 → Annex A), the owner and the organisation's controls implementing it: two queries;
    ``line_rows`` turns them into rows with one more for the risks."""
    org_controls = (
        Control.objects.filter(organisation_id=soa.organisation_id)
        .only("id", "reference", "title", "implementation_status", "organisation_id")
        .order_by("reference")
    )
    return (
        SoALine.objects.filter(soa=soa)
        .select_related("requirement__parent__parent__parent", "owner")
        .prefetch_related(Prefetch("requirement__controls", queryset=org_controls, to_attr="org_controls"))
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
    return [SoARow(line, data, line_problems(data)) for line, data in zip(lines, line_rows(lines), strict=True)]


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
