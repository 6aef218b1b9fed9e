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
from risk.models import ImpactAssessment, Risk, RiskAssessment, RiskCriteria


def _days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


# reference: (systems, owner, fields, inherent, option/plan, actions, residual, decision)
#   actions: (title, owner, due in days, status, controls it implements)
#   decision: ("accept", comment, approver) | ("close", reason) | None
NORTHWIND_RISKS = [
    (
        "RSK-001",
        ["AIS-001"],
        "contributor",
        {
            "title": "Gender bias in CV ranking",
            "category": "bias",
            "risk_source": "machine_learning",
            "objectives": "fairness,training_test_data,accountability",
            "cause": "Historical hiring data over-represents men in senior clinical and IT roles.",
            "event": "The model ranks applications from women lower than equally qualified ones from men.",
            "consequence": "Qualified applicants are screened out unfairly; discrimination claims and loss of trust.",
            "lifecycle_stage": "operation_monitoring",
            "existing_controls": "A recruiter reviews every shortlist before anyone is rejected.",
        },
        (4, 4),
        ("modify", "Remove proxy features and monitor adverse impact by job family."),
        [
            ("Re-weight training data and remove gendered proxy features", "contributor", -60, "done", ""),
            ("Quarterly adverse-impact test by job family", "officer", 30, "in_progress", "A.7.4 data quality"),
        ],
        (2, 4),
        ("accept", "Remaining disparity is within the agreed tolerance; quarterly monitoring is in place.", None),
    ),
    (
        "RSK-002",
        ["AIS-002"],
        "officer",
        {
            "title": "Hallucinated or unsafe advice from the triage assistant",
            "category": "safety",
            "risk_source": "lack_transparency_explainability",
            "objectives": "safety,robustness,transparency_explainability",
            "cause": "The assistant generates a disposition for symptom combinations it has rarely seen.",
            "event": "It advises self-care for a patient who needs urgent care.",
            "consequence": "Delayed treatment and possible serious harm to the patient.",
            "lifecycle_stage": "operation_monitoring",
            "existing_controls": "A triage nurse confirms every urgent or emergency disposition.",
        },
        (4, 5),
        ("modify", "Hard-coded red-flag routing and a clinical safety case."),
        [
            ("Route chest-pain and stroke symptoms straight to a clinician", "contributor", -90, "done", ""),
            ("Clinical safety case and hazard log", "officer", -20, "in_progress", ""),
        ],
        (2, 5),
        None,
    ),
    (
        "RSK-003",
        ["AIS-003"],
        "contributor",
        {
            "title": "Prompt injection on the Ask Northwind chatbot",
            "category": "security",
            "risk_source": "environment_complexity",
            "objectives": "security,privacy",
            "cause": "Users can type any text, including instructions hidden in pasted content.",
            "event": "The chatbot follows injected instructions and reveals internal prompts or booking data.",
            "consequence": "Disclosure of personal data and misleading answers under Northwind's name.",
            "lifecycle_stage": "operation_monitoring",
        },
        (4, 3),
        ("modify", "Filter inputs and outputs; test against a prompt-injection suite before each release."),
        [
            ("Input and output filtering with a prompt-injection test suite", "contributor", -10, "planned", ""),
            ("Red-team exercise before the next model upgrade", "officer", 45, "planned", ""),
        ],
        None,
        None,
    ),
    (
        "RSK-004",
        ["AIS-004"],
        "contributor",
        {
            "title": "Model drift in claims fraud detection",
            "category": "reliability",
            "risk_source": "machine_learning",
            "objectives": "robustness,fairness,maintainability",
            "cause": "Claim patterns change with new billing codes and supplier contracts.",
            "event": "Precision falls and honest claims are flagged more often.",
            "consequence": "Payment delays for honest providers and wasted investigation effort.",
            "lifecycle_stage": "operation_monitoring",
        },
        (3, 3),
        ("modify", "Monitor drift monthly and retrain when thresholds are crossed."),
        [("Monthly drift report on precision and false-positive rate", "contributor", -120, "done", "")],
        (2, 3),
        None,
    ),
    (
        "RSK-005",
        ["AIS-006"],
        "officer",
        {
            "title": "Outage or silent model change at the speech-to-text supplier",
            "category": "supplier",
            "risk_source": "life_cycle",
            "objectives": "robustness,maintainability,accountability",
            "cause": "The dictation service depends on one external API.",
            "event": "The API is unavailable or its model changes without notice.",
            "consequence": "Clinicians cannot dictate, or transcripts get worse unnoticed.",
            "lifecycle_stage": "operation_monitoring",
        },
        (3, 4),
        ("share", "Contractual SLA and model-change notice; manual typing as fallback."),
        [("Agree SLA credits and 30-day model-change notice", "officer", -150, "done", "A.10.3 suppliers")],
        (2, 4),
        ("accept", "SLA and notice period agreed; the fallback was tested in the last outage drill.", None),
    ),
    (
        "RSK-006",
        ["AIS-003", "AIS-009"],
        "contributor",
        {
            "title": "Patient identifiers pasted into prompts sent to the hosted LLM",
            "category": "privacy",
            "risk_source": "environment_complexity",
            "objectives": "privacy,security",
            "cause": "Staff and patients paste text that contains names and NHS numbers.",
            "event": "Personal data leaves Northwind for the model provider.",
            "consequence": "A personal-data breach and a breach of the supplier's conditions of use.",
            "lifecycle_stage": "operation_monitoring",
        },
        (3, 4),
        ("modify", "Strip identifiers before prompts leave Northwind."),
        [("Data-loss-prevention filter for names and NHS numbers", "contributor", 20, "in_progress", "")],
        None,
        None,
    ),
    (
        "RSK-007",
        ["AIS-007"],
        "officer",
        {
            "title": "Missed urgent finding in a de-prioritised chest X-ray",
            "category": "safety",
            "risk_source": "level_of_automation",
            "objectives": "safety,accountability",
            "cause": "The prioritisation software has limited sensitivity for some findings.",
            "event": "An urgent study is placed low in the reading queue.",
            "consequence": "A delayed diagnosis for the patient.",
            "lifecycle_stage": "operation_monitoring",
            "existing_controls": "Every study is still read by a radiologist.",
        },
        (2, 5),
        ("modify", "Keep a maximum reading time for every study whatever its priority."),
        [("Radiologists read every study within 24 hours", "officer", -200, "done", "")],
        (2, 5),
        (
            "accept",
            "Accepted above the appetite by the Clinical Safety Officer: faster reads for most patients outweigh "
            "the bounded delay for the few the software misses.",
            "officer",
        ),
    ),
    (
        "RSK-008",
        ["AIS-005"],
        "officer",
        {
            "title": "Stock-outs after demand shocks the forecast did not foresee",
            "category": "reliability",
            "risk_source": "environment_complexity",
            "objectives": "robustness",
            "cause": "Outbreaks and supply disruptions are absent from the training history.",
            "event": "The forecast under-orders a medicine.",
            "consequence": "Short delays in dispensing while stock is moved between pharmacies.",
            "lifecycle_stage": "operation_monitoring",
            "existing_controls": "Pharmacists can override orders; two weeks of buffer stock.",
        },
        (3, 2),
        ("retain", "Existing overrides and buffer stock are enough."),
        [],
        (3, 2),
        ("accept", "Within appetite; overrides are used as intended.", None),
    ),
    (
        "RSK-009",
        ["AIS-001"],
        "contributor",
        {
            "title": "TalentScreen score reused for promotion decisions",
            "category": "misuse",
            "risk_source": "level_of_automation",
            "objectives": "accountability,transparency_explainability",
            "cause": "Managers have access to scores and no guidance on their limits.",
            "event": "Scores are used to rank internal candidates for promotion.",
            "consequence": "Decisions about staff based on a model never designed or tested for them.",
        },
        None,
        None,
        [],
        None,
        None,
    ),
    (
        "RSK-010",
        ["AIS-006"],
        "officer",
        {
            "risk_type": "opportunity",
            "title": "Dictation frees clinician time for patients",
            "category": "other",
            "objectives": "ai_expertise",
            "cause": "Clinicians spend a large share of their day typing notes.",
            "event": "Speech-to-text cuts documentation time.",
            "consequence": "More time with patients and shorter waits.",
        },
        (4, 3),
        None,
        [],
        None,
        None,
    ),
    (
        "RSK-011",
        ["AIS-006"],
        "contributor",
        {
            "title": "Transcription errors in medication names and doses",
            "category": "safety",
            "risk_source": "machine_learning",
            "objectives": "safety,robustness",
            "cause": "Drug names sound alike and accents vary.",
            "event": "A dose or drug name is transcribed wrongly and not noticed.",
            "consequence": "A medication error reaches the patient record.",
        },
        (3, 4),
        None,
        [],
        None,
        None,
    ),
    (
        "RSK-012",
        ["AIS-003"],
        "contributor",
        {
            "title": "Chatbot gives outdated opening hours",
            "category": "reliability",
            "risk_source": "life_cycle",
            "objectives": "robustness",
            "cause": "The FAQ the chatbot answers from was updated by hand.",
            "event": "The chatbot gives last season's opening hours.",
            "consequence": "Patients travel to a closed centre.",
        },
        (3, 2),
        ("modify", "Synchronise the FAQ nightly from the opening-hours system."),
        [("Nightly FAQ synchronisation", "contributor", -180, "done", "")],
        (1, 2),
        ("close", "FAQ synchronised nightly; no recurrence in six months."),
    ),
]

