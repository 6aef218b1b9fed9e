"""Demo data of the audits app for Northwind Health: KPIs with a year of monthly values, a completed internal
audit with findings, two nonconformities (one closed after a corrective action verified effective, one whose
action is overdue), a management review held last quarter with decisions and actions, and three AI incidents,
one of them a serious incident whose Art. 73 reporting clock is running.

Idempotent: KPIs are looked up by computation or reference, the audit chain by ``AUD-001``, the review by
``MR-001``, incidents by reference. Everything is created through the services, then dated back (``update``) so
the history reads as if it had happened over the past months.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audits import services
from audits.constants import KPIKind, SnapshotSource
from audits.deadlines import organisation_zone
from audits.demo_data import (
    AUDIT,
    BUILTIN_HISTORY,
    FAIRNESS_HISTORY,
    INCIDENTS,
    NONCONFORMITY_PLANS,
    REVIEW,
)
from audits.models import (
    KPI,
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    Incident,
    IncidentEscalation,
    KPISnapshot,
    ManagementReview,
    Nonconformity,
    ReviewAction,
    ReviewDecision,
)
from audits.review_inputs import compile_inputs
from controls.models import Control, Evidence, Requirement
from registry.models import AISystem
from risk.models import Risk


def _today() -> dt.date:
    return timezone.localdate()


def _ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _local(day: dt.date, hour: int, organisation) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=organisation_zone(organisation))


def seed_audits(context) -> None:
    org = context.northwind
    if not AISystem.objects.filter(organisation=org).exists():
        return
    with transaction.atomic():
        _seed_kpis(context)
    with transaction.atomic():
        _seed_audit_chain(context)
    with transaction.atomic():
        _seed_incidents(context)
    # Today's values, from the data just seeded (once a day: the job's snapshot is idempotent).
    services.kpi_snapshot_take(organisation=org, source=SnapshotSource.JOB, job="snapshot_kpis")


# --- KPIs ----------------------------------------------------------------------------------------------------


def _month_starts(count: int) -> list[dt.date]:
    """The first day of each of the last ``count`` months, oldest first (this month excluded)."""
    first = _today().replace(day=1)
    days = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        days.append(first)
    return list(reversed(days))


def _backfill(kpi: KPI, values: list, *, source: str, taken_by=None) -> None:
    """A year of monthly values before today, taken at 06:00 on the first of each month."""
    if kpi.snapshots.exists():
        return
    org = kpi.organisation
    rows = []
    for day, value in zip(_month_starts(len(values)), values, strict=True):
        rows.append(
            KPISnapshot(
                organisation=org,
                kpi=kpi,
                value=Decimal(str(value)) if value is not None else None,
                taken_at=_local(day, 6, org),
                taken_on=day,
                source=source,
                taken_by=taken_by if source != SnapshotSource.JOB else None,
                job="snapshot_kpis" if source == SnapshotSource.JOB else "",
            )
        )
    KPISnapshot.objects.bulk_create([row for row in rows if row.value is not None])
    services.kpi_refresh_latest(kpi)


def _seed_kpis(context) -> None:
    org, officer = context.northwind, context.users["officer"]
    objectives = {o.reference: o for o in org_objectives(org)}
    for key, values in BUILTIN_HISTORY.items():
        kpi = KPI.objects.filter(organisation=org, builtin_key=key).first()
        if kpi is None:
            objective = objectives.get("OBJ-004") if key == "training_compliance" else None
            kpi = services.kpi_add_builtin(actor=officer, organisation=org, key=key, owner=officer, objective=objective)
        _backfill(kpi, values, source=SnapshotSource.JOB)

    fairness = KPI.objects.filter(organisation=org, reference="KPI-011").first()
    if fairness is None:
        fairness = services.kpi_create(
            actor=officer,
            organisation=org,
            data={
                "reference": "KPI-011",
                "name": "TalentScreen selection-rate gap between women and men",
                "definition": "Difference in shortlisting rates between female and male applicants on the monthly "
                "fairness test set, in percentage points. Posted by the ML pipeline after each monthly run.",
                "kind": KPIKind.MANUAL,
                "unit": "pp",
                "direction": "lower",
                "target": Decimal("2"),
                "red_threshold": Decimal("5"),
                "owner": context.users["contributor"],
            },
        )
    _backfill(fairness, FAIRNESS_HISTORY, source=SnapshotSource.API, taken_by=context.users["contributor"])
    if not fairness.snapshots.filter(taken_on=_today()).exists():
        services.kpi_record_value(
            actor=context.users["contributor"], kpi=fairness, value=Decimal("1.9"), note="Monthly run", source="api"
        )


def org_objectives(org):
    from governance.models import Objective

    return Objective.objects.filter(organisation=org)


# --- The audit chain --------------------------------------------------------------------------------------------


def _requirements(identifiers) -> list:
    found = {
        r.identifier: r
        for r in Requirement.objects.filter(
            framework__key="iso42001", framework__organisation__isnull=True, identifier__in=identifiers
        )
    }
    return [found[i] for i in identifiers if i in found]


def _by_reference(model, org, references) -> list:
    return list(model.objects.filter(organisation=org, reference__in=references).order_by("reference"))


def _seed_audit_chain(context) -> None:
    org, users = context.northwind, context.users
    if Audit.objects.filter(organisation=org, reference=AUDIT["reference"]).exists():
        return
    criteria = _requirements(AUDIT["criteria"])
    if not criteria:
        return  # the catalogue is not loaded
    officer, auditor = users["officer"], users["auditor"]
    year = _today().year
    programme = AuditProgramme.objects.filter(organisation=org, reference="APR-001").first()
    if programme is None:
        programme = services.programme_create(
            actor=officer,
            organisation=org,
            data={
                "reference": "APR-001",
                "title": f"Internal AIMS audit programme {year}",
                "period_start": dt.date(year, 1, 1),
                "period_end": dt.date(year, 12, 31),
                "owner": auditor,
                "objectives": "Confirm the AIMS meets ISO/IEC 42001 and Northwind's own AI policy; cover every clause "
                "and every applicable Annex A control at least once in three years, high-risk clinical systems every "
                "year.",
                "planning_basis": "Areas touching high-risk AI systems are of high importance (every 6 months); "
                "the rest medium (yearly). An area where the last audit found a nonconformity is audited sooner.",
            },
        )
        services.programme_approve(actor=officer, programme=programme)
        approved = dt.datetime(year, 1, 12, 10, 0, tzinfo=organisation_zone(org))
        AuditProgramme.objects.filter(pk=programme.pk).update(approved_at=min(approved, timezone.now()))
    audit = services.audit_create(
        actor=auditor,
        organisation=org,
        data={
            "reference": AUDIT["reference"],
            "programme": programme,
            "title": AUDIT["title"],
            "scope": AUDIT["scope"],
            "units": AUDIT["units"],
            "importance": "high",
            "planning_rationale": AUDIT["rationale"],
            "planned_start": _today() - dt.timedelta(days=110),
            "planned_end": _today() - dt.timedelta(days=105),
            "lead_auditor": auditor,
            "external_auditors": "",
            "criteria": criteria,
            "ai_systems": _by_reference(AISystem, org, AUDIT["systems"]),
            "controls": _by_reference(Control, org, AUDIT["controls"]),
            "risks": _by_reference(Risk, org, AUDIT["risks"]),
        },
    )
    services.audit_declare_independence(actor=auditor, audit=audit, statement=AUDIT["independence"])
    services.audit_start(actor=auditor, audit=audit)
    evidence = {e.reference: e for e in Evidence.objects.filter(organisation=org)}
    items = {item.requirement.identifier: item for item in audit.checklist.select_related("requirement")}
    for identifier, (result, notes, sampled, evidence_refs) in AUDIT["results"].items():
        item = items.get(identifier)
        if item is None:
            continue
        acknowledge = bool(services.independence_conflicts(audit, auditor, item.requirement))
        services.checklist_record(
            actor=auditor,
            item=item,
            data={
                "result": result,
                "notes": notes,
                "sampled_records": sampled,
                "evidence": [evidence[r] for r in evidence_refs if r in evidence],
            },
            acknowledge_independence=acknowledge,
        )
    for identifier, item in items.items():  # anything the data did not cover is conforming
        if identifier not in AUDIT["results"]:
            services.checklist_record(
                actor=auditor,
                item=item,
                data={"result": "conforming", "notes": "Sampled records met the requirement."},
                acknowledge_independence=bool(services.independence_conflicts(audit, auditor, item.requirement)),
            )
    services.audit_report(
        actor=auditor,
        audit=audit,
        summary=AUDIT["summary"],
        conclusion=AUDIT["conclusion"],
        recipients=AUDIT["recipients"],
    )
    services.audit_close(actor=officer, audit=audit)
    _date_audit(audit)
    ncs = _plan_nonconformities(context, audit)
    review = _seed_review(context)
    _close_first_nonconformity(context, ncs)
    _date_review(review)


def _date_audit(audit: Audit) -> None:
    start = _today() - dt.timedelta(days=108)
    reported = _ago(100)
    Audit.objects.filter(pk=audit.pk).update(
        actual_start=start,
        actual_end=start + dt.timedelta(days=3),
        reported_at=reported,
        closed_at=reported + dt.timedelta(days=2),
        independence_declared_at=_ago(112),
    )
    ChecklistItem.objects.filter(audit=audit).update(recorded_at=_ago(106))
    ChecklistItem.objects.filter(audit=audit).exclude(independence_warning="").update(
        independence_acknowledged_at=_ago(106)
    )
    Finding.objects.filter(audit=audit).update(raised_on=start + dt.timedelta(days=2))
    Nonconformity.objects.filter(finding__audit=audit).update(detected_on=start + dt.timedelta(days=2))


def _plan_nonconformities(context, audit: Audit) -> list:
    users = context.users
    ncs = []
    for plan in NONCONFORMITY_PLANS:
        nc = Nonconformity.objects.get(
            finding__audit=audit, finding__checklist_item__requirement__identifier=plan["requirement"]
        )
        nc = services.nonconformity_update(
            actor=users["officer"],
            nonconformity=nc,
            data={
                "title": plan["title"],
                "owner": users[plan["owner"]],
                "immediate_correction": plan["correction"],
                "root_cause_method": "five_whys",
                "five_whys": plan["whys"],
                "root_cause": plan["root_cause"],
            },
            reason="Analysed",
        )
        action = services.corrective_action_add(
            actor=users["officer"],
            nonconformity=nc,
            data={
                "title": plan["action"],
                "owner": users[plan["owner"]],
                "due_date": _today() + dt.timedelta(days=plan["due_in_days"]),
                "description": plan["action_description"],
            },
        )
        ncs.append((nc, action, plan))
    return ncs


def _close_first_nonconformity(context, ncs) -> None:
    users = context.users
    nc, action, plan = ncs[0]
    services.corrective_action_complete(actor=users[plan["owner"]], action=action, note=plan["done"])
    evidence = list(Evidence.objects.filter(organisation=nc.organisation, reference__in=plan["evidence"]))
    services.corrective_action_verify(
        actor=users["officer"], action=action, effective=True, note=plan["verification"], evidence=evidence
    )
    nc = services.nonconformity_update(
        actor=users["officer"],
        nonconformity=nc,
        data={"controls_changed": True, "changes_note": plan["changes"]},
        reason="Changes recorded",
    )
    services.nonconformity_close(actor=users["officer"], nonconformity=nc, note="Alerts reviewed every day since.")
    CorrectiveAction.objects.filter(pk=action.pk).update(completed_at=_ago(40), verified_at=_ago(30))
    Nonconformity.objects.filter(pk=nc.pk).update(
        closed_at=_ago(28), days_to_close=(timezone.localdate(_ago(28)) - nc.detected_on).days
    )


def _seed_review(context):
    org, users = context.northwind, context.users
    review = ManagementReview.objects.filter(organisation=org, reference=REVIEW["reference"]).first()
    if review is not None:
        return review
    held_on = _today() - dt.timedelta(days=REVIEW["held_days_ago"])
    review = services.review_create(
        actor=users["officer"],
        organisation=org,
        data={
            "reference": REVIEW["reference"],
            "title": REVIEW["title"],
            "planned_date": held_on,
            "location": REVIEW["location"],
            "chair": users["admin"],
            "attendees": [users["admin"], users["officer"], users["auditor"]],
            "other_attendees": REVIEW["other_attendees"],
            "top_management_present": True,
        },
    )
    services.review_prepare(actor=users["officer"], review=review)
    # The pack as it stood a week before the meeting (KPI values of that day, actions overdue on that day).
    ManagementReview.objects.filter(pk=review.pk).update(
        inputs=compile_inputs(org, since=None, exclude_review=review, today=held_on - dt.timedelta(days=7))
    )
    services.review_hold(
        actor=users["admin"],
        review=review,
        held_on=held_on,
        minutes=REVIEW["minutes"],
        conclusions=REVIEW["conclusions"],
        top_management_present=True,
    )
    for decision in REVIEW["decisions"]:
        services.review_add_decision(
            actor=users["officer"],
            review=review,
            kind=decision["kind"],
            decision=decision["decision"],
            action_title=decision["action"],
            owner=users[decision["owner"]],
            due_date=_today() + dt.timedelta(days=decision["due_in_days"]),
        )
    done = ReviewAction.objects.filter(review=review, title=REVIEW["done_action"]).first()
    if done is not None:
        services.review_action_complete(actor=users["officer"], action=done, note=REVIEW["done_note"])
        ReviewAction.objects.filter(pk=done.pk).update(completed_at=_ago(REVIEW["held_days_ago"] - 20))
    return review


def _date_review(review) -> None:
    review = ManagementReview.objects.get(pk=review.pk)
    held = review.held_on or _today()
    compiled = dt.datetime.combine(held - dt.timedelta(days=7), dt.time(9, 0), tzinfo=dt.UTC)
    ManagementReview.objects.filter(pk=review.pk).update(inputs_compiled_at=compiled)
    ReviewDecision.objects.filter(review=review).update(created_at=compiled + dt.timedelta(days=7))


# --- Incidents ----------------------------------------------------------------------------------------------------


def _seed_incidents(context) -> None:
    org, users = context.northwind, context.users
    for spec in INCIDENTS:
        if Incident.objects.filter(organisation=org, reference=spec["reference"]).exists():
            continue
        detected = _local(_today() - dt.timedelta(days=spec["days_ago"]), spec["hour"], org)
        data = {
            "reference": spec["reference"],
            "title": spec["title"],
            "ai_systems": _by_reference(AISystem, org, spec["systems"]),
            "detected_at": detected,
            "reported_by": users[spec["reported_by"]],
            "owner": users["officer"],
            "description": spec["description"],
            "harm_types": spec["harm"],
            "severity": spec["severity"],
            "affected_persons": spec["affected"],
            "affected_count": spec.get("affected_count"),
            "containment": spec["containment"],
            "serious": spec.get("serious", False),
            "serious_category": spec.get("category", ""),
            "aware_at": detected + dt.timedelta(hours=2) if spec.get("serious") else None,
            "root_cause": spec.get("root_cause", ""),
        }
        incident = services.incident_create(actor=users[spec["reported_by"]], organisation=org, data=data)
        for who, hours, channel in spec.get("escalations", []):
            services.incident_add_escalation(
                actor=users["officer"],
                incident=incident,
                data={"notified": who, "notified_at": detected + dt.timedelta(hours=hours), "channel": channel},
            )
        if spec.get("status") in ("resolved", "contained"):
            services.incident_update(actor=users["officer"], incident=incident, data={"status": spec["status"]})
        if spec.get("status") == "closed":
            services.incident_close(actor=users["officer"], incident=incident, lessons_learned=spec["lessons"])
            Incident.objects.filter(pk=incident.pk).update(closed_at=detected + dt.timedelta(days=6))
        IncidentEscalation.objects.filter(incident=incident).update(created_at=detected)
