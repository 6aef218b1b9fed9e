"""Reads of the Statement of Applicability: its lines as rows (the same shape live and frozen), the checks an
approval needs, and the section headings of Annex A."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Subquery,
    UUIDField,
    Value,
)
from django.utils.translation import get_language, gettext, gettext_noop

from aims.prepared import CompiledQuery
from controls.constants import ISO42001_KEY, ExclusionReason, ImplementationStatus, RequirementKind
from controls.models import Control, Requirement, SoALine, SoAVersion, StatementOfApplicability

_STATUS_LABELS = dict(ImplementationStatus.choices)
_EXCLUSION_LABELS = dict(ExclusionReason.choices)


def annex_a_controls():
    """The Annex A controls of the shipped ISO/IEC 42001 (the SoA has one line for each)."""
    return Requirement.objects.filter(_is_annex_a_control())


def _is_annex_a_control(prefix: str = "") -> Q:
    """A current Annex A control of the shipped ISO/IEC 42001, said of the requirement at ``prefix``."""
    return Q(
        **{
            f"{prefix}framework__key": ISO42001_KEY,
            f"{prefix}framework__organisation__isnull": True,
            f"{prefix}kind": RequirementKind.ANNEX_A_CONTROL,
            f"{prefix}withdrawn": False,
        }
    )


def soa_for(organisation) -> StatementOfApplicability | None:
    return StatementOfApplicability.objects.filter(organisation=organisation).select_related("approved_by").first()


def person(user) -> str:
    if user is None:
        return ""
    return full_name(user.get_username(), user.first_name, user.last_name)


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


# A line's Annex A control and its headings up to Annex A (three levels: A.6.2.4 → A.6.2 → A.6 → Annex A): a
# heading is there when its identifier is; the top one's parent says whether the chain goes higher.
_LEVELS = tuple("requirement" + "__parent" * depth for depth in range(4))
_LINE_COLUMNS = (
    "pk",
    "requirement_id",
    "requirement__framework_id",
    *(f"{level}__{name}" for level in _LEVELS for name in ("identifier", "title", "kind")),
    f"{_LEVELS[-1]}__parent_id",
    "applicable",
    "obligations",
    "business_need",
    "exclusion_reason",
    "exclusion_justification",
    "notes",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def _implementing(soa_id, organisation_id):
    """The links of the organisation's controls to the Annex A controls of the SoA's lines."""
    lines = SoALine.objects.filter(soa_id=soa_id).values("requirement_id")
    return Control.requirements.through.objects.filter(
        control__organisation_id=organisation_id, requirement_id__in=lines
    )


_LINK_COLUMNS = ("link_kind", "link_owner", "link_control", "link_reference", "link_title", "link_value", "link_else")


def _links(soa, organisation):
    """In ONE query: the controls implementing the SoA's lines (kind "control", owner: the Annex A control), the
    risk links of its lines ("line", owner: the line) and those of these controls ("treats", owner: the
    control); each with its reference, title and status or residual and inherent level, by kind and reference."""
    implementing = _implementing(soa, organisation)
    no_control = Value(None, output_field=UUIDField())

    def links(queryset, kind, owner, control, linked, value, fallback):
        return queryset.annotate(
            link_kind=Value(kind, output_field=CharField()),
            link_owner=F(owner),
            link_control=control,
            link_reference=F(f"{linked}__reference"),
            link_title=F(f"{linked}__title"),
            link_value=F(f"{linked}__{value}"),
            link_else=fallback,
        ).values(*_LINK_COLUMNS)

    risk_levels = ("risk", "residual_level", F("risk__inherent_level"))
    controls = links(
        implementing, "control", "requirement_id", F("control_id"), "control", "implementation_status", Value("")
    )
    return controls.union(
        links(
            SoALine.risks.through.objects.filter(soaline__soa_id=soa), "line", "soaline_id", no_control, *risk_levels
        ),
        links(
            Control.risks.through.objects.filter(control_id__in=implementing.values("control_id")),
            "treats",
            "control_id",
            no_control,
            *risk_levels,
        ),
        all=True,
    ).order_by("link_kind", "link_reference", "link_control")


# The SQL of these never changes but for the SoA and its organisation: compiled once (aims.prepared).
_LINES = CompiledQuery(
    lambda soa: SoALine.objects.filter(soa_id=soa).order_by("requirement__sort_order").values(*_LINE_COLUMNS), "soa"
)
_LINKS = CompiledQuery(_links, "soa", "organisation")


def full_name(username: str, first_name: str, last_name: str) -> str:
    """A member's name as ``person`` writes it, from the columns of a values() row."""
    return f"{first_name} {last_name}".strip() or username


