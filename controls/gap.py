"""The gap analysis, computed live and never stored: for each framework and clause/section, the share of
applicable requirements that have an implemented control *and* current evidence.

A requirement is applicable when it is assessable and current; for ISO/IEC 42001 Annex A, a control the SoA
excludes is not. Through the crosswalk, a requirement that is not ready itself counts as *covered* when a
requirement it is mapped to (published or own mapping, either direction) is ready: implementing a 42001
control shows its coverage of NIST AI RMF and ISO/IEC 27001. Each gap says what is missing.

Everything is read with a fixed number of set-based queries (``OrganisationStatus``), whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from controls.constants import GapKind, ImplementationStatus, RequirementKind
from controls.models import Control, Evidence, Framework, Requirement, RequirementMapping, SoALine
from controls.models.evidence import evidence_state


@dataclass
class ControlInfo:
    pk: object
    reference: str
    title: str
    status: str

    @property
    def implemented(self) -> bool:
        return self.status == ImplementationStatus.IMPLEMENTED


@dataclass
class EvidenceInfo:
    pk: object
    reference: str
    title: str
    state: str  # current / expiring / expired / not_yet / rejected / empty


class OrganisationStatus:
    """The organisation's controls, evidence, SoA exclusions and visible mappings, read once (7 queries)."""

    def __init__(self, organisation, today=None):
        self.organisation = organisation
        self.today = today or timezone.localdate()
        org = organisation
        self.controls = {
            row["pk"]: ControlInfo(row["pk"], row["reference"], row["title"], row["implementation_status"])
            for row in Control.objects.filter(organisation=org).values(
                "pk", "reference", "title", "implementation_status"
            )
        }
        self.controls_of = defaultdict(list)  # requirement id → [control ids]
        for requirement_id, control_id in Control.requirements.through.objects.filter(
            control__organisation=org
        ).values_list("requirement_id", "control_id"):
            self.controls_of[requirement_id].append(control_id)
        self.evidence = {}
        for row in Evidence.objects.filter(organisation=org).values(
            "pk", "reference", "title", "effective_date", "expiry_date", "review_status", "current_revision_id", "url"
        ):
            state = evidence_state(
                has_content=bool(row["current_revision_id"] or row["url"]),
                effective=row["effective_date"],
                expiry=row["expiry_date"],
                review_status=row["review_status"],
                today=self.today,
            )
            self.evidence[row["pk"]] = EvidenceInfo(row["pk"], row["reference"], row["title"], state)
        self.evidence_of_control = defaultdict(list)
        for evidence_id, control_id in Evidence.controls.through.objects.filter(evidence__organisation=org).values_list(
            "evidence_id", "control_id"
        ):
            self.evidence_of_control[control_id].append(evidence_id)
        self.evidence_of_requirement = defaultdict(list)
        for evidence_id, requirement_id in Evidence.requirements.through.objects.filter(
            evidence__organisation=org
        ).values_list("evidence_id", "requirement_id"):
            self.evidence_of_requirement[requirement_id].append(evidence_id)
        self.excluded = set(
            SoALine.objects.filter(organisation=org, applicable=False).values_list("requirement_id", flat=True)
        )
        self.mapped = defaultdict(set)
        for source, target in RequirementMapping.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=org)
        ).values_list("source_id", "target_id"):
            self.mapped[source].add(target)
            self.mapped[target].add(source)
        self._direct: dict = {}

    def direct(self, requirement_id) -> RequirementCheck:
        """Readiness of one requirement from its own controls and evidence (memoised)."""
        if requirement_id not in self._direct:
            self._direct[requirement_id] = self._check(requirement_id)
        return self._direct[requirement_id]

    def _check(self, requirement_id) -> RequirementCheck:
        controls = [self.controls[c] for c in self.controls_of.get(requirement_id, []) if c in self.controls]
        implemented = [c for c in controls if c.implemented]
        pool = set(self.evidence_of_requirement.get(requirement_id, []))
        for control in controls:
            pool.update(self.evidence_of_control.get(control.pk, []))
        evidence = sorted((self.evidence[e] for e in pool if e in self.evidence), key=lambda e: e.reference)
        counting = set(self.evidence_of_requirement.get(requirement_id, []))
        for control in implemented:
            counting.update(self.evidence_of_control.get(control.pk, []))
        current = [e for e in evidence if e.pk in counting and e.state in ("current", "expiring")]
        gaps = []
        if not controls:
            gaps.append(GapKind.NO_CONTROL)
        elif not implemented:
            gaps.append(GapKind.NOT_IMPLEMENTED)
        if not current:
            expired = any(e.state == "expired" for e in evidence)
            gaps.append(GapKind.EVIDENCE_EXPIRED if expired else GapKind.NO_EVIDENCE)
        return RequirementCheck(controls=controls, evidence=evidence, gaps=gaps)


@dataclass
class RequirementCheck:
    controls: list[ControlInfo]
    evidence: list[EvidenceInfo]
    gaps: list[str]

    @property
    def ready(self) -> bool:
        return not self.gaps


