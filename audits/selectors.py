"""Reads of the audits registers that take more than one step: checklist rows, result counts, how often the
programme should audit an area, and the dashboard's summaries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.constants import (
    BASE_FREQUENCY_MONTHS,
    NC_RESULTS,
    AuditStatus,
    ChecklistResult,
    FindingKind,
    Importance,
)
from audits.models import Audit, ChecklistItem, Finding
from controls.models import Evidence


def audit_result_counts(audit: Audit) -> dict:
    """``{result: n}`` for every result, plus ``total`` and ``assessed``. One query."""
    counts = dict.fromkeys(ChecklistResult.values, 0)
    for row in audit.checklist.order_by().values("result").annotate(n=Count("pk")):
        counts[row["result"]] = row["n"]
    total = sum(counts.values())
    return {
        **{f"n_{key or 'open'}": value for key, value in counts.items()},
        "total": total,
        "assessed": total - counts[""],
        "nonconformities": sum(counts[key] for key in NC_RESULTS),
    }


def checklist_rows(audit: Audit) -> list[ChecklistItem]:
    """The checklist with what each line shows, in a fixed number of queries."""
    return list(
        audit.checklist.select_related(
            "requirement__framework",
            "recorded_by",
            "independence_acknowledged_by",
            "finding__nonconformity",
        )
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("reference")))
        .order_by("position")
    )


@dataclass
class PlannedAudit:
    audit: Audit
    base_months: int
    suggested_months: int
    earlier: str  # what earlier audits of the same requirements found
    chosen_months: int | None

    @property
    def months(self) -> int:
        return self.chosen_months or self.suggested_months


def suggested_frequency(audits: list[Audit], organisation) -> list[PlannedAudit]:
    """How often each audit's area should be audited: by importance (6, 12 or 24 months), halved when an earlier
    audit of the same requirements found a major nonconformity, and three quarters after a minor one (9.2.2:
    importance of the processes and results of previous audits). Two queries."""
    criteria: dict = {audit.pk: set() for audit in audits}
    for audit_id, requirement_id in Audit.criteria.through.objects.filter(audit_id__in=criteria).values_list(
        "audit_id", "requirement_id"
    ):
        criteria[audit_id].add(requirement_id)
    earlier = list(
        Finding.objects.filter(
            organisation=organisation,
            kind__in=[FindingKind.MAJOR_NC, FindingKind.MINOR_NC],
            audit__status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED],
        ).values("requirement_id", "kind", "audit_id", "audit__reference", "audit__reported_at")
    )
    plans = []
    for audit in audits:
        base = BASE_FREQUENCY_MONTHS.get(audit.importance, BASE_FREQUENCY_MONTHS[Importance.MEDIUM])
        mine = criteria.get(audit.pk, set())
        relevant = [
            f
            for f in earlier
            if f["requirement_id"] in mine
            and f["audit_id"] != audit.pk
            and (audit.reported_at is None or f["audit__reported_at"] < audit.reported_at)
        ]
        kinds = {f["kind"] for f in relevant}
        if FindingKind.MAJOR_NC in kinds:
            suggested, note = max(1, base // 2), _("a major nonconformity")
        elif FindingKind.MINOR_NC in kinds:
            suggested, note = max(1, base * 3 // 4), _("a minor nonconformity")
        else:
            suggested, note = base, ""
        if note:
            sources = sorted({f["audit__reference"] for f in relevant})
            note = _("%(audits)s found %(finding)s in these requirements") % {
                "audits": ", ".join(sources),
                "finding": note,
            }
        plans.append(PlannedAudit(audit, base, suggested, note, audit.frequency_months))
    return plans


@dataclass
class ImprovementSummary:
    open_ncs: int
    overdue_actions: list
    overdue_total: int
    mine_only: bool


def improvement_summary(*, user, organisation, sees_all: bool) -> ImprovementSummary | None:
    """Open nonconformities and overdue corrective actions: every one for officers, the user's own for others.
    Two queries."""
    from audits.models import CorrectiveAction, Nonconformity

    ncs = Nonconformity.objects.visible_to(user, organisation)
    if ncs.query.is_empty():
        return None
    actions = CorrectiveAction.objects.visible_to(user, organisation).overdue(timezone.localdate())
    if not sees_all:
        actions = actions.filter(Q(owner=user) | Q(nonconformity__owner=user))
    return ImprovementSummary(
        open_ncs=ncs.open().count(),
        overdue_actions=list(actions.select_related("owner", "nonconformity").order_by("due_date")[:5]),
        overdue_total=actions.count(),
        mine_only=not sees_all,
    )