_LEVEL_KEYS = tuple((f"{level}__identifier", f"{level}__title", f"{level}__kind") for level in _LEVELS)
_TOP_PARENT = f"{_LEVELS[-1]}__parent_id"


def _sections(lines: list[dict]) -> dict:
    """``{requirement id: (section identifier, section title)}`` of the lines, as ``section_map`` has them, from the
    headings their query joined (one more query only for a catalogue nested deeper than that)."""
    sections = {}
    for line in lines:
        if line[_TOP_PARENT] is not None:  # the chain goes higher than the joins reach
            return section_map(line["requirement__framework_id"])
        chain = [keys for keys in reversed(_LEVEL_KEYS) if line[keys[0]] is not None]  # top first
        identifier, title, _ = chain[1] if line[chain[0][2]] == RequirementKind.ANNEX and len(chain) > 1 else chain[0]
        sections[line["requirement_id"]] = (line[identifier], line[title])
    return sections


def _linked(soa: StatementOfApplicability) -> tuple[dict, dict, dict]:
    """The SoA's implementing controls by Annex A control (reference order), and the risks (reference order) of its
    lines and of those controls: one query."""
    controls: dict = {}
    risks_of_line: dict = {}
    risks_of_control: dict = {}
    for link in _LINKS.rows(SoALine.objects.db, soa=soa.pk, organisation=soa.organisation_id):
        kind, owner = link["link_kind"], link["link_owner"]
        if kind == "control":
            controls.setdefault(owner, []).append(link)
            continue
        risks = (risks_of_line if kind == "line" else risks_of_control).setdefault(owner, [])
        level = link["link_value"] or link["link_else"] or ""
        risks.append({"reference": link["link_reference"], "title": link["link_title"], "level": level})
    for risks in [*risks_of_line.values(), *risks_of_control.values()]:
        risks.sort(key=lambda risk: risk["reference"])
    return controls, risks_of_line, risks_of_control


# The SoA's columns its answer reads (repeated on every line: not its stamps nor title, which stay deferred).
_SOA_COLUMNS = {
    f"soa__{name}": StatementOfApplicability._meta.get_field(name).attname
    for name in ("id", "organisation", "version", "status", "approved_by", "approved_at")
}


def _document(organisation):
    """Every line of the organisation's SoA with the SoA's own columns and what ``soa_ensure`` checks: whether the
    line's Annex A control is a current one, and how many current ones there are (computed once by the database)."""
    current = annex_a_controls()
    return (
        SoALine.objects.filter(organisation_id=organisation, soa__organisation_id=organisation)
        .order_by("requirement__sort_order")
        .annotate(
            is_current=ExpressionWrapper(_is_annex_a_control("requirement__"), output_field=BooleanField()),
            current_count=Subquery(
                current.order_by().values(n=Func("pk", function="COUNT", output_field=IntegerField()))
            ),
            approved_by_username=F("soa__approved_by__username"),
        )
        .values(*_LINE_COLUMNS, *_SOA_COLUMNS, "is_current", "current_count", "approved_by_username")
    )


_DOCUMENT = CompiledQuery(_document, "organisation")


def current_soa_rows(organisation) -> tuple[StatementOfApplicability, list[dict]] | None:
    """The organisation's SoA and the rows of its lines in two queries (``soa_ensure``'s check in the first), or None
    when the SoA or the line of a current Annex A control is missing: ``soa_ensure`` then creates them."""
    using = SoALine.objects.db
    lines = _DOCUMENT.rows(using, organisation=organisation.pk)
    # One line per Annex A control and SoA (a unique constraint): fewer current ones than there are means one lacks.
    if not lines or sum(1 for line in lines if line["is_current"]) < lines[0]["current_count"]:
        return None
    first = lines[0]
    soa = StatementOfApplicability.from_db(using, list(_SOA_COLUMNS.values()), [first[c] for c in _SOA_COLUMNS])
    soa.approved_by_username = first["approved_by_username"]
    return soa, _rows(soa, lines)


def line_rows(soa: StatementOfApplicability, lines=None) -> list[dict]:
    """Rows of the SoA's lines in Annex A order, or of ``lines`` (a queryset of them, scoped and filtered): three
    queries at most, whatever the number of lines, and no model instance."""
    lines = _LINES.rows(SoALine.objects.db, soa=soa.pk) if lines is None else list(lines.values(*_LINE_COLUMNS))
    return _rows(soa, lines)


