"""The roadmap's reads: gaps ranked by the highest risk level they leave untreated, high-risk (EU AI Act)
systems first, and the planned actions grouped by phase."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from controls.gap import FrameworkReadiness, RequirementStatus
from controls.models import Control, RoadmapAction, SoALine
from registry.constants import EUTier
from registry.models import AISystem
from risk.constants import LEVEL_ORDER, RiskStatus
from risk.models import Risk

UNTREATED_EXCLUDED = (RiskStatus.CLOSED, RiskStatus.ACCEPTED)


@dataclass
class RankedGap:
    item: RequirementStatus
    risk_level: str = ""
    risks: list[dict] = field(default_factory=list)
    high_risk_systems: list[dict] = field(default_factory=list)
    planned: list[dict] = field(default_factory=list)
    position: int = 0

    @property
    def rank_key(self):
        level_rank = LEVEL_ORDER.index(self.risk_level) + 1 if self.risk_level in LEVEL_ORDER else 0
        return (not self.high_risk_systems, -level_rank, self.position)


def ranked_gaps(readiness: FrameworkReadiness, *, organisation) -> list[RankedGap]:
    """The framework's gaps, most urgent first (7 queries, whatever the number of gaps)."""
    org = organisation
    risks = {
        row["pk"]: row
        for row in Risk.objects.filter(organisation=org)
        .exclude(status__in=UNTREATED_EXCLUDED)
        .values("pk", "reference", "title", "residual_level", "inherent_level")
    }
    risks_of_control = defaultdict(set)
    for control_id, risk_id in Control.risks.through.objects.filter(control__organisation=org).values_list(
        "control_id", "risk_id"
    ):
        risks_of_control[control_id].add(risk_id)
    risks_of_requirement = defaultdict(set)
    for requirement_id, risk_id in SoALine.risks.through.objects.filter(soaline__organisation=org).values_list(
        "soaline__requirement_id", "risk_id"
    ):
        risks_of_requirement[requirement_id].add(risk_id)
    high_systems = {
        row["pk"]: row
        for row in AISystem.objects.filter(organisation=org, eu_tier=EUTier.HIGH).values("pk", "reference", "name")
    }
    systems_of_control = defaultdict(set)
    for control_id, system_id in Control.ai_systems.through.objects.filter(
        control__organisation=org, aisystem_id__in=list(high_systems)
    ).values_list("control_id", "aisystem_id"):
        systems_of_control[control_id].add(system_id)
    systems_of_risk = defaultdict(set)
    for risk_id, system_id in Risk.ai_systems.through.objects.filter(
        risk__organisation=org, aisystem_id__in=list(high_systems)
    ).values_list("risk_id", "aisystem_id"):
        systems_of_risk[risk_id].add(system_id)
    planned = defaultdict(list)
    for row in (
        RoadmapAction.objects.filter(organisation=org)
        .open()
        .values("pk", "reference", "title", "requirement_id", "phase", "due_date")
    ):
        planned[row["requirement_id"]].append(row)

    result = []
    for position, item in enumerate(readiness.gaps):
        risk_ids = set(risks_of_requirement.get(item.pk, ()))
        system_ids = set()
        for control in item.check.controls:
            risk_ids |= risks_of_control.get(control.pk, set())
            system_ids |= systems_of_control.get(control.pk, set())
        gap_risks = []
        for risk_id in risk_ids:
            row = risks.get(risk_id)
            if row is None:
                continue
            level = row["residual_level"] or row["inherent_level"]
            gap_risks.append({"pk": risk_id, "reference": row["reference"], "title": row["title"], "level": level})
            system_ids |= systems_of_risk.get(risk_id, set())
        levels = [r["level"] for r in gap_risks if r["level"] in LEVEL_ORDER]
        top = max(levels, key=LEVEL_ORDER.index) if levels else ""
        result.append(
            RankedGap(
                item=item,
                risk_level=top,
                risks=sorted(
                    gap_risks,
                    key=lambda r: (
                        -(LEVEL_ORDER.index(r["level"]) if r["level"] in LEVEL_ORDER else -1),
                        r["reference"],
                    ),
                ),
                high_risk_systems=sorted((high_systems[s] for s in system_ids), key=lambda s: s["reference"]),
                planned=planned.get(item.pk, []),
                position=position,
            )
        )
    result.sort(key=lambda gap: gap.rank_key)
    return result


def roadmap_by_phase(actions) -> list[dict]:
    """Actions grouped under their phase, in phase order (each group may be empty)."""
    from controls.constants import RoadmapPhase

    groups = {value: {"phase": value, "label": label, "actions": []} for value, label in RoadmapPhase.choices}
    for action in actions:
        groups.setdefault(action.phase, {"phase": action.phase, "label": action.phase, "actions": []})
        groups[action.phase]["actions"].append(action)
    return list(groups.values())
