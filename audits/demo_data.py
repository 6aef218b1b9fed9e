"""The content of the audits demo data for Northwind Health (see ``audits.demo``). Our own words throughout."""

# Twelve monthly values, oldest first, ending last month; None where there was nothing to measure.
BUILTIN_HISTORY = {
    "systems_risk_assessed": [0, 0, 0, 0, 0, 0, 0, 0, 0, 9.1, 9.1, 9.1],
    "systems_impact_approved": [0, 0, 0, 0, 9.1, 9.1, 9.1, 18.2, 18.2, 18.2, 18.2, 18.2],
    "open_high_critical_risks": [11, 11, 10, 10, 9, 9, 8, 8, 8, 7, 7, 7],
    "annex_a_implemented": [37.1, 40.0, 45.7, 51.4, 54.3, 60.0, 62.9, 68.6, 71.4, 74.3, 77.1, 80.0],
    "evidence_expired": [0, 0, 0, 1, 1, 1, 2, 2, 1, 1, 2, 2],
    "overdue_corrective_actions": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    "mean_days_to_close_nc": [None] * 12,
    "incidents_this_month": [1, 0, 2, 1, 0, 0, 1, 3, 1, 0, 1, 1],
    "training_compliance": [46.2, 46.2, 53.8, 53.8, 61.5, 61.5, 69.2, 76.9, 84.6, 84.6, 76.9, 76.9],
    "policy_acknowledgement": [0, 0, 0, 12.5, 25.0, 25.0, 37.5, 37.5, 50.0, 50.0, 50.0, 50.0],
}
FAIRNESS_HISTORY = [6.8, 6.5, 6.1, 5.9, 5.2, 4.8, 4.1, 3.6, 3.3, 2.9, 2.6, 2.3]

# result, notes, records sampled, evidence consulted (references)
AUDIT = {
    "reference": "AUD-001",
    "title": "Risk, impact and operation of the clinical AI systems",
    "scope": "How Northwind assesses the risks and impacts of its high-risk clinical AI systems, monitors them in "
    "production and communicates incidents. Covers the triage assistant, the chest X-ray prioritisation and the "
    "nurse rostering optimiser; the HR and customer-service systems are left to the next audit.",
    "units": "Clinical AI team, Digital Health, Nursing workforce office",
    "rationale": "High importance: three high-risk systems in production. First audit of these clauses; the AI "
    "governance board asked for it after the EU AI Act classification.",
    "criteria": ["6.1.2", "6.1.4", "8.2", "8.4", "9.1", "9.2.2", "A.5.2", "A.5.4", "A.6.2.6", "A.6.2.8", "A.8.4"],
    "systems": ["AIS-002", "AIS-007", "AIS-011"],
    "controls": ["CTL-004", "CTL-005", "CTL-023", "CTL-024"],
    "risks": ["RSK-002", "RSK-007"],
    "independence": "The lead auditor has no role in running the clinical AI systems, their risk assessments or their "
    "monitoring. She owns the audit programme itself (9.2.2); that line was also reviewed by the AI governance "
    "officer.",
    "results": {
        "6.1.4": (
            "major_nc",
            "The nurse rostering optimiser (AIS-011) has been in production since March and is classified high-risk, "
            "but no impact assessment exists for it. The impact assessment register holds IA-001 to IA-004 only.",
            "AIS-011 inventory record and classification; impact assessment register; release record of March",
            ["EVD-006"],
        ),
        "A.6.2.6": (
            "minor_nc",
            "Drift alerts of the patient triage assistant (AIS-002) were not reviewed for six weeks in July and "
            "August: the monitoring dashboard showed 14 unacknowledged alerts. The monitoring procedure names no "
            "owner for the review.",
            "Monitoring alert log 1 July – 31 August; on-call rota for July and August",
            ["EVD-018"],
        ),
        "A.6.2.8": (
            "observation",
            "Decision logs of the chest X-ray prioritisation are kept 90 days; clinical records are kept far longer. "
            "The retention is not wrong, but the reason for it is not written down.",
            "Log retention settings; records retention schedule",
            [],
        ),
        "9.1": (
            "ofi",
            "KPIs are collected in a spreadsheet and reviewed by hand. Keeping them in the AIMS KPI register would "
            "give trends and RAG status for the management review without manual work.",
            "KPI spreadsheet for Q1 and Q2",
            [],
        ),
        "6.1.2": (
            "conforming",
            "Risk assessments follow the procedure; the triage assistant's assessment was updated after release 2.3.",
            "RA-001, RA-002; risk register entries RSK-002 and RSK-007",
            ["EVD-004", "EVD-005"],
        ),
        "A.8.4": (
            "conforming",
            "The incident response plan says who tells users, the supplier and the authority, and when; the two "
            "incidents of the period were communicated as planned.",
            "Incident response plan v1.2; two incident records of the period",
            ["EVD-020"],
        ),
        "9.2.2": (
            "conforming",
            "The programme is approved, covers the clauses over three years and sets frequency by importance. The "
            "lead auditor owns the programme; the officer reviewed this line with her.",
            "Audit programme APR-001; approval record",
            [],
        ),
    },
    "summary": "Eleven requirements audited across three high-risk clinical AI systems. Risk assessment and the "
    "communication of incidents work as designed. One major nonconformity (no impact assessment for the nurse "
    "rostering optimiser) and one minor nonconformity (drift alerts of the triage assistant left unreviewed) were "
    "raised, with one observation and one opportunity for improvement.",
    "conclusion": "The AIMS is effectively implemented for risk assessment and incident communication. Impact "
    "assessment is not yet applied to every high-risk system and production monitoring depends on individuals: both "
    "need corrective action before the next surveillance audit.",
    "recipients": "Amira Haddad (CEO), AI governance board",
}

