"""Northwind's evidence, SoA decisions, roadmap and policy texts as data (written by ``controls.demo_controls``
through the services). All text is ours; ISO identifiers only."""

# reference: (title, description, file type or "link", effective (days from today), expiry (days) or None,
#             controls, systems, review status)
NORTHWIND_EVIDENCE = {
    "EVD-001": (
        "AI policy, version 2 (signed)",
        "The approved AI policy as signed by the chief executive.",
        "pdf",
        -120,
        610,
        ["CTL-001"],
        [],
        "accepted",
    ),
    "EVD-002": (
        "AIMS scope and context statement",
        "Scope, context issues and interested parties as approved by the governance board.",
        "pdf",
        -200,
        165,
        ["CTL-002"],
        [],
        "accepted",
    ),
    "EVD-003": ("Governance board terms of reference and AI RACI", "", "pdf", -300, 65, ["CTL-003"], [], "accepted"),
    "EVD-004": ("AI risk management procedure v3", "", "pdf", -150, 215, ["CTL-004"], [], "accepted"),
    "EVD-005": (
        "Risk assessment register export, first quarter",
        "Scores and treatment status of every open AI risk at quarter end.",
        "csv",
        -40,
        None,
        ["CTL-004"],
        [],
        "accepted",
    ),
    "EVD-006": ("Impact assessment procedure and template", "", "md", -180, 185, ["CTL-005"], [], "accepted"),
    "EVD-007": (
        "Change advisory board minutes: AI changes, third quarter last year",
        "Minutes of the three CAB meetings that approved model retraining and a new data feed.",
        "txt",
        -330,
        -60,
        ["CTL-008"],
        [],
        "accepted",
    ),
    "EVD-008": (
        "AI training completion report",
        "Completion by role of the AI literacy and human-oversight courses.",
        "csv",
        -30,
        335,
        ["CTL-009"],
        [],
        "accepted",
    ),
    "EVD-009": (
        "AIMS document register",
        "Owner, version and review date of every AIMS document.",
        "xlsx",
        -20,
        None,
        ["CTL-010"],
        [],
        "pending",
    ),
    "EVD-010": ("Board approval of the 2026 AIMS budget", "", "pdf", -90, 275, ["CTL-012"], [], "accepted"),
    "EVD-011": ("Management review minutes, March", "", "pdf", -60, None, ["CTL-014"], [], "accepted"),
    "EVD-012": ("Nonconformity register export", "", "csv", -400, -35, ["CTL-015"], [], "accepted"),
    "EVD-013": (
        "Speak Up: AI concern handling statistics",
        "Live report on the intranet.",
        "https://intranet.northwind.example/speak-up/ai-concerns",
        -45,
        135,
        ["CTL-016"],
        [],
        "accepted",
    ),
    "EVD-014": (
        "AI system inventory export",
        "Quarterly export of the AI system register.",
        "csv",
        -200,
        -10,
        ["CTL-017"],
        [],
        "accepted",
    ),
    "EVD-015": ("TalentScreen training-data quality report", "", "pdf", -70, 110, ["CTL-018"], ["AIS-001"], "accepted"),
    "EVD-016": (
        "Stage-gate checklist: triage assistant release 2.3",
        "",
        "md",
        -50,
        None,
        ["CTL-021"],
        ["AIS-002"],
        "accepted",
    ),
    "EVD-017": (
        "Validation and bias test report: TalentScreen 4.1",
        "",
        "pdf",
        -65,
        300,
        ["CTL-022"],
        ["AIS-001"],
        "accepted",
    ),
    "EVD-018": (
        "Model monitoring dashboard",
        "Drift, error-rate and off-purpose-use panels for every production model.",
        "https://grafana.northwind.example/d/ai-monitoring",
        -5,
        25,
        ["CTL-023"],
        ["AIS-001", "AIS-004", "AIS-005"],
        "accepted",
    ),
    "EVD-019": ("Model card: patient triage assistant", "", "md", -80, None, ["CTL-025"], ["AIS-002"], "accepted"),
    "EVD-020": ("AI incident response plan v1.2", "", "pdf", -200, 20, ["CTL-026"], [], "accepted"),
    "EVD-021": ("Acceptable use standard for generative AI", "", "md", -100, 265, ["CTL-027"], [], "accepted"),
    "EVD-022": (
        "Supplier AI due diligence: Lexica Speech GmbH",
        "",
        "pdf",
        -120,
        245,
        ["CTL-028"],
        ["AIS-006"],
        "accepted",
    ),
    "EVD-023": (
        "Prompt-injection red-team results: Ask Northwind",
        "",
        "txt",
        -25,
        None,
        ["CTL-029"],
        ["AIS-003"],
        "pending",
    ),
}