@dataclass
class RequirementStatus:
    pk: object
    identifier: str
    title: str
    section: str
    check: RequirementCheck
    covered_by: list[tuple[str, str, str]] = field(default_factory=list)  # (framework key, identifier, id)

    @property
    def ready(self) -> bool:
        return self.check.ready

    @property
    def covered(self) -> bool:
        return not self.ready and bool(self.covered_by)

    @property
    def gap_labels(self) -> list[str]:
        return [str(GapKind(g).label) for g in self.check.gaps]


@dataclass
class Tally:
    applicable: int = 0
    ready: int = 0
    covered: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.applicable) if self.applicable else 0

    @property
    def percent_with_crosswalk(self) -> int:
        return round(100 * (self.ready + self.covered) / self.applicable) if self.applicable else 0

    @property
    def crosswalk_percent(self) -> int:
        return self.percent_with_crosswalk - self.percent


@dataclass
class SectionReadiness(Tally):
    identifier: str = ""
    title: str = ""


@dataclass
class FrameworkReadiness(Tally):
    framework: Framework | None = None
    sections: list[SectionReadiness] = field(default_factory=list)
    items: list[RequirementStatus] = field(default_factory=list)
    excluded: int = 0

    @property
    def gaps(self) -> list[RequirementStatus]:
        return [item for item in self.items if not item.ready]


def _sections(rows: list[dict]) -> dict:
    """``{id: (section identifier, title)}``: the top heading, or the heading under an annex."""
    by_id = {row["pk"]: row for row in rows}
    result = {}
    for row in rows:
        chain = [row]
        while chain[-1]["parent_id"] in by_id and len(chain) < 20:
            chain.append(by_id[chain[-1]["parent_id"]])
        top = chain[-1]
        if top["kind"] == RequirementKind.ANNEX and len(chain) > 1:
            top = chain[-2]
        result[row["pk"]] = (top["identifier"], top["title"])
    return result


def framework_readiness(framework: Framework, status: OrganisationStatus, rows: list[dict] | None = None):
    """Readiness of one framework, by section, with every applicable requirement's status."""
    if rows is None:
        rows = list(_requirement_rows(Requirement.objects.filter(framework=framework)))
    sections = _sections(rows)
    frameworks_by_requirement = _framework_keys(status, rows)
    result = FrameworkReadiness(framework=framework)
    by_section: dict[str, SectionReadiness] = {}
    for row in rows:
        if not row["assessable"] or row["withdrawn"]:
            continue
        if row["pk"] in status.excluded:
            result.excluded += 1
            continue
        section_id, section_title = sections[row["pk"]]
        item = RequirementStatus(row["pk"], row["identifier"], row["title"], section_id, status.direct(row["pk"]))
        if not item.ready:
            for other in sorted(status.mapped.get(row["pk"], ()), key=str):
                if other in status.excluded or other not in frameworks_by_requirement:
                    continue
                if status.direct(other).ready:
                    key, identifier = frameworks_by_requirement[other]
                    item.covered_by.append((key, identifier, other))
        section = by_section.setdefault(section_id, SectionReadiness(identifier=section_id, title=section_title))
        for tally in (section, result):
            tally.applicable += 1
            tally.ready += int(item.ready)
            tally.covered += int(item.covered)
        result.items.append(item)
    result.sections = list(by_section.values())
    return result


def _requirement_rows(queryset):
    return queryset.order_by("sort_order").values(
        "pk", "parent_id", "identifier", "title", "kind", "assessable", "withdrawn"
    )


def _framework_keys(status: OrganisationStatus, rows) -> dict:
    """``{requirement id: (framework key, identifier)}`` for the requirements mapped to ``rows`` (one query,
    cached on the status object)."""
    cache = status.__dict__.setdefault("_mapped_names", {})
    wanted = set()
    for row in rows:
        wanted.update(status.mapped.get(row["pk"], ()))
    missing = wanted - cache.keys()
    if missing:
        for pk, key, identifier in Requirement.objects.filter(pk__in=missing).values_list(
            "pk", "framework__key", "identifier"
        ):
            cache[pk] = (key, identifier)
    return cache


def readiness_overview(*, user, organisation, today=None) -> list[FrameworkReadiness]:
    """Readiness of every framework the organisation sees that has assessable requirements (ISO/IEC 42001
    first). A fixed number of queries."""
    status = OrganisationStatus(organisation, today)
    frameworks = list(Framework.objects.visible_to(user, organisation))
    rows_by_framework = defaultdict(list)
    for row in _requirement_rows(Requirement.objects.visible_to(user, organisation)).values(
        "pk", "parent_id", "identifier", "title", "kind", "assessable", "withdrawn", "framework_id"
    ):
        rows_by_framework[row["framework_id"]].append(row)
    results = []
    for framework in frameworks:
        rows = rows_by_framework.get(framework.pk, [])
        if any(row["assessable"] and not row["withdrawn"] for row in rows):
            results.append(framework_readiness(framework, status, rows))
    order = {"iso42001": 0, "nist_ai_rmf": 1, "eu_ai_act": 2, "iso27001": 3, "gdpr": 4}
    results.sort(
        key=lambda r: (r.framework.organisation_id is not None, order.get(r.framework.key, 9), r.framework.name)
    )
    return results
