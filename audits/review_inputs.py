"""The management review pack: the inputs of clause 9.3.2, compiled from live data (ISO/IEC 42001).

``compile_inputs`` reads every register once (a fixed number of queries, whatever the data) and returns plain
JSON: texts, numbers as strings, dates in ISO form. The review stores it, so what was reviewed never changes
when the registers do. "Since" is the day the previous review was held (everything, for a first review).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from audits.constants import (
    RAG,
    AuditStatus,
    ChecklistResult,
    FindingKind,
    NCStatus,
    ReviewStatus,
)

PACK_VERSION = 1
LIST_LIMIT = 50


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _num(value) -> str:
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return format(value, "f")


def _after(field: str, since: dt.date | None) -> Q:
    return Q(**{f"{field}__date__gt": since}) if since else Q()


def previous_review(review):
    """The latest review held before ``review`` (by meeting date)."""
    from audits.models import ManagementReview

    return (
        ManagementReview.objects.filter(organisation=review.organisation, status=ReviewStatus.HELD)
        .exclude(pk=review.pk)
        .filter(held_on__lte=review.planned_date)
        .order_by("-held_on", "-created_at")
        .first()
    )


# --- The sections --------------------------------------------------------------------------------------------


def previous_actions(organisation, since, exclude_review, today) -> dict:
    """9.3.2 a: actions from earlier reviews: open ones, and those finished since the last review."""
    from audits.models import ReviewAction

    actions = (
        ReviewAction.objects.filter(organisation=organisation)
        .exclude(review=exclude_review)
        .filter((Q(status__in=["planned", "in_progress"]) | _after("completed_at", since)) if since else Q())
        .select_related("owner", "review")
        .order_by("due_date", "reference")
    )
    rows = [
        {
            "reference": a.reference,
            "title": a.title,
            "review": a.review.reference,
            "owner": _person(a.owner),
            "due_date": _day(a.due_date),
            "status": a.status,
            "status_label": a.get_status_display(),
            "overdue": bool(a.is_open and a.due_date and a.due_date < today),
        }
        for a in actions[:LIST_LIMIT]
    ]
    return {"rows": rows, "open": sum(1 for r in rows if r["status"] in ("planned", "in_progress"))}


def context_changes(organisation, since) -> dict:
    """9.3.2 b: external and internal issues and interested parties added or changed since the last review."""
    from registry.models import ContextIssue, InterestedParty

    issues = ContextIssue.objects.filter(organisation=organisation).filter(_after("updated_at", since))
    parties = InterestedParty.objects.filter(organisation=organisation).filter(_after("updated_at", since))

    def change(obj) -> str:
        return "new" if since is None or _day(obj.created_at) > since.isoformat() else "changed"

    return {
        "issues": [
            {
                "reference": i.reference,
                "title": i.title,
                "kind": i.get_kind_display(),
                "change": change(i),
                "effect": i.effect_on_aims,
            }
            for i in issues.order_by("reference")[:LIST_LIMIT]
        ],
        "parties": [
            {
                "reference": p.reference,
                "name": p.name,
                "kind": p.get_kind_display(),
                "change": change(p),
                "requirements": p.requirements,
                "addressed": p.addressed,
            }
            for p in parties.order_by("reference")[:LIST_LIMIT]
        ],
    }


def kpi_performance(organisation, today) -> dict:
    """9.3.2 c: KPI values as they stood on ``today``, RAG, trend and the last twelve values (for a sparkline).
    Two queries."""
    from audits.models import KPI, KPISnapshot
    from audits.rag import misses_target, rag_status, trend_word

    kpis = list(KPI.objects.filter(organisation=organisation).active().select_related("owner").order_by("reference"))
    history = defaultdict(list)
    for row in (
        KPISnapshot.objects.filter(kpi__in=kpis, taken_on__gte=today - dt.timedelta(days=400), taken_on__lte=today)
        .order_by("taken_at")
        .values("kpi_id", "value", "taken_on")
    ):
        history[row["kpi_id"]].append((row["taken_on"], row["value"]))
    rows = []
    for kpi in kpis:
        values = history.get(kpi.pk, [])
        latest = values[-1] if values else (None, None)
        previous = values[-2][1] if len(values) > 1 else None
        rows.append(
            {
                "reference": kpi.reference,
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "value": _num(latest[1]),
                "previous": _num(previous),
                "taken_on": _day(latest[0]),
                "target": _num(kpi.target),
                "rag": rag_status(
                    latest[1],
                    direction=kpi.direction,
                    target=kpi.target,
                    amber=kpi.amber_threshold,
                    red=kpi.red_threshold,
                ),
                "trend": trend_word(latest[1], previous, direction=kpi.direction),
                "off_target": misses_target(latest[1], direction=kpi.direction, target=kpi.target),
                "owner": _person(kpi.owner),
                "history": [[day.isoformat(), _num(value)] for day, value in values[-12:]],
            }
        )
    off = sum(1 for r in rows if r["off_target"] or (not r["target"] and r["rag"] in (RAG.AMBER, RAG.RED)))
    return {"rows": rows, "off_target": off}


def objectives(organisation, today) -> dict:
    """9.3.2 c: how far the AI objectives are met (a value measured after ``today`` is not shown)."""
    from governance.models import Objective

    rows = []
    for o in Objective.objects.filter(organisation=organisation).open().order_by("reference")[:LIST_LIMIT]:
        known = o.measured_on is not None and o.measured_on <= today
        rows.append(
            {
                "reference": o.reference,
                "title": o.title,
                "target": _num(o.target),
                "unit": o.unit,
                "value": _num(o.current_value) if known else "",
                "measured_on": _day(o.measured_on) if known else "",
                "status": o.get_status_display(),
                "on_track": o.on_track if known else None,
            }
        )
    return {"rows": rows}


def nonconformities(organisation, since, today) -> dict:
    """9.3.2 c: nonconformities and corrective actions: open ones, and those raised and closed since."""
    from audits.models import CorrectiveAction, Nonconformity

    ncs = Nonconformity.objects.filter(organisation=organisation)
    totals = ncs.aggregate(
        open=Count("pk", filter=~Q(status=NCStatus.CLOSED)),
        raised=Count("pk", filter=Q(detected_on__gt=since)) if since else Count("pk"),
        closed=Count("pk", filter=Q(status=NCStatus.CLOSED) & _after("closed_at", since)),
    )
    listed = (
        ncs.filter(~Q(status=NCStatus.CLOSED) | (Q(status=NCStatus.CLOSED) & _after("closed_at", since)))
        .select_related("owner")
        .annotate(
            actions_total=Count("actions", distinct=True),
            actions_effective=Count("actions", filter=Q(actions__effectiveness="effective"), distinct=True),
        )
        .order_by("status", "-detected_on", "reference")
    )
    rows = [
        {
            "reference": nc.reference,
            "title": nc.title,
            "grade": nc.get_grade_display(),
            "source": nc.get_source_display(),
            "status": nc.status,
            "status_label": nc.get_status_display(),
            "owner": _person(nc.owner),
            "detected_on": _day(nc.detected_on),
            "closed_on": _day(nc.closed_at),
            "days_to_close": nc.days_to_close,
            "actions": nc.actions_total,
            "verified_effective": nc.actions_effective,
        }
        for nc in listed[:LIST_LIMIT]
    ]
    overdue = list(
        CorrectiveAction.objects.filter(organisation=organisation)
        .overdue(today)
        .select_related("owner", "nonconformity")
        .order_by("due_date")[:LIST_LIMIT]
    )
    return {
        **totals,
        "rows": rows,
        "overdue_actions": [
            {
                "reference": a.reference,
                "title": a.title,
                "nonconformity": a.nonconformity.reference,
                "owner": _person(a.owner),
                "due_date": _day(a.due_date),
            }
            for a in overdue
        ],
    }


def audit_results(organisation, since) -> dict:
    """9.3.2 c: audits reported since the last review, with their results per kind; audits planned next."""
    from audits.models import Audit

    result_counts = {
        f"n_{value}": Count("checklist", filter=Q(checklist__result=value), distinct=True)
        for value in ChecklistResult.values
        if value
    }
    reported = (
        Audit.objects.filter(organisation=organisation, status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED])
        .filter(_after("reported_at", since))
        .annotate(**result_counts)
        .order_by("-reported_at")
    )
    planned = Audit.objects.filter(organisation=organisation, status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
    return {
        "reported": [
            {
                "reference": a.reference,
                "title": a.title,
                "reported_on": _day(a.reported_at),
                "conclusion": a.conclusion,
                "results": {value: getattr(a, f"n_{value}") for value in ChecklistResult.values if value},
            }
            for a in reported[:LIST_LIMIT]
        ],
        "planned": [
            {
                "reference": a.reference,
                "title": a.title,
                "planned_start": _day(a.planned_start),
                "status": a.get_status_display(),
            }
            for a in planned.order_by("planned_start", "reference")[:LIST_LIMIT]
        ],
    }


def monitoring(organisation, today) -> dict:
    """9.3.2 c: monitoring and measurement results beyond KPIs: control checks and evidence."""
    from controls.constants import CheckResult
    from controls.models import Control, Evidence

    controls = Control.objects.filter(organisation=organisation).aggregate(
        checked=Count("pk", filter=~Q(last_check_result="")),
        effective=Count("pk", filter=Q(last_check_result=CheckResult.EFFECTIVE)),
        partly=Count("pk", filter=Q(last_check_result=CheckResult.PARTLY_EFFECTIVE)),
        not_effective=Count("pk", filter=Q(last_check_result=CheckResult.NOT_EFFECTIVE)),
        review_overdue=Count("pk", filter=Q(next_review__lt=today)),
    )
    weak = (
        Control.objects.filter(
            organisation=organisation,
            last_check_result__in=[CheckResult.PARTLY_EFFECTIVE, CheckResult.NOT_EFFECTIVE],
        )
        .select_related("owner")
        .order_by("reference")
    )
    evidence = Evidence.objects.filter(organisation=organisation).aggregate(
        expired=Count("pk", filter=Q(expiry_date__lt=today)),
        expiring=Count("pk", filter=Q(expiry_date__gte=today, expiry_date__lte=today + dt.timedelta(days=30))),
    )
    return {
        "controls": controls,
        "weak_controls": [
            {
                "reference": c.reference,
                "title": c.title,
                "result": c.get_last_check_result_display(),
                "checked_on": _day(c.last_checked),
                "owner": _person(c.owner),
            }
            for c in weak[:LIST_LIMIT]
        ],
        "evidence": evidence,
    }


def risk_status(organisation, since, today) -> dict:
    """9.3.2 d–e: risk status and treatment: open risks by level, the highest ones, overdue treatment."""
    from risk.models import Risk, TreatmentAction
    from risk.querysets import current_level_q

    open_risks = Risk.objects.filter(organisation=organisation).open()
    levels = open_risks.aggregate(
        **{level: Count("pk", filter=current_level_q(level)) for level in ("low", "medium", "high", "critical")},
        unscored=Count("pk", filter=Q(inherent_level="")),
        total=Count("pk"),
        accepted=Count("pk", filter=Q(status="accepted")),
    )
    top = (
        open_risks.filter(current_level_q("critical") | current_level_q("high"))
        .select_related("owner")
        .order_by("reference")
    )
    actions = TreatmentAction.objects.filter(organisation=organisation).aggregate(
        open=Count("pk", filter=Q(status__in=["planned", "in_progress"])),
        overdue=Count("pk", filter=Q(status__in=["planned", "in_progress"], due_date__lt=today)),
        done_since=Count("pk", filter=Q(status="done") & _after("completed_at", since)),
    )
    return {
        "levels": levels,
        "top": [
            {
                "reference": r.reference,
                "title": r.title,
                "level": r.current_level,
                "status": r.get_status_display(),
                "owner": _person(r.owner),
            }
            for r in top[:LIST_LIMIT]
        ],
        "treatment": actions,
    }


def incidents(organisation, since) -> dict:
    """AI incidents since the last review (A.8.4), serious ones flagged."""
    from audits.models import Incident

    rows = (
        Incident.objects.filter(organisation=organisation)
        .filter((_after("detected_at", since) | Q(status__in=["open", "contained"])) if since else Q())
        .order_by("-detected_at")
    )
    return {
        "rows": [
            {
                "reference": i.reference,
                "title": i.title,
                "severity": i.severity,
                "severity_label": i.get_severity_display(),
                "serious": i.serious,
                "status": i.get_status_display(),
                "detected_on": _day(i.detected_at),
                "reported_to_authority": _day(i.reported_to_authority_at),
            }
            for i in rows[:LIST_LIMIT]
        ]
    }


def improvement_opportunities(organisation, since) -> dict:
    """9.3.2 f: opportunities for improvement from audits (and observations), and open opportunities in the
    risk register."""
    from audits.models import Finding
    from risk.models import Risk

    findings = (
        Finding.objects.filter(organisation=organisation, kind__in=[FindingKind.OFI, FindingKind.OBSERVATION])
        .filter(Q(raised_on__gt=since) if since else Q())
        .select_related("audit")
        .order_by("-raised_on", "reference")
    )
    opportunities = Risk.objects.filter(organisation=organisation, risk_type="opportunity").open().order_by("reference")
    return {
        "findings": [
            {
                "reference": f.reference,
                "title": f.title,
                "kind": f.get_kind_display(),
                "audit": f.audit.reference,
                "description": f.description,
            }
            for f in findings[:LIST_LIMIT]
        ],
        "risk_opportunities": [
            {"reference": r.reference, "title": r.title, "status": r.get_status_display()}
            for r in opportunities[:LIST_LIMIT]
        ],
    }


def compile_inputs(organisation, *, since: dt.date | None, exclude_review=None, today: dt.date | None = None) -> dict:
    """The whole pack. About twenty queries, whatever the size of the registers."""
    today = today or timezone.localdate()
    return {
        "version": PACK_VERSION,
        "compiled_on": today.isoformat(),
        "since": since.isoformat() if since else "",
        "previous_actions": previous_actions(organisation, since, exclude_review, today),
        "context": context_changes(organisation, since),
        "kpis": kpi_performance(organisation, today),
        "objectives": objectives(organisation, today),
        "nonconformities": nonconformities(organisation, since, today),
        "audits": audit_results(organisation, since),
        "monitoring": monitoring(organisation, today),
        "risks": risk_status(organisation, since, today),
        "incidents": incidents(organisation, since),
        "improvement": improvement_opportunities(organisation, since),
    }
