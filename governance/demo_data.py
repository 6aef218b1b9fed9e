"""The demo data of the governance app for Northwind Health: its AIMS roles and who holds them, the RACI, AI
objectives, competences, courses, training records and its communication plan. ``governance.demo`` loads it.

Days are relative to the day the demo is seeded, so some training has expired and some objectives are late
whenever it runs.
"""

from aims.roles import Role

# Extra Northwind members who hold AIMS roles: (username, first, last, access role).
EXTRA_MEMBERS = [
    ("ceo", "Margaret", "Ellis", Role.VIEWER),
    ("cso", "Samuel", "Adeyemi", Role.CONTRIBUTOR),
    ("dpo", "Hannah", "Brooks", Role.CONTRIBUTOR),
    ("datasteward", "Priya", "Nair", Role.CONTRIBUTOR),
    ("mlengineer", "Tomás", "Rivera", Role.CONTRIBUTOR),
]

# (reference, fields, holder username, days since they took it up)
ROLES = [
    (
        "ROL-001",
        {
            "name": "AIMS owner (top management)",
            "purpose": "The executive who answers to the board for how Northwind governs its AI.",
            "responsibilities": "Sets the AI policy and objectives; provides resources; chairs the management review; "
            "makes sure the AIMS is part of how Northwind is run.",
            "authorities": "Approves the AI policy, the AIMS scope and the risk appetite; stops an AI system when "
            "its risk is unacceptable.",
            "reports_to": "Board of directors",
        },
        "ceo",
        720,
    ),
    (
        "ROL-002",
        {
            "name": "AIMS manager",
            "purpose": "Runs the AI management system day to day.",
            "responsibilities": "Keeps the registers, the risk method and the Statement of Applicability current; "
            "plans internal audits with the auditor; prepares the management review inputs.",
            "authorities": "Approves risk assessments, controls and objectives within the appetite; asks any team "
            "for evidence.",
            "reports_to": "AIMS owner",
            "reports_performance": True,
        },
        "officer",
        700,
    ),
    (
        "ROL-003",
        {
            "name": "AI risk owner",
            "purpose": "Answers for the risks of the AI systems in their service line.",
            "responsibilities": "Owns the risks of their systems, agrees treatment, and accepts residual risk within "
            "the appetite.",
            "authorities": "Accepts residual risk up to the appetite; asks for a reassessment.",
            "reports_to": "AIMS manager",
        },
        "contributor",
        500,
    ),
    (
        "ROL-004",
        {
            "name": "Data steward",
            "purpose": "Looks after the data AI systems learn from and use.",
            "responsibilities": "Records provenance, quality checks and known biases of each dataset; keeps the "
            "data register current.",
            "authorities": "Blocks a dataset from training when its quality or lawful basis is in doubt.",
            "reports_to": "Data protection officer",
        },
        "datasteward",
        400,
    ),
    (
        "ROL-005",
        {
            "name": "Model validator",
            "purpose": "Checks models independently before and after they go live.",
            "responsibilities": "Validates performance, robustness and fairness against thresholds; signs off model "
            "versions; reviews drift reports.",
            "authorities": "Refuses or restricts a model version that misses its thresholds.",
            "reports_to": "AIMS manager",
        },
        "mlengineer",
        240,
    ),
    (
        "ROL-006",
        {
            "name": "AI ethics lead",
            "purpose": "Speaks for patients, staff and applicants when AI affects them.",
            "responsibilities": "Reviews impact assessments; handles concerns raised about AI; advises on human "
            "oversight and transparency.",
            "authorities": "Escalates a concern to the AIMS owner; asks for an impact assessment to be redone.",
            "reports_to": "AIMS owner",
            "receives_concerns": True,
            "concern_channel": "E-mail ai-concerns@northwind.example, the 'Raise an AI concern' form on the intranet "
            "(anonymous if you wish), or the Freedom to Speak Up guardian.",
        },
        "cso",
        600,
    ),
    (
        "ROL-007",
        {
            "name": "Internal auditor",
            "purpose": "Gives an independent view of whether the AIMS works.",
            "responsibilities": "Plans and carries out internal audits of the AIMS; reports findings to the AIMS "
            "owner.",
            "authorities": "Sees every record; raises nonconformities.",
            "reports_to": "Audit committee",
        },
        "auditor",
        650,
    ),
    (
        "ROL-008",
        {
            "name": "Data protection officer",
            "purpose": "Makes sure AI uses personal data lawfully.",
            "responsibilities": "Advises on DPIAs for AI systems; keeps the link with the ICO; checks transparency "
            "notices.",
            "authorities": "Stops processing of personal data that is not lawful.",
            "reports_to": "Board of directors",
        },
        "dpo",
        800,
    ),
]