NONCONFORMITY_PLANS = [
    {
        "requirement": "A.6.2.6",
        "title": "Triage assistant drift alerts went unreviewed",
        "owner": "contributor",
        "correction": "The 14 alerts were reviewed the same day; none showed drift that had harmed advice quality.",
        "whys": [
            "Why were the alerts not reviewed? Nobody looked at the dashboard in July and August.",
            "Why did nobody look? The person who used to review them moved to another team in June.",
            "Why did the move leave a gap? The review was a habit of one person, not a task in the on-call rota.",
            "Why was it not in the rota? The monitoring procedure names what is watched but not who reviews alerts.",
        ],
        "root_cause": "Alert review had no named owner, and unacknowledged alerts were never escalated.",
        "action": "Name an alert owner in the on-call rota and escalate alerts left unacknowledged for 48 hours",
        "action_description": "Update the monitoring procedure (CTL-023) and the rota; add an escalation rule to the "
        "monitoring dashboard.",
        "due_in_days": -45,
        "done": "Rota updated and the escalation rule live since early October.",
        "evidence": ["EVD-018"],
        "verification": "Sampled September and October: all 23 alerts were acknowledged within 24 hours, and the "
        "escalation fired correctly in two tests.",
        "changes": "CTL-023 now names the alert owner and the 48-hour escalation.",
    },
    {
        "requirement": "6.1.4",
        "title": "No impact assessment for the nurse rostering optimiser",
        "owner": "contributor",
        "correction": "Rota suggestions limited to the two pilot wards until the assessment is approved.",
        "whys": [
            "Why is there no impact assessment? The system went live without one.",
            "Why did it go live without one? The release checklist asks for a risk assessment, not an impact "
            "assessment.",
            "Why does the checklist not ask for it? It was written before the impact assessment process existed.",
        ],
        "root_cause": "The release checklist predates the impact assessment process and was never updated.",
        "action": "Complete and approve the impact assessment of the nurse rostering optimiser",
        "action_description": "Assess the effects on nurses' working patterns and on patient safety; involve the staff "
        "side.",
        "due_in_days": -20,
    },
]

