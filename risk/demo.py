"""Demo risks, assessments and impact assessments for Northwind Health (and one risk for Contoso Lending).

Idempotent: criteria are set up once per organisation; risks, assessments and impact assessments are looked up
by reference (impact assessments by system and version) before anything is created. Everything goes through
the services, so the history reads as if people had done it.
"""

import datetime as dt

from django.utils import timezone

from registry.models import AISystem
from registry.services import ai_system_flag_reassessment
from risk import services
from risk.constants import ImpactStatus
from risk.demo_data import NORTHWIND_IMPACT, NORTHWIND_RISKS, OVERDUE_REVIEWS
from risk.models import ImpactAssessment, Risk, RiskAssessment, RiskCriteria


def _days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _user(context, username):
    return context.users[username] if username else None


def _systems(org, refs):
    return list(AISystem.objects.filter(organisation=org, reference__in=refs).order_by("reference"))


def _setup_criteria(org, officer) -> None:
    if RiskCriteria.objects.filter(organisation=org).exists():
        return
    services.criteria_ensure(organisation=org, actor=officer)
    # The code assistant's risk is scored with the default set, before Northwind adapted it: it shows the
    # "rescore with the current criteria" offer.
    _seed_v1_risk(org, officer)
    draft = services.criteria_new_version(actor=officer, organisation=org)
    services.criteria_update(
        actor=officer,
        criteria=draft,
        data={
            "name": "Northwind AI risk criteria",
            "appetite_approver": officer,
            "review_months": {"low": 24, "medium": 12, "high": 6, "critical": 3},
            "level_descriptions": {
                "low": "Accept and review every two years.",
                "medium": "The risk owner may accept; review yearly.",
                "high": "Treat; acceptance needs the Clinical Safety Officer; report to the AI governance board.",
                "critical": "Stop or treat at once; report to the executive board.",
            },
        },
        reason="Approver above appetite named; level guidance adapted to Northwind",
    )
    services.criteria_approve(actor=officer, criteria=draft)


def _seed_v1_risk(org, officer) -> None:
    if Risk.objects.filter(organisation=org, reference="RSK-013").exists():
        return
    services.risk_create(
        actor=officer,
        organisation=org,
        data={
            "reference": "RSK-013",
            "title": "Secrets or proprietary code leaked through code-assistant prompts",
            "category": "security",
            "risk_source": "life_cycle",
            "objectives": "security,privacy",
            "cause": "Developers paste configuration files into the assistant.",
            "event": "API keys or patient-data samples are sent to the provider.",
            "consequence": "Credential compromise or a personal-data breach.",
            "ai_systems": _systems(org, ["AIS-009"]),
            "owner": officer,
            "inherent_likelihood": 3,
            "inherent_impact": 3,
        },
    )


def _seed_risk(context, org, spec) -> Risk:
    ref, system_refs, owner, fields, inherent, treatment, actions, residual, decision = spec
    existing = Risk.objects.filter(organisation=org, reference=ref).first()
    if existing is not None:
        return existing
    officer = context.users["officer"]
    owner_user = _user(context, owner)
    data = {"reference": ref, **fields, "ai_systems": _systems(org, system_refs), "owner": owner_user}
    if inherent:
        data["inherent_likelihood"], data["inherent_impact"] = inherent
    risk = services.risk_create(actor=owner_user, organisation=org, data=data)
    if treatment:
        services.risk_plan_treatment(actor=owner_user, risk=risk, option=treatment[0], plan=treatment[1])
    for title, action_owner, due, status, controls in actions:
        services.treatment_action_add(
            actor=owner_user,
            risk=risk,
            data={
                "title": title,
                "owner": _user(context, action_owner),
                "due_date": _days(due),
                "status": status,
                "controls_note": controls,
            },
        )
    if residual:
        services.risk_score_residual(actor=owner_user, risk=risk, likelihood=residual[0], impact=residual[1])
    if decision and decision[0] == "accept":
        _, comment, approver = decision
        actor = _user(context, approver) or owner_user
        services.risk_accept(actor=actor, risk=risk, comment=comment)
    elif decision and decision[0] == "close":
        services.risk_close(actor=officer, risk=risk, reason=decision[1])
    return risk


