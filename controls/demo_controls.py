"""Northwind's controls, evidence (small generated files), an approved SoA, its AI policy and a roadmap.

Idempotent: every record is looked up by its reference before it is created, and the SoA is decided and
approved only once, so ``seed_demo`` can run at every start. Risks and AI systems are looked up by their
references from the earlier seeders; a missing one is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from controls import services
from controls.constants import ISO42001_KEY, PolicyKind
from controls.demo_data import NORTHWIND_CONTROLS
from controls.demo_data_more import (
    ACCEPTABLE_USE,
    AI_POLICY_V1,
    AI_POLICY_V2,
    NORTHWIND_EVIDENCE,
    NORTHWIND_ROADMAP,
    PROCUREMENT_POLICY,
    SOA_APPLICABLE,
    SOA_EXCLUDED,
)
from controls.models import Control, Evidence, Policy, Requirement, RoadmapAction, SoAVersion, StatementOfApplicability
from registry.models import AISystem
from risk.models import Risk

logger = logging.getLogger(__name__)


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _requirements(spec: dict) -> list:
    query = Q()
    for key, identifiers in spec.items():
        query |= Q(framework__key=key, framework__organisation__isnull=True, identifier__in=identifiers)
    return list(Requirement.objects.filter(query)) if spec else []


def seed_controls(context) -> None:
    org, users = context.northwind, context.users
    if "officer" not in users:
        return
    with transaction.atomic():
        _seed_controls(org, users)
    _seed_evidence(org, users)
    with transaction.atomic():
        _seed_soa(org, users)
        _seed_policies(org, users)
        _seed_roadmap(org, users)


# --- Controls ----------------------------------------------------------------------------------------------


def _seed_controls(org, users) -> None:
    officer = users["officer"]
    existing = set(Control.objects.filter(organisation=org).values_list("reference", flat=True))
    risks = {r.reference: r for r in Risk.objects.filter(organisation=org)}
    systems = {s.reference: s for s in AISystem.objects.filter(organisation=org)}
    for reference, spec in NORTHWIND_CONTROLS.items():
        if reference in existing:
            continue
        title, kind, status, owner, description, reqs, risk_refs, system_refs, frequency, check = spec
        actions = [a for r in risk_refs if r in risks for a in risks[r].actions.all()][:2]
        control = services.control_create(
            actor=officer,
            organisation=org,
            data={
                "reference": reference,
                "title": title,
                "control_type": kind,
                "implementation_status": status,
                "owner": users.get(owner, officer),
                "description": description,
                "requirements": _requirements(reqs),
                "risks": [risks[r] for r in risk_refs if r in risks],
                "treatment_actions": actions if kind == "technical" else [],
                "ai_systems": [systems[s] for s in system_refs if s in systems],
                "check_frequency": frequency,
            },
        )
        if check is not None:
            days_ago, result = check
            services.control_record_check(
                actor=users.get(owner, officer),
                control=control,
                checked_on=_days(-days_ago),
                result=result,
                note="Routine check against the control description."
                if result == "effective"
                else "Works, but the records were incomplete for part of the period.",
            )


# --- Evidence files ----------------------------------------------------------------------------------------


# Rendering takes WeasyPrint a quarter of a second a page, and the same arguments always give the same document:
# a process that seeds more than once (the test suite, the benchmarks) renders each demo PDF once.
@functools.lru_cache(maxsize=64)
def _pdf(title: str, description: str, org_name: str, reference: str, effective: dt.date) -> bytes:
    from aims.pdf import render_pdf

    body = escape(description or f"{title}: the record kept as evidence for the control named in AIMS.")
    html = f"""<!doctype html><html><head><meta charset="utf-8"><style>
    @page {{ size: A4; margin: 22mm; @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
      font: 8pt sans-serif; color: #666; }} }}
    body {{ font-family: "Liberation Sans", sans-serif; font-size: 10.5pt; color: #222; }}
    .org {{ color: #1d3557; font-weight: bold; letter-spacing: .05em; text-transform: uppercase; font-size: 9pt; }}
    h1 {{ color: #1d3557; font-size: 20pt; margin: 4mm 0; }} table {{ border-collapse: collapse; margin-top: 8mm; }}
    td {{ border-bottom: .5pt solid #ccc; padding: 2mm 6mm 2mm 0; }}</style></head><body>
    <div class="org">{escape(org_name)}</div><h1>{escape(title)}</h1><p>{body}</p>
    <p>This document is part of the evidence of the Northwind AI management system. It was prepared by the
    control owner and checked by the AIMS officer.</p>
    <table><tr><td>Document</td><td>{escape(reference)}</td></tr><tr><td>Effective</td><td>{effective:%d %B %Y}</td>
    </tr><tr><td>Classification</td><td>Internal</td></tr></table></body></html>"""
    return render_pdf(html)


def _csv(title: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["item", "owner", "status", "last updated"])
    for n in range(1, 7):
        writer.writerow(
            [
                f"{title} — entry {n}",
                "AIMS officer" if n % 2 else "System owner",
                "open" if n == 3 else "closed",
                _days(-n * 9).isoformat(),
            ]
        )
    return buffer.getvalue().encode()


def _xlsx(title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(["Document", "Owner", "Version", "Next review"])
    for name, owner in [
        ("AI policy", "AIMS officer"),
        ("AI risk procedure", "AIMS officer"),
        ("Impact assessment procedure", "AIMS officer"),
        ("Model card template", "ML lead"),
    ]:
        sheet.append([name, owner, "2", _days(200).isoformat()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(title: str, description: str) -> bytes:
    return (
        f"# {title}\n\n{description or 'Record kept as AIMS evidence.'}\n\n- Prepared by the control owner\n"
        f"- Checked by the AIMS officer on {_days(-3).isoformat()}\n"
    ).encode()


_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "md": "text/markdown",
    "txt": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _seed_evidence(org, users) -> None:
    officer = users["officer"]
    existing = set(Evidence.objects.filter(organisation=org).values_list("reference", flat=True))
    controls = {c.reference: c for c in Control.objects.filter(organisation=org)}
    systems = {s.reference: s for s in AISystem.objects.filter(organisation=org)}
    for reference, spec in NORTHWIND_EVIDENCE.items():
        if reference in existing:
            continue
        title, description, kind, effective, expiry, control_refs, system_refs, review = spec
        linked = [controls[c] for c in control_refs if c in controls]
        data = {
            "reference": reference,
            "title": title,
            "description": description,
            "effective_date": _days(effective),
            "expiry_date": _days(expiry) if expiry is not None else None,
            "owner": linked[0].owner if linked and linked[0].owner else officer,
            "controls": linked,
            "ai_systems": [systems[s] for s in system_refs if s in systems],
        }
        upload = None
        if kind.startswith("http"):
            data["url"] = kind
        else:
            if kind == "pdf":
                content = _pdf(title, description, org.name, reference, _days(effective))
            elif kind == "csv":
                content = _csv(title)
            elif kind == "xlsx":
                content = _xlsx(title)
            else:
                content = _text(title, description)
            slug = "-".join(title.lower().replace(":", "").replace(",", "").split())[:60]
            upload = SimpleUploadedFile(f"{slug}.{kind}", content, content_type=_TYPES[kind])
        with transaction.atomic():
            evidence = services.evidence_create(actor=officer, organisation=org, data=data, upload=upload)
            if review != "pending":
                services.evidence_review(actor=officer, evidence=evidence, status=review)


# --- The SoA -----------------------------------------------------------------------------------------------


def _seed_soa(org, users) -> None:
    officer = users["officer"]
    soa = services.soa_ensure(organisation=org, actor=officer)
    if SoAVersion.objects.filter(soa=soa).exists():
        return
    risks = {r.reference: r for r in Risk.objects.filter(organisation=org)}
    for line in soa.lines.select_related("requirement"):
        identifier = line.requirement.identifier
        if identifier in SOA_EXCLUDED:
            reason, text, owner = SOA_EXCLUDED[identifier]
            data = {"applicable": False, "exclusion_reason": reason, "exclusion_justification": text}
        elif identifier in SOA_APPLICABLE:
            risk_refs, obligation, need, owner = SOA_APPLICABLE[identifier]
            data = {
                "applicable": True,
                "risks": [risks[r] for r in risk_refs if r in risks],
                "obligations": obligation,
                "business_need": need or ("" if obligation or risk_refs else "Needed to run our AI safely."),
            }
            if not data["obligations"] and not data["risks"] and not data["business_need"]:
                data["business_need"] = "Needed to run our AI safely."
        else:
            continue
        data["owner"] = users.get(owner, officer)
        services.soa_line_update(actor=officer, line=line, data=data)
    version = services.soa_approve(
        actor=officer, soa=soa, note="Approved at the AI governance board; first complete Statement of Applicability."
    )
    approved_at = timezone.now() - dt.timedelta(days=35)
    SoAVersion.objects.filter(pk=version.pk).update(approved_at=approved_at)
    StatementOfApplicability.objects.filter(pk=soa.pk).update(approved_at=approved_at)


# --- Policies ----------------------------------------------------------------------------------------------


def _policy_requirements(*identifiers) -> list:
    return list(
        Requirement.objects.filter(
            framework__key=ISO42001_KEY, framework__organisation__isnull=True, identifier__in=identifiers
        )
    )


def _seed_policies(org, users) -> None:
    officer = users["officer"]
    now = timezone.now()
    if not Policy.objects.filter(organisation=org, reference="POL-001").exists():
        first = services.policy_create(
            actor=officer,
            organisation=org,
            data={
                "reference": "POL-001",
                "kind": PolicyKind.AI_POLICY,
                "title": "Northwind Health AI policy",
                "body": AI_POLICY_V1,
                "owner": officer,
                "change_summary": "First AI policy.",
                "requirements": _policy_requirements("5.2", "A.2.2", "A.2.4"),
            },
        )
        services.policy_approve(actor=officer, policy=first)
        second = services.policy_new_version(actor=officer, policy=first)
        document = Evidence.objects.filter(organisation=org, reference="EVD-001").first()
        services.policy_update(
            actor=officer,
            policy=second,
            data={
                "body": AI_POLICY_V2,
                "document": document,
                "review_date": _days(245),
                "change_summary": "Principles table, roles, EU AI Act literacy duty; reviewed after the yearly risk "
                "review.",
            },
        )
        services.policy_submit(actor=officer, policy=second)
        services.policy_approve(actor=officer, policy=second)
        Policy.objects.filter(pk=first.pk).update(
            approved_at=now - dt.timedelta(days=480), retired_at=now - dt.timedelta(days=120)
        )
        Policy.objects.filter(pk=second.pk).update(approved_at=now - dt.timedelta(days=120))
    if not Policy.objects.filter(organisation=org, reference="POL-002").exists():
        policy = services.policy_create(
            actor=officer,
            organisation=org,
            data={
                "reference": "POL-002",
                "kind": PolicyKind.TOPIC,
                "title": "Acceptable use of generative AI",
                "body": ACCEPTABLE_USE,
                "owner": officer,
                "review_date": _days(265),
                "requirements": _policy_requirements("A.9.2", "A.9.3"),
            },
        )
        services.policy_approve(actor=officer, policy=policy)
        Policy.objects.filter(pk=policy.pk).update(approved_at=now - dt.timedelta(days=100))
    if not Policy.objects.filter(organisation=org, reference="POL-003").exists():
        policy = services.policy_create(
            actor=officer,
            organisation=org,
            data={
                "reference": "POL-003",
                "kind": PolicyKind.TOPIC,
                "title": "AI procurement and supplier policy",
                "body": PROCUREMENT_POLICY,
                "owner": users.get("contributor", officer),
                "requirements": _policy_requirements("A.10.2", "A.10.3"),
            },
        )
        services.policy_submit(actor=officer, policy=policy)


# --- Roadmap -----------------------------------------------------------------------------------------------


def _seed_roadmap(org, users) -> None:
    officer = users["officer"]
    existing = set(RoadmapAction.objects.filter(organisation=org).values_list("reference", flat=True))
    controls = {c.reference: c for c in Control.objects.filter(organisation=org)}
    requirements = {r.identifier: r for r in _policy_requirements(*[row[2] for row in NORTHWIND_ROADMAP])}
    for reference, title, identifier, gap, control, phase, status, owner, due in NORTHWIND_ROADMAP:
        if reference in existing:
            continue
        services.roadmap_action_create(
            actor=officer,
            organisation=org,
            data={
                "reference": reference,
                "title": title,
                "requirement": requirements.get(identifier),
                "gap_kind": gap,
                "control": controls.get(control),
                "phase": phase,
                "status": status,
                "owner": users.get(owner, officer),
                "due_date": _days(due),
            },
        )