REVIEW = {
    "reference": "MR-001",
    "title": "AIMS management review, third quarter",
    "held_days_ago": 75,
    "location": "Board room, Leeds",
    "other_attendees": "Dr Priya Raman (Chief Medical Officer)",
    "minutes": "The board went through each input. The audit's major nonconformity on impact assessment was "
    "discussed at length: the Chief Medical Officer asked that no high-risk system be released without one. KPIs "
    "show steady progress on Annex A implementation but training compliance has slipped as certificates expire.",
    "conclusions": "The AIMS remains suitable and adequate. Its effectiveness depends on closing the two audit "
    "nonconformities and on keeping training current; resources for a second internal auditor are needed next year.",
    "decisions": [
        {
            "kind": "improvement",
            "decision": "Make an approved impact assessment a release gate for every high-risk AI system.",
            "action": "Add the impact assessment gate to the AI release checklist",
            "owner": "contributor",
            "due_in_days": 10,
        },
        {
            "kind": "resources",
            "decision": "Fund the training of a second internal AIMS auditor in next year's budget.",
            "action": "Train a second internal AIMS auditor",
            "owner": "admin",
            "due_in_days": -5,
        },
        {
            "kind": "aims_change",
            "decision": "The AI governance board reviews the KPI register every quarter.",
            "action": "Put the KPI review on the governance board's quarterly agenda",
            "owner": "officer",
            "due_in_days": -40,
        },
    ],
    "done_action": "Put the KPI review on the governance board's quarterly agenda",
    "done_note": "On the agenda from the October board.",
}

INCIDENTS = [
    {
        "reference": "INC-001",
        "title": "Triage assistant advised self-care for chest pain",
        "systems": ["AIS-002"],
        "days_ago": 4,
        "hour": 9,
        "reported_by": "contributor",
        "description": "A 58-year-old patient describing chest pain radiating to the arm was advised self-care by the "
        "triage assistant. A nurse reviewing the transcript the same morning called the patient back; the patient "
        "was admitted with a heart attack and is recovering.",
        "harm": "health_safety",
        "severity": "critical",
        "affected": "One patient; possibly others with similar symptoms in the last two weeks.",
        "affected_count": 1,
        "containment": "Chest-pain phrases now always route to a nurse; transcripts of the last 14 days with similar "
        "phrases are being reviewed.",
        "serious": True,
        "category": "general",
        "root_cause": "",
        "status": "contained",
        "escalations": [
            ("Clinical Safety Officer", 1, "Phone"),
            ("AI governance board (Olivia Bennett)", 3, "E-mail"),
            ("Supplier incident desk", 6, "Support portal"),
        ],
    },
    {
        "reference": "INC-002",
        "title": "Chatbot disclosed internal escalation phone number after a prompt injection",
        "systems": ["AIS-003"],
        "days_ago": 23,
        "hour": 15,
        "reported_by": "officer",
        "description": "A user coaxed the Ask Northwind chatbot into showing the internal escalation line meant for "
        "staff. The number received a few prank calls.",
        "harm": "security",
        "severity": "medium",
        "affected": "Staff on the escalation line.",
        "containment": "Number removed from the chatbot's knowledge base; output filter updated.",
        "root_cause": "An internal document was indexed with the public help pages.",
        "status": "resolved",
        "escalations": [("Information security team", 1, "Ticket")],
    },
    {
        "reference": "INC-003",
        "title": "Speech-to-text misspelt a drug name in a discharge letter",
        "systems": ["AIS-006"],
        "days_ago": 52,
        "hour": 11,
        "reported_by": "contributor",
        "description": "The dictation system wrote a similar-sounding drug name in a discharge letter; the pharmacist "
        "caught it before the letter was sent.",
        "harm": "health_safety",
        "severity": "low",
        "affected": "No patient affected (caught before sending).",
        "containment": "Letter corrected.",
        "root_cause": "The drug was missing from the custom vocabulary.",
        "status": "closed",
        "lessons": "Update the custom vocabulary with every formulary change; the pharmacy sends the list monthly.",
        "escalations": [("Pharmacy lead", 2, "In person")],
    },
]