# Annex A decisions: identifier: (risks, obligation, business need, owner) for applicable lines;
# excluded: identifier: (reason category, justification, owner).
SOA_EXCLUDED = {
    "A.4.5": (
        "outsourced",
        "Northwind runs no AI compute of its own: training and inference run on the cloud platforms of suppliers "
        "assessed under A.10.3, whose capacity, location and energy commitments are in the contracts. We will "
        "include this control if we bring any AI workload in-house.",
        "officer",
    ),
    "A.5.5": (
        "risk_not_present",
        "Our AI systems support internal clinical and administrative work for our own patients and staff; none "
        "operates at population scale or shapes public debate. Effects on individuals and groups are assessed "
        "under A.5.4. Revisit if the Ask Northwind chatbot is opened to the general public.",
        "officer",
    ),
    "A.10.4": (
        "no_such_activity",
        "We do not supply AI systems or AI services to other organisations: every system in scope is used by "
        "Northwind staff or offered to our own patients, who are covered by A.8.2 and A.9.",
        "officer",
    ),
}
_HIGH_RISK = "EU AI Act obligations for the high-risk TalentScreen and triage systems we provide"
SOA_APPLICABLE = {
    "A.2.2": ([], "", "The board wants one statement of how Northwind uses AI, for staff and customers.", "officer"),
    "A.2.3": (
        [],
        "",
        "Avoid contradictions between the AI policy and the security, privacy and HR policies.",
        "officer",
    ),
    "A.2.4": ([], "", "Keep the AI policy current as regulation and our AI use change.", "officer"),
    "A.3.2": ([], f"{_HIGH_RISK} (Art. 17 quality management, Art. 14 human oversight).", "", "officer"),
    "A.3.3": ([], "Whistleblowing and NHS Speak Up expectations.", "", "admin"),
    "A.4.2": ([], f"{_HIGH_RISK} (Art. 11 technical documentation).", "", "contributor"),
    "A.4.3": (["RSK-001"], "UK GDPR record of processing (Art. 30).", "", "contributor"),
    "A.4.4": ([], "", "Know which tools and pre-trained models our systems depend on.", "contributor"),
    "A.4.6": ([], "EU AI Act Art. 4 AI literacy of staff.", "", "officer"),
    "A.5.2": (["RSK-001", "RSK-002"], "UK GDPR Art. 35 DPIA for high-risk processing.", "", "officer"),
    "A.5.3": ([], "UK GDPR Art. 35 and records retention policy.", "", "officer"),
    "A.5.4": (["RSK-001", "RSK-009"], "Equality Act 2010 duties towards applicants and patients.", "", "contributor"),
    "A.6.1.2": (["RSK-001"], "", "Responsible development is a commitment in our AI policy.", "contributor"),
    "A.6.1.3": ([], f"{_HIGH_RISK} (Art. 17).", "", "contributor"),
    "A.6.2.2": ([], f"{_HIGH_RISK} (Art. 9, 15).", "", "contributor"),
    "A.6.2.3": ([], f"{_HIGH_RISK} (Art. 11, Annex IV).", "", "contributor"),
    "A.6.2.4": (["RSK-007"], f"{_HIGH_RISK} (Art. 9(6)–(8), 15).", "", "contributor"),
    "A.6.2.5": ([], "", "Releases to clinical systems need a controlled go-live.", "contributor"),
    "A.6.2.6": (["RSK-003"], "Post-market monitoring for providers (EU AI Act Art. 72).", "", "contributor"),
    "A.6.2.7": ([], f"{_HIGH_RISK} (Art. 11, 13).", "", "contributor"),
    "A.6.2.8": (["RSK-002"], f"{_HIGH_RISK} (Art. 12 record-keeping).", "", "contributor"),
    "A.7.2": (["RSK-006"], f"{_HIGH_RISK} (Art. 10); UK GDPR.", "", "contributor"),
    "A.7.3": ([], "Licence terms of MediData Analytics; UK GDPR lawful basis.", "", "contributor"),
    "A.7.4": (["RSK-001"], f"{_HIGH_RISK} (Art. 10(3)–(4)).", "", "contributor"),
    "A.7.5": ([], f"{_HIGH_RISK} (Art. 10(2)).", "", "contributor"),
    "A.7.6": ([], f"{_HIGH_RISK} (Art. 10(2)(c)).", "", "contributor"),
    "A.8.2": (["RSK-012"], "EU AI Act Art. 13 and Art. 50 transparency.", "", "contributor"),
    "A.8.3": ([], "", "Patients and applicants need a way to tell us when AI gets it wrong.", "admin"),
    "A.8.4": (["RSK-002"], "EU AI Act Art. 73 serious-incident reporting.", "", "officer"),
    "A.8.5": ([], "Hospital customer contracts require yearly AI disclosures.", "", "officer"),
    "A.9.2": (["RSK-006"], "EU AI Act Art. 26 deployer duties.", "", "officer"),
    "A.9.3": (["RSK-009"], "", "Responsible use is a commitment in our AI policy.", "officer"),
    "A.9.4": (["RSK-009"], "EU AI Act Art. 26(1) use according to the instructions.", "", "contributor"),
    "A.10.2": (["RSK-005"], "Contracts with our AI suppliers.", "", "officer"),
    "A.10.3": (["RSK-005", "RSK-011"], "EU AI Act Art. 25 responsibilities along the value chain.", "", "officer"),
}