def _rows(soa: StatementOfApplicability, lines: list[dict]) -> list[dict]:
    """Rows of values() rows of ``_LINE_COLUMNS`` of the SoA's lines; one query for their controls and risks."""
    if not lines:
        return []
    context = _Context(_sections(lines), *_linked(soa), *_labels(get_language()))
    return [line_row(line, context) for line in lines]


@lru_cache(maxsize=16)
def _labels(language: str | None) -> tuple[dict, dict]:
    """The status and exclusion labels in ``language`` (the active one), translated once per process and language
    rather than twice for every line."""
    return (
        {value: str(label) for value, label in _STATUS_LABELS.items()},
        {value: str(label) for value, label in _EXCLUSION_LABELS.items()},
    )


class _Context(NamedTuple):
    """What ``line_row`` reads besides the line: the sections, the linked controls and risks, the labels."""

    sections: dict
    controls: dict
    risks_of_line: dict
    risks_of_control: dict
    status_labels: dict
    reason_labels: dict


def line_row(line: dict, context: _Context) -> dict:
    """One line (a values() row of ``_LINE_COLUMNS``) as a plain dict (JSON-safe): what the page shows, what the
    exports write and what an approved version freezes. The API writes it as it is (its serializers describe it)."""
    implementing = context.controls.get(line["requirement_id"], [])
    labels = context.status_labels
    risks: dict[str, dict] = {}
    for risk in context.risks_of_line.get(line["pk"], []):
        risks[risk["reference"]] = {**risk, "via": "line"}
    for control in implementing:
        for risk in context.risks_of_control.get(control["link_control"], []):
            risks.setdefault(risk["reference"], {**risk, "via": control["link_reference"]})
    if line["applicable"] is False:
        status = ImplementationStatus.NOT_APPLICABLE
    else:
        status = derived_status([c["link_value"] for c in implementing])
    section, section_title = context.sections.get(line["requirement_id"], ("", ""))
    owner = line["owner__username"]
    return {
        "line_id": str(line["pk"]),
        "requirement_id": str(line["requirement_id"]),
        "identifier": line["requirement__identifier"],
        "title": line["requirement__title"],
        "section": section,
        "section_title": section_title,
        "applicable": line["applicable"],
        "implementation_status": str(status),
        "implementation_status_label": labels.get(status, str(status)),
        "controls": [
            {
                "reference": c["link_reference"],
                "title": c["link_title"],
                "status": c["link_value"],
                "status_label": labels.get(c["link_value"], ""),
            }
            for c in implementing
        ],
        "risks": sorted(risks.values(), key=lambda r: r["reference"]),
        "obligations": line["obligations"],
        "business_need": line["business_need"],
        "exclusion_reason": line["exclusion_reason"],
        "exclusion_reason_label": context.reason_labels.get(line["exclusion_reason"], ""),
        "exclusion_justification": line["exclusion_justification"],
        "owner": "" if owner is None else full_name(owner, line["owner__first_name"], line["owner__last_name"]),
        "notes": line["notes"],
    }


def soa_lines(soa: StatementOfApplicability):
    """The SoA's lines in Annex A order (``line_rows`` reads their rows)."""
    return SoALine.objects.filter(soa=soa).order_by("requirement__sort_order")


@dataclass
class SoARow:
    """A live line: its id (for edit links) and its row dict."""

    line_id: str
    data: dict
    problems: list[str] = field(default_factory=list)


def soa_rows(soa: StatementOfApplicability) -> list[SoARow]:
    return [SoARow(data["line_id"], data, line_problems(data)) for data in line_rows(soa)]


def _problems(data: dict) -> list[str]:
    """``line_problems`` before translation (the summary counts them for every line and reads none)."""
    if data["applicable"] is None:
        return [gettext_noop("Not decided yet: applicable or not?")]
    if data["applicable"] is False:
        problems = []
        if not data["exclusion_reason"]:
            problems.append(gettext_noop("Excluded without a reason category."))
        if not (data["exclusion_justification"] or "").strip():
            problems.append(gettext_noop("Excluded without a justification."))
        return problems
    if not (data["risks"] or (data["obligations"] or "").strip() or (data["business_need"] or "").strip()):
        return [
            gettext_noop("Included without a justification: link a risk, or name an obligation or a business need.")
        ]
    return []


def line_problems(data: dict) -> list[str]:
    """What keeps a line from being approved: undecided, or a decision without its justification."""
    return [gettext(problem) for problem in _problems(data)]


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
        "with_problems": sum(1 for d in datas if _problems(d)),
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