# A role someone held before: (role, username, started days ago, ended days ago, note)
PAST_ASSIGNMENTS = [("ROL-005", "contributor", 700, 241, "Until a dedicated validator was hired")]

# RACI: process -> {role reference: part}
RACI = {
    "context_scope": {"ROL-001": "A", "ROL-002": "R", "ROL-003": "C", "ROL-008": "C"},
    "leadership": {"ROL-001": "A", "ROL-002": "R", "ROL-007": "I"},
    "policy": {"ROL-001": "A", "ROL-002": "R", "ROL-006": "C", "ROL-008": "C"},
    "risk_assessment": {"ROL-002": "A", "ROL-003": "R", "ROL-005": "C", "ROL-006": "C"},
    "risk_treatment": {"ROL-002": "A", "ROL-003": "R", "ROL-005": "C"},
    "impact_assessment": {"ROL-002": "A", "ROL-006": "R", "ROL-008": "C", "ROL-003": "C"},
    "objectives": {"ROL-001": "A", "ROL-002": "R", "ROL-003": "C"},
    "competence": {"ROL-002": "A", "ROL-001": "C", "ROL-007": "I"},  # nobody responsible: the view flags it
    "communication": {"ROL-002": "A", "ROL-006": "R", "ROL-008": "C"},
    "documents": {"ROL-002": "A", "ROL-004": "R"},
    "life_cycle": {"ROL-003": "A", "ROL-005": "R", "ROL-004": "C"},
    "data": {"ROL-008": "A", "ROL-004": "R", "ROL-005": "C"},
    "suppliers": {"ROL-002": "A", "ROL-003": "R", "ROL-008": "C"},
    "monitoring": {"ROL-002": "A", "ROL-005": "R", "ROL-001": "I"},
    "internal_audit": {"ROL-001": "A", "ROL-007": "R", "ROL-002": "C"},
    "management_review": {"ROL-001": "A", "ROL-002": "R", "ROL-007": "C"},
    "improvement": {"ROL-002": "A", "ROL-003": "R", "ROL-007": "I"},
}

# (reference, name, description, role references)
COMPETENCES = [
    (
        "CMP-001",
        "AI risk assessment",
        "Applies Northwind's AI risk criteria: identifies, scores and treats AI risks consistently.",
        ["ROL-002", "ROL-003"],
    ),
    (
        "CMP-002",
        "ISO/IEC 42001 fundamentals",
        "Knows what an AI management system asks of the organisation and where each record lives.",
        ["ROL-001", "ROL-002", "ROL-007"],
    ),
    (
        "CMP-003",
        "Bias and fairness testing",
        "Designs and reads fairness tests (group metrics, adverse impact) for classification and ranking models.",
        ["ROL-005", "ROL-006"],
    ),
    (
        "CMP-004",
        "Data protection for AI",
        "Applies UK GDPR to AI: lawful basis, DPIA, data minimisation and individuals' rights.",
        ["ROL-004", "ROL-008"],
    ),
    (
        "CMP-005",
        "Model validation and monitoring",
        "Validates model versions against thresholds and sets up drift monitoring.",
        ["ROL-005"],
    ),
    (
        "CMP-006",
        "Internal auditing of management systems",
        "Plans and conducts audits against ISO management system standards and reports findings.",
        ["ROL-007"],
    ),
    (
        "CMP-007",
        "AI ethics and human oversight",
        "Judges when and how people must oversee AI outputs and how to explain them to those affected.",
        ["ROL-003", "ROL-006"],
    ),
]