# (reference, title, requirement, gap kind, control, phase, status, owner, due in days)
NORTHWIND_ROADMAP = [
    (
        "RMA-001",
        "Run the first internal AIMS audit",
        "9.2.2",
        "not_implemented",
        "CTL-013",
        "1",
        "in_progress",
        "auditor",
        45,
    ),
    (
        "RMA-002",
        "Renew the change-advisory evidence for AI changes",
        "6.3",
        "evidence_expired",
        "CTL-008",
        "1",
        "planned",
        "contributor",
        14,
    ),
    (
        "RMA-003",
        "Write the AIMS process map and manual",
        "4.4",
        "not_implemented",
        "CTL-033",
        "1",
        "planned",
        "officer",
        30,
    ),
    (
        "RMA-004",
        "Finish decision logging for the X-ray prioritisation system",
        "A.6.2.8",
        "not_implemented",
        "CTL-024",
        "2",
        "in_progress",
        "contributor",
        90,
    ),
    (
        "RMA-005",
        "Agree measurable AI objectives with owners and targets",
        "6.2",
        "not_implemented",
        "CTL-007",
        "2",
        "planned",
        "officer",
        75,
    ),
    (
        "RMA-006",
        "Extend the data preparation standard to text and tabular data",
        "A.7.6",
        "not_implemented",
        "CTL-020",
        "3",
        "planned",
        "contributor",
        180,
    ),
]

AI_POLICY_V1 = """# Northwind Health AI policy

**Purpose.** Northwind uses artificial intelligence to help clinicians, nurses and colleagues care for patients
and run the organisation well. This policy says how we decide where AI is used and how we keep it safe, fair and
accountable.

## Our commitments

1. We use AI to support people, not to replace their judgement on matters that affect patients or staff.
2. We assess the risks and impacts of each AI system before we rely on it, and again when it changes.
3. We meet the laws and contracts that apply to our AI, including data-protection and medical-device rules.
4. We keep improving how we manage AI.
"""

AI_POLICY_V2 = """# Northwind Health AI policy

**Purpose.** Northwind Health uses artificial intelligence to help clinicians, nurses and colleagues care for
patients and run our services well. This policy sets out where we use AI, the principles we hold ourselves to and
who is accountable. It applies to every AI system we build, buy or use, and to everyone who works with them.

## 1. Our commitments

1. **People decide.** AI supports the judgement of clinicians and colleagues; it never takes a decision about a
   patient, an applicant or a member of staff on its own.
2. **Safety and fairness first.** Before we rely on an AI system we assess its risks and its impact on the people
   it affects, and we test it for unfair differences between groups.
3. **We meet our obligations.** We comply with the law and the contracts that apply to our AI, including data
   protection, equality, medical-device and EU AI Act rules, and we tell people when they deal with AI.
4. **We keep improving.** We measure how our AI and our management of it perform, learn from incidents and
   concerns, and review this policy every year.

## 2. Principles for every AI system

| Principle | What it means here |
|---|---|
| Accountable | Every system has a named system owner and risk owner in the AI register. |
| Transparent | Users get a plain-language model card; patients are told when AI is involved. |
| Fair | We check training data and results for bias before release and while in use. |
| Secure and private | Patient identifiers never go to tools that are not approved for them. |
| Overseen | A trained person can review, override or stop the system at any time. |

## 3. Roles

- The **executive board** approves this policy and the AI risk appetite.
- The **AI governance board** decides on new AI uses and accepts risks above the appetite.
- The **AIMS officer** runs the AI management system and reports on it twice a year.
- **System owners** make sure their system is used as intended, monitored and documented.
- **Everyone** completes the AI literacy training and raises concerns through Speak Up.

## 4. Using this policy

Topic policies (acceptable use of generative AI, AI procurement) sit under this policy. Exceptions need the AI
governance board's written approval. Breaches are handled under our disciplinary and incident procedures.

*Related: information security policy, data protection policy, clinical safety policy.*
"""

ACCEPTABLE_USE = """# Acceptable use of generative AI

Generative AI tools can draft text, summarise documents and write code. Used carelessly they can leak personal
data or produce confident mistakes. This policy applies to every member of staff and contractor.

## You may

- use the **approved** tools listed on the intranet for work tasks;
- draft letters, summaries and code with them, and then **check the result** yourself.

## You must not

- paste patient identifiers, health records or staff personal data into any tool that is not approved for them;
- present AI output as clinical advice without review by a qualified clinician;
- use AI output to make decisions about applicants or staff (see the TalentScreen intended use).

Report a mistake or a concern through Speak Up or to the AIMS officer.
"""

PROCUREMENT_POLICY = """# AI procurement and supplier policy (draft)

Before we buy an AI product or service we assess the supplier: how the model was built and tested, what data it
uses, how we will hear about model changes and incidents, and who is responsible for what. Contracts must include
the AI clauses in the procurement handbook.
"""