def _seed_assessments(context, org) -> None:
    officer, contributor = context.users["officer"], context.users["contributor"]
    if not RiskAssessment.objects.filter(organisation=org, reference="RA-001").exists():
        assessment = services.assessment_start(
            actor=officer,
            organisation=org,
            data={
                "reference": "RA-001",
                "title": "Annual risk assessment of TalentScreen",
                "ai_systems": _systems(org, ["AIS-001"]),
                "scope": "Model, training data and recruiter workflow; excludes the applicant-tracking system.",
                "assessors": [officer, contributor],
                "participants": "People & Culture lead recruiter; Data Protection Officer; staff network chair.",
                "assessment_date": _days(-45),
            },
        )
        services.assessment_update(
            actor=officer,
            assessment=assessment,
            data={"risks": list(Risk.objects.filter(organisation=org, reference="RSK-001"))},
            reason="Scope limited to analysed risks",
        )
        services.assessment_complete(
            actor=officer,
            assessment=assessment,
            conclusion="Bias is the main risk; treated and accepted within appetite with quarterly monitoring.",
        )
        services.assessment_approve(actor=officer, assessment=assessment)
    if not RiskAssessment.objects.filter(organisation=org, reference="RA-002").exists():
        services.assessment_start(
            actor=officer,
            organisation=org,
            data={
                "reference": "RA-002",
                "title": "Safety reassessment of the patient triage assistant",
                "ai_systems": _systems(org, ["AIS-002"]),
                "scope": "Triage dispositions for adults and children after the spring model update.",
                "assessors": [officer],
                "participants": "Clinical Safety Officer; two triage nurses.",
            },
        )


def _seed_impact(context, org) -> None:
    officer = context.users["officer"]
    for system_ref, fields, areas, approve in NORTHWIND_IMPACT:
        system = AISystem.objects.filter(organisation=org, reference=system_ref).first()
        if system is None or ImpactAssessment.objects.filter(ai_system=system).exists():
            continue
        assessment = services.impact_assessment_create(actor=officer, system=system, data={**fields, "owner": officer})
        for area, affected, impact, severity, likelihood, reversibility, mitigations, link in areas:
            created = services.impact_area_add(
                actor=officer,
                assessment=assessment,
                data={
                    "area": area,
                    "affected": affected,
                    "potential_impact": impact,
                    "severity": severity,
                    "likelihood": likelihood,
                    "reversibility": reversibility,
                    "mitigations": mitigations,
                },
            )
            if link == "raise":
                services.impact_raise_risk(actor=officer, area=created)
            elif link:
                risk = Risk.objects.get(organisation=org, reference=link)
                services.impact_area_link_risk(actor=officer, area=created, risk=risk)
        if approve:
            services.impact_assessment_approve(actor=officer, assessment=assessment)
    # The chatbot's model was replaced by the supplier: its impact assessment is due again.
    chatbot = AISystem.objects.filter(organisation=org, reference="AIS-003").first()
    if (
        chatbot is not None
        and not chatbot.reassessment_required
        and ImpactAssessment.objects.filter(ai_system=chatbot, status=ImpactStatus.APPROVED).count() == 1
        and not chatbot.history.filter(history_change_reason__startswith="Reassessment required").exists()
    ):
        ai_system_flag_reassessment(
            actor=officer, system=chatbot, reason="The supplier moved the chatbot to a new language model version."
        )


def seed_risk(context) -> None:
    org = context.northwind
    officer = context.users["officer"]
    _setup_criteria(org, officer)
    for spec in NORTHWIND_RISKS:
        _seed_risk(context, org, spec)
    _seed_assessments(context, org)
    for ref, days in OVERDUE_REVIEWS.items():
        risk = Risk.objects.get(organisation=org, reference=ref)
        if risk.next_review and risk.next_review > _days(days):
            services.risk_update(
                actor=officer, risk=risk, data={"next_review": _days(days)}, reason="Review date from the demo plan"
            )
    _seed_impact(context, org)
    _seed_contoso(context)


def _seed_contoso(context) -> None:
    org = context.contoso
    officer = context.users["officer2"]
    if Risk.objects.filter(organisation=org, reference="RSK-001").exists():
        return
    services.risk_create(
        actor=officer,
        organisation=org,
        data={
            "reference": "RSK-001",
            "title": "Proxy discrimination in consumer credit scoring",
            "category": "bias",
            "risk_source": "machine_learning",
            "objectives": "fairness,transparency_explainability",
            "cause": "Postcode and employment history correlate with nationality.",
            "event": "Applicants from some backgrounds are declined more often.",
            "consequence": "Unlawful discrimination and regulatory action.",
            "ai_systems": _systems(org, ["AIS-001"]),
            "owner": officer,
            "inherent_likelihood": 4,
            "inherent_impact": 4,
        },
    )