# Dates set last, so the demo shows overdue reviews.
OVERDUE_REVIEWS = {"RSK-003": -5, "RSK-011": -15}

# (system, fields, areas [(area, affected, impact, severity, likelihood, reversibility, mitigations, risk)], approve)
NORTHWIND_IMPACT = [
    (
        "AIS-001",
        {
            "affected_individuals": "Job applicants, including people with career gaps and non-UK qualifications.",
            "affected_groups": "Women in senior clinical and IT roles; older applicants; disabled applicants.",
            "affected_society": "Fair access to healthcare jobs in the region.",
            "is_dpia": True,
            "dpia_reference": "DPIA-HR-2024-03",
            "is_fria": True,
            "fria_process": "Recruiters use the ranking to order applications for every advertised vacancy.",
            "fria_period": "Continuously; about 9,000 applications a year.",
            "fria_oversight": "A recruiter reviews every shortlist; rejections need a recorded human reason.",
            "fria_remedies": "Applicants can ask for a human review; complaints go to the People team and the DPO.",
            "conclusion": "Acceptable with the fairness controls in RSK-001 and human review of every shortlist.",
        },
        [
            (
                "discrimination",
                "Women and older applicants",
                "Qualified applicants in protected groups are ranked lower and never reach interview.",
                "severe",
                "likely",
                "hard_to_reverse",
                "Bias testing each quarter; proxy features removed.",
                "RSK-001",
            ),
            (
                "economic",
                "Rejected applicants",
                "Lost job opportunities for people screened out by mistake.",
                "high",
                "possible",
                "hard_to_reverse",
                "Human review of every rejection.",
                None,
            ),
            (
                "privacy",
                "All applicants",
                "CV data is processed by a model; applicants may not expect this.",
                "moderate",
                "possible",
                "reversible",
                "Privacy notice updated; retention of six months.",
                None,
            ),
        ],
        True,
    ),
    (
        "AIS-002",
        {
            "affected_individuals": "Patients using online triage, including children through their parents.",
            "affected_groups": "Older patients and people who describe symptoms in a second language.",
            "is_dpia": True,
            "dpia_reference": "DPIA-CLIN-2023-11",
            "conclusion": "Acceptable only with nurse confirmation of urgent dispositions and the red-flag routing.",
        },
        [
            (
                "health_safety",
                "Patients with urgent conditions",
                "Wrong self-care advice delays urgent treatment.",
                "severe",
                "possible",
                "irreversible",
                "Nurse confirmation; red-flag routing.",
                "RSK-002",
            ),
            (
                "psychological",
                "Anxious patients",
                "Over-cautious advice causes unnecessary worry and visits.",
                "moderate",
                "likely",
                "reversible",
                "Plain-language explanations of each disposition.",
                None,
            ),
        ],
        True,
    ),
    (
        "AIS-003",
        {
            "affected_individuals": "Patients and visitors asking questions online.",
            "affected_society": "Trust in public health information.",
            "conclusion": "Acceptable for non-clinical questions with clinical topics handed to staff.",
        },
        [
            (
                "privacy",
                "Chatbot users",
                "Personal details typed into the chat reach the model provider.",
                "high",
                "possible",
                "hard_to_reverse",
                "Identifier filter; users warned not to share health details.",
                "RSK-006",
            ),
        ],
        True,
    ),
    (
        "AIS-008",
        {
            "affected_individuals": "Outpatients who receive extra reminders.",
            "affected_groups": "Patients from areas with lower attendance, often more deprived.",
        },
        [
            (
                "discrimination",
                "Patients from deprived areas",
                "Predictions used to overbook clinics would give worse access to groups already missing out.",
                "high",
                "likely",
                "hard_to_reverse",
                "Use limited to reminders; overbooking prohibited in the procedure.",
                "raise",
            ),
        ],
        False,
    ),
]


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