# (reference, fields, competence references)
COURSES = [
    (
        "CRS-001",
        {
            "title": "ISO/IEC 42001 Foundation",
            "provider": "BSI Training Academy",
            "delivery": "external",
            "validity_months": 36,
        },
        ["CMP-002"],
    ),
    (
        "CRS-002",
        {
            "title": "ISO/IEC 42001 Lead Auditor",
            "provider": "BSI Training Academy",
            "delivery": "external",
            "validity_months": 36,
        },
        ["CMP-002", "CMP-006"],
    ),
    (
        "CRS-003",
        {
            "title": "Northwind AI risk assessment workshop",
            "provider": "AIMS team",
            "delivery": "classroom",
            "validity_months": 24,
        },
        ["CMP-001"],
    ),
    (
        "CRS-004",
        {
            "title": "Fairness testing in practice",
            "provider": "Alan Turing Institute (online)",
            "delivery": "e_learning",
            "validity_months": 24,
        },
        ["CMP-003"],
    ),
    (
        "CRS-005",
        {
            "title": "Data protection for AI practitioners",
            "provider": "Information governance team",
            "delivery": "e_learning",
            "validity_months": 12,
        },
        ["CMP-004"],
    ),
    (
        "CRS-006",
        {"title": "Model validation bootcamp", "provider": "Data science guild", "delivery": "classroom"},
        ["CMP-005"],
    ),
    (
        "CRS-007",
        {
            "title": "AI ethics and human oversight",
            "provider": "NHS Digital Academy",
            "delivery": "e_learning",
            "validity_months": 24,
        },
        ["CMP-007"],
    ),
    (
        "CRS-008",
        {
            "title": "AI awareness for all staff",
            "provider": "AIMS team",
            "delivery": "e_learning",
            "validity_months": 12,
            "description": "What AI Northwind uses, the AI policy, and how to raise a concern.",
        },
        [],
    ),
]

# (reference, username, course, completed days ago, result)
TRAINING = [
    ("TRN-001", "officer", "CRS-001", 420, "passed"),
    ("TRN-002", "officer", "CRS-003", 715, "passed"),  # expires within a month
    ("TRN-003", "ceo", "CRS-001", 1200, "passed"),  # expired
    ("TRN-004", "contributor", "CRS-003", 180, "passed"),
    ("TRN-005", "datasteward", "CRS-005", 420, "passed"),  # expired
    ("TRN-006", "mlengineer", "CRS-006", 200, "passed"),
    ("TRN-007", "mlengineer", "CRS-004", 90, "passed"),
    ("TRN-008", "cso", "CRS-007", 300, "passed"),
    ("TRN-009", "cso", "CRS-004", 30, "failed"),
    ("TRN-010", "auditor", "CRS-002", 300, "passed"),
    ("TRN-011", "dpo", "CRS-005", 60, "passed"),
    ("TRN-012", "contributor", "CRS-008", 200, "attended"),
    ("TRN-013", "viewer", "CRS-008", 500, "attended"),  # expired awareness course
]

# (reference, fields, owner, status, latest value, days since measured)
OBJECTIVES = [
    (
        "OBJ-001",
        {
            "title": "Bias-test every high-risk AI system before each release",
            "annex_c_objective": "fairness",
            "measure": "Share of high-risk AI systems whose latest release passed a documented bias test",
            "unit": "%",
            "direction": "at_least",
            "baseline": 40,
            "target": 100,
            "start_days": 150,
            "deadline_days": 180,
            "resources": "Two days a month of the model validator; Fairlearn; test data from the data steward.",
            "plan": "Add a bias test step to the release checklist (Q1); back-test the three high-risk systems (Q2).",
            "evaluation": "The AIMS manager checks release records each quarter; reported at the management review.",
        },
        "mlengineer",
        "approved",
        75,
        20,
    ),
    (
        "OBJ-002",
        {
            "title": "Explain triage recommendations to clinicians",
            "annex_c_objective": "transparency_explainability",
            "measure": "Share of triage recommendations shown with the factors behind them",
            "unit": "%",
            "direction": "at_least",
            "baseline": 0,
            "target": 95,
            "start_days": 60,
            "deadline_days": 270,
            "resources": "Supplier change request (budgeted); clinical safety officer review time.",
            "plan": "Agree the explanation format with clinicians; supplier release; pilot on two wards; roll out.",
            "evaluation": "Monthly sample of 50 triage episodes audited by the clinical safety officer.",
        },
        "contributor",
        "approved",
        30,
        10,
    ),
    (
        "OBJ-003",
        {
            "title": "Close AI incidents within a week",
            "annex_c_objective": "safety",
            "measure": "Median days from an AI incident report to its closure",
            "unit": "days",
            "direction": "at_most",
            "baseline": 21,
            "target": 7,
            "start_days": 240,
            "deadline_days": 120,
            "resources": "On-call rota of the ML engineers; incident playbook.",
            "plan": "Publish the AI incident playbook; name an on-call engineer each week; weekly triage meeting.",
            "evaluation": "Computed from the incident register each month by the AIMS manager.",
        },
        "officer",
        "approved",
        9,
        5,
    ),
    (
        "OBJ-004",
        {
            "title": "Everyone in an AIMS role has current training",
            "annex_c_objective": "ai_expertise",
            "measure": "Share of required competences met in the competence matrix",
            "unit": "%",
            "direction": "at_least",
            "baseline": 55,
            "target": 100,
            "start_days": 300,
            "deadline_days": -15,
            "resources": "Training budget of £18,000; half a day a quarter per role holder.",
            "plan": "Book courses for every gap in the competence matrix; renew expiring certificates early.",
            "evaluation": "The competence matrix, reviewed monthly by the AIMS manager.",
        },
        "officer",
        "approved",
        80,
        3,
    ),
    (
        "OBJ-005",
        {
            "title": "Cut the energy use of the documentation assistant",
            "annex_c_objective": "environmental_impact",
            "measure": "Energy per 1,000 documentation-assistant requests",
            "unit": "kWh",
            "direction": "at_most",
            "baseline": 1.8,
            "target": 1.2,
            "start_days": 0,
            "deadline_days": 365,
            "resources": "Supplier energy reporting; one sprint of the platform team.",
            "plan": "Get per-request energy figures from the supplier; move to a smaller model for short notes.",
            "evaluation": "Quarterly supplier report checked by the AIMS manager.",
        },
        "officer",
        "draft",
        None,
        None,
    ),
]

# (reference, fields, owner, last done days ago, interested party references)
COMMUNICATIONS = [
    (
        "COM-001",
        {
            "topic": "The AI policy and what changed in it",
            "audience_kind": "internal",
            "audience": "All staff",
            "frequency": "annually",
            "timing": "When a new version is approved, and each January",
            "channel": "intranet",
        },
        "officer",
        60,
        ["IP-005"],
    ),
    (
        "COM-002",
        {
            "topic": "AIMS performance report",
            "description": "Objectives, risks above appetite, incidents and audit results.",
            "audience_kind": "internal",
            "audience": "Executive board",
            "frequency": "quarterly",
            "timing": "First board meeting of each quarter",
            "channel": "report",
        },
        "officer",
        110,
        [],
    ),
    (
        "COM-003",
        {
            "topic": "How Northwind uses AI in patient services",
            "description": "Transparency notice: which services use AI, what it does, and how to ask for a person.",
            "audience_kind": "external",
            "audience": "Patients and the public",
            "frequency": "annually",
            "timing": "Reviewed each spring and whenever a patient-facing system changes",
            "channel": "website",
        },
        "cso",
        200,
        ["IP-001"],
    ),
    (
        "COM-004",
        {
            "topic": "Changes to AI systems we supply",
            "audience_kind": "external",
            "audience": "Hospital customers",
            "frequency": "quarterly",
            "timing": "With each quarterly release note",
            "channel": "portal",
        },
        "contributor",
        40,
        [],
    ),
    (
        "COM-005",
        {
            "topic": "How to raise a concern about AI",
            "audience_kind": "internal",
            "audience": "All staff and contractors",
            "frequency": "half_yearly",
            "timing": "Staff newsletter in March and September",
            "channel": "email",
        },
        "cso",
        150,
        ["IP-005"],
    ),
    (
        "COM-006",
        {
            "topic": "AI governance update for regulators",
            "audience_kind": "external",
            "audience": "Care Quality Commission and the ICO",
            "frequency": "on_event",
            "timing": "Before inspections and after any reportable AI incident",
            "channel": "report",
        },
        "dpo",
        None,
        ["IP-002", "IP-003"],
    ),
]

# Who must acknowledge the AI policy (POL-001), and who already has.
ACK_ROLES = ["ROL-001", "ROL-002", "ROL-003", "ROL-004", "ROL-005", "ROL-006", "ROL-007", "ROL-008"]
ACK_ACCESS_ROLES = ["officer", "contributor"]
ACKNOWLEDGED_BY = ["officer", "ceo", "cso", "auditor", "dpo"]
