"""Demo inventory for Northwind Health (builds and buys AI) and Contoso Lending.

Idempotent: every record is looked up by its reference first, so ``seed_demo`` can run at every start.
"""

import datetime as dt

from django.utils import timezone

from aims.services import create_record
from registry import services
from registry.models import (
    AIModel,
    AISystem,
    ContextIssue,
    Dataset,
    DatasetUsage,
    InterestedParty,
    ModelMetric,
    ModelVersion,
    ScopeStatement,
    Supplier,
)

TODAY = timezone.localdate


def _get_or_create(model, organisation, reference, actor, data, reason="Demo data"):
    existing = model.objects.filter(organisation=organisation, reference=reference).first()
    if existing:
        return existing
    return create_record(
        model, actor=actor, organisation=organisation, data={"reference": reference, **data}, reason=reason
    )


def _days_ago(days: int) -> dt.date:
    return TODAY() - dt.timedelta(days=days)


NORTHWIND_SUPPLIERS = [
    (
        "SUP-001",
        {
            "name": "Lexica Speech GmbH",
            "supply_type": "model_api",
            "supplies": "Medical speech-to-text API used for clinical dictation.",
            "contract_reference": "NW-PROC-2024-117",
            "due_diligence_status": "approved",
            "assessment_notes": "Security questionnaire and DPA reviewed; EU data residency confirmed; "
            "model-change notices are sent 30 days ahead.",
        },
    ),
    (
        "SUP-002",
        {
            "name": "Azure OpenAI Service (Microsoft)",
            "supply_type": "model_api",
            "supplies": "Hosted large language model used by the customer-service assistant.",
            "contract_reference": "NW-ENT-2023-044",
            "due_diligence_status": "conditional",
            "assessment_notes": "Approved for non-clinical use only; prompts must not contain patient "
            "identifiers. Abuse-monitoring opt-out requested.",
        },
    ),
    (
        "SUP-003",
        {
            "name": "MediData Analytics Ltd",
            "supply_type": "data",
            "supplies": "De-identified emergency-department encounter data for triage model training.",
            "contract_reference": "NW-DATA-2022-009",
            "due_diligence_status": "in_progress",
            "assessment_notes": "Re-identification risk assessment pending from the supplier.",
        },
    ),
    (
        "SUP-004",
        {
            "name": "RadiQ Imaging AB",
            "supply_type": "model_api",
            "supplies": "CE-marked chest X-ray prioritisation software (class IIa medical device).",
            "contract_reference": "NW-MED-2024-031",
            "due_diligence_status": "approved",
            "assessment_notes": "Notified-body certificate and IFU on file; post-market surveillance contact named.",
        },
    ),
]

# (reference, fields, datasets [(ref, purpose)], suppliers)
NORTHWIND_SYSTEMS = [
    (
        "AIS-001",
        {
            "name": "TalentScreen CV ranking",
            "business_unit": "People & Culture",
            "operator_role": "provider",
            "description": "In-house model that scores incoming job applications against the role profile and "
            "proposes a shortlist to recruiters.",
            "intended_purpose": "Help recruiters prioritise applications for clinical and administrative vacancies.",
            "intended_users": "Recruiters and hiring managers in People & Culture.",
            "foreseeable_misuse": "Using the score as the sole reason to reject a candidate; reusing it for promotions.",
            "affected_persons": "Job applicants, including people with career gaps and non-UK qualifications.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(400),
            "ai_techniques": "machine_learning",
            "automation_level": "human_in_the_loop",
            "human_oversight": "A recruiter reviews every shortlist; rejections need a recorded human reason.",
            "geography": "UK, Ireland",
            "criticality": "high",
            "in_scope": True,
            "scope_justification": "Affects access to employment; Annex III employment use case.",
            "tags": "hr,hiring",
        },
        [("DS-001", "training"), ("DS-001", "validation")],
        [],
    ),
    (
        "AIS-002",
        {
            "name": "Patient triage assistant",
            "business_unit": "Urgent Care",
            "operator_role": "provider",
            "description": "Suggests an urgency category for walk-in patients from structured intake answers.",
            "intended_purpose": "Support triage nurses in assigning Manchester-style urgency categories.",
            "intended_users": "Registered triage nurses in urgent-care centres.",
            "foreseeable_misuse": "Use without a nurse present; use for paediatric patients outside the validated range.",
            "affected_persons": "Adult patients attending urgent care, including vulnerable and elderly patients.",
            "lifecycle_stage": "verification_validation",
            "deployment_status": "pilot",
            "deployment_date": _days_ago(60),
            "ai_techniques": "machine_learning",
            "automation_level": "advisory",
            "human_oversight": "The nurse decides; the suggestion is shown after the nurse's own assessment.",
            "geography": "UK",
            "criticality": "critical",
            "in_scope": True,
            "scope_justification": "Clinical decision support with direct effect on patient safety.",
            "tags": "clinical,triage",
        },
        [("DS-002", "training"), ("DS-003", "operational")],
        ["SUP-003"],
    ),
    (
        "AIS-003",
        {
            "name": "Ask Northwind customer-service chatbot",
            "business_unit": "Patient Services",
            "operator_role": "deployer",
            "description": "LLM assistant on the website answering questions about appointments, billing and locations.",
            "intended_purpose": "Answer non-clinical questions and route people to the right service.",
            "intended_users": "Patients and members of the public on northwindhealth.example.",
            "foreseeable_misuse": "Asking for medical advice; prompt injection to reveal internal instructions.",
            "affected_persons": "Website visitors, including people in distress.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(250),
            "ai_techniques": "generative,deep_learning",
            "automation_level": "autonomous",
            "human_oversight": "Conversations sampled weekly; hand-over to a human agent on request or on keywords.",
            "geography": "UK, EU",
            "criticality": "medium",
            "in_scope": True,
            "scope_justification": "Public-facing generative AI; transparency duties and reputational risk.",
            "tags": "llm,public",
        },
        [("DS-004", "operational")],
        ["SUP-002"],
    ),
    (
        "AIS-004",
        {
            "name": "Claims fraud detection",
            "business_unit": "Finance",
            "operator_role": "provider",
            "description": "Flags insurance claims with unusual patterns for investigation.",
            "intended_purpose": "Prioritise claims for manual fraud review.",
            "intended_users": "Claims investigators.",
            "affected_persons": "Patients and insurers submitting claims.",
            "foreseeable_misuse": "Automatic claim denial based on the flag.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(900),
            "ai_techniques": "machine_learning",
            "automation_level": "human_in_the_loop",
            "human_oversight": "Investigators decide; flags never block payment by themselves.",
            "geography": "UK",
            "criticality": "medium",
            "in_scope": True,
            "scope_justification": "Processes personal data at scale and affects payment of claims.",
            "tags": "finance",
        },
        [("DS-005", "training")],
        [],
    ),
    (
        "AIS-005",
        {
            "name": "Pharmacy demand forecasting",
            "business_unit": "Supply Chain",
            "operator_role": "developer",
            "description": "Forecasts weekly demand per medicine and site to plan replenishment.",
            "intended_purpose": "Reduce stock-outs and waste of medicines.",
            "intended_users": "Supply planners.",
            "affected_persons": "Indirectly, patients relying on medicine availability.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(700),
            "ai_techniques": "machine_learning",
            "automation_level": "advisory",
            "geography": "UK",
            "criticality": "low",
            "in_scope": True,
            "scope_justification": "In scope to cover all in-house models; low impact on individuals.",
            "tags": "operations",
        },
        [("DS-006", "training")],
        [],
    ),
    (
        "AIS-006",
        {
            "name": "Clinical dictation speech-to-text",
            "business_unit": "Clinical Systems",
            "operator_role": "deployer",
            "description": "Supplier API transcribing clinicians' dictated letters into the patient record.",
            "intended_purpose": "Save clinicians' time writing clinic letters.",
            "intended_users": "Doctors and nurses.",
            "foreseeable_misuse": "Letters signed without proofreading.",
            "affected_persons": "Patients whose records contain the transcripts.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(500),
            "ai_techniques": "deep_learning",
            "automation_level": "human_in_the_loop",
            "human_oversight": "The clinician proofreads and signs every letter.",
            "geography": "UK",
            "criticality": "medium",
            "in_scope": True,
            "scope_justification": "Supplier AI processing health data.",
            "tags": "clinical,supplier",
        },
        [],
        ["SUP-001"],
    ),
    (
        "AIS-007",
        {
            "name": "Chest X-ray prioritisation",
            "business_unit": "Radiology",
            "operator_role": "deployer",
            "description": "CE-marked software that flags chest X-rays with suspected urgent findings for earlier reading.",
            "intended_purpose": "Reorder the radiology worklist so urgent cases are read first.",
            "intended_users": "Radiologists and reporting radiographers.",
            "foreseeable_misuse": "Treating a 'normal' flag as a negative report.",
            "affected_persons": "Patients having chest X-rays.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(300),
            "ai_techniques": "deep_learning",
            "automation_level": "human_on_the_loop",
            "human_oversight": "Every image is still reported by a radiologist.",
            "geography": "UK",
            "criticality": "high",
            "in_scope": True,
            "scope_justification": "Medical device software (Annex I product route).",
            "tags": "clinical,imaging,supplier",
        },
        [],
        ["SUP-004"],
    ),
    (
        "AIS-008",
        {
            "name": "Appointment no-show prediction",
            "business_unit": "Outpatients",
            "operator_role": "provider",
            "description": "Predicts the chance that a patient misses an appointment so reminders can be targeted.",
            "intended_purpose": "Send extra reminders; never to overbook or deny appointments.",
            "intended_users": "Outpatient booking team.",
            "affected_persons": "Outpatients.",
            "foreseeable_misuse": "Overbooking clinics based on predicted no-shows.",
            "lifecycle_stage": "design_development",
            "deployment_status": "in_development",
            "ai_techniques": "machine_learning",
            "automation_level": "advisory",
            "geography": "UK",
            "criticality": "low",
            "in_scope": True,
            "scope_justification": "Uses patient data; could disadvantage groups with lower attendance.",
            "tags": "operations",
        },
        [("DS-007", "training")],
        [],
    ),
    (
        "AIS-009",
        {
            "name": "Developer code assistant",
            "business_unit": "IT",
            "operator_role": "deployer",
            "description": "IDE plug-in suggesting code to Northwind developers.",
            "intended_purpose": "Developer productivity.",
            "intended_users": "Software engineers.",
            "affected_persons": "Staff; indirectly users of Northwind software.",
            "foreseeable_misuse": "Pasting patient data or secrets into prompts.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(200),
            "ai_techniques": "generative",
            "automation_level": "advisory",
            "geography": "UK",
            "criticality": "low",
            "in_scope": True,
            "scope_justification": "Generative AI used internally; data-leak risk.",
            "tags": "llm,internal",
        },
        [],
        ["SUP-002"],
    ),
    (
        "AIS-010",
        {
            "name": "Health-content drafting assistant",
            "business_unit": "Communications",
            "operator_role": "deployer",
            "description": "Drafts patient leaflets and web articles for editors to review.",
            "intended_purpose": "Speed up drafting of plain-language health information.",
            "intended_users": "Communications editors.",
            "affected_persons": "Readers of Northwind publications.",
            "foreseeable_misuse": "Publishing drafts without clinical review.",
            "lifecycle_stage": "deployment",
            "deployment_status": "pilot",
            "deployment_date": _days_ago(30),
            "ai_techniques": "generative",
            "automation_level": "human_in_the_loop",
            "human_oversight": "Editorial and clinical sign-off before publication.",
            "geography": "UK",
            "criticality": "medium",
            "in_scope": True,
            "scope_justification": "Public information generated with AI.",
            "tags": "llm,public",
        },
        [],
        ["SUP-002"],
    ),
    (
        "AIS-011",
        {
            "name": "Nurse rostering optimiser",
            "business_unit": "Workforce",
            "operator_role": "provider",
            "description": "Builds draft nurse rotas from skills, contracts and preferences.",
            "intended_purpose": "Draft fair, safe rotas for ward managers to adjust.",
            "intended_users": "Ward managers.",
            "affected_persons": "Nursing staff.",
            "foreseeable_misuse": "Allocating shifts based on sickness history.",
            "lifecycle_stage": "inception",
            "deployment_status": "planned",
            "ai_techniques": "rule_based,machine_learning",
            "automation_level": "human_in_the_loop",
            "geography": "UK",
            "criticality": "medium",
            "in_scope": True,
            "scope_justification": "Task allocation for workers is an Annex III employment use case.",
            "tags": "hr,workforce",
        },
        [],
        [],
    ),
    (
        "AIS-012",
        {
            "name": "Email spam filter",
            "business_unit": "IT",
            "operator_role": "deployer",
            "description": "Commodity spam filtering built into the email service.",
            "intended_purpose": "Filter spam.",
            "intended_users": "All staff.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(1500),
            "ai_techniques": "machine_learning",
            "automation_level": "autonomous",
            "geography": "UK",
            "criticality": "low",
            "in_scope": False,
            "scope_justification": "Out of scope: commodity feature of the email service with no decisions about "
            "people; covered by the ISMS supplier controls instead.",
            "tags": "it",
        },
        [],
        [],
    ),
]

NORTHWIND_DATASETS = [
    (
        "DS-001",
        {
            "name": "Applications 2019–2023",
            "version": "3",
            "source": "internal",
            "provenance": "Applicant tracking system export, pseudonymised.",
            "collection_method": "Submitted by applicants through the careers site.",
            "licence": "Internal",
            "contains_personal_data": True,
            "legal_basis": "legitimate_interests",
            "quality_checks": "Duplicate removal; label audit of 500 records.",
            "quality_results": "1.8% duplicates removed; label agreement 94%.",
            "known_biases": "Under-representation of applicants over 55 and of non-UK degrees.",
            "retention": "Six years after the recruitment campaign closes.",
        },
    ),
    (
        "DS-002",
        {
            "name": "Urgent-care encounters (de-identified)",
            "version": "2024.1",
            "source": "supplier",
            "supplier": "SUP-003",
            "provenance": "Supplier extract from partner trusts' ED systems.",
            "collection_method": "Routine care records, de-identified by the supplier.",
            "licence": "Data licence NW-DATA-2022-009",
            "contains_personal_data": True,
            "contains_special_category_data": True,
            "legal_basis": "public_task",
            "quality_checks": "Completeness of vital signs; outcome label plausibility.",
            "quality_results": "Vital signs 97% complete; 0.4% implausible outcomes dropped.",
            "known_biases": "Few paediatric cases; rural sites under-represented.",
            "retention": "Until model retirement plus two years.",
        },
    ),
    (
        "DS-003",
        {
            "name": "Live triage intake answers",
            "version": "live",
            "source": "internal",
            "provenance": "Triage intake form.",
            "contains_personal_data": True,
            "contains_special_category_data": True,
            "legal_basis": "public_task",
            "retention": "Part of the patient record (8 years).",
        },
    ),
    (
        "DS-004",
        {
            "name": "Chatbot knowledge base",
            "version": "2025-10",
            "source": "internal",
            "provenance": "Approved FAQ pages and service directory.",
            "licence": "Internal",
            "quality_checks": "Monthly content review by Patient Services.",
            "quality_results": "Last review found 3 outdated opening hours, corrected.",
        },
    ),
    (
        "DS-005",
        {
            "name": "Claims history 2016–2024",
            "version": "5",
            "source": "internal",
            "provenance": "Claims platform.",
            "contains_personal_data": True,
            "legal_basis": "legal_obligation",
            "known_biases": "Fraud labels reflect past investigation choices (selection bias).",
            "retention": "Seven years.",
        },
    ),
    (
        "DS-006",
        {
            "name": "Pharmacy dispensing volumes",
            "version": "weekly",
            "source": "internal",
            "provenance": "Pharmacy stock system.",
        },
    ),
    (
        "DS-007",
        {
            "name": "Outpatient attendance 2021–2024",
            "version": "1",
            "source": "internal",
            "provenance": "Patient administration system.",
            "contains_personal_data": True,
            "legal_basis": "public_task",
            "known_biases": "Deprivation index correlates with no-shows; risk of unfair targeting.",
        },
    ),
]

NORTHWIND_MODELS = [
    # (model ref, fields, versions [(label, approval, deployed systems, training datasets, metrics)])
    (
        "MDL-001",
        {"name": "TalentScreen ranker", "model_type": "Gradient-boosted ranking model"},
        [
            (
                "2.3",
                "approved",
                ["AIS-001"],
                ["DS-001"],
                [
                    ("AUC", 0.86, 0.80, "gte"),
                    ("Selection-rate ratio (gender)", 0.91, 0.80, "gte"),
                    ("Selection-rate ratio (age 55+)", 0.77, 0.80, "gte"),
                ],
            ),
        ],
    ),
    (
        "MDL-002",
        {"name": "Triage urgency classifier", "model_type": "Calibrated logistic regression"},
        [
            (
                "0.9",
                "restricted",
                ["AIS-002"],
                ["DS-002"],
                [
                    ("Sensitivity (urgent)", 0.94, 0.95, "gte"),
                    ("Specificity", 0.81, 0.70, "gte"),
                    ("Calibration error", 0.03, 0.05, "lte"),
                ],
            ),
        ],
    ),
    (
        "MDL-003",
        {"name": "Claims anomaly detector", "model_type": "Isolation forest + rules"},
        [
            (
                "4.1",
                "approved",
                ["AIS-004"],
                ["DS-005"],
                [("Precision@100", 0.62, 0.50, "gte"), ("Population stability index", 0.18, 0.20, "lte")],
            ),
        ],
    ),
]

NORTHWIND_CONTEXT = [
    (
        "CTX-001",
        {
            "title": "EU AI Act high-risk obligations approaching",
            "kind": "external",
            "description": "Annex III obligations apply to our CV ranking and triage systems.",
            "effect_on_aims": "Requires a risk management system, technical documentation and human "
            "oversight evidence for two systems.",
        },
    ),
    (
        "CTX-002",
        {
            "title": "Clinical safety culture",
            "kind": "internal",
            "description": "Established DCB0129/0160 clinical safety processes in Clinical Systems.",
            "effect_on_aims": "AI risk assessment can reuse clinical hazard logs.",
        },
    ),
    (
        "CTX-003",
        {
            "title": "Reliance on hosted LLM providers",
            "kind": "external",
            "description": "Generative AI capabilities depend on one hyperscaler.",
            "effect_on_aims": "Supplier monitoring and exit planning are needed (A.10).",
        },
    ),
    (
        "CTX-004",
        {
            "title": "Data science team of six",
            "kind": "internal",
            "description": "Small central team builds all in-house models.",
            "effect_on_aims": "Competence and segregation of duties for model validation are limited.",
        },
    ),
]

NORTHWIND_PARTIES = [
    (
        "IP-001",
        {
            "name": "Patients and the public",
            "kind": "external",
            "requirements": "Safe care, fair treatment, clear information when AI is used.",
            "addressed": True,
            "how_addressed": "Transparency notices, human oversight, concern reporting route.",
        },
    ),
    (
        "IP-002",
        {
            "name": "Care Quality Commission",
            "kind": "external",
            "requirements": "Safe, effective services; governance of digital clinical tools.",
            "addressed": True,
            "how_addressed": "Clinical safety cases for clinical AI; AIMS reports to the board.",
        },
    ),
    (
        "IP-003",
        {
            "name": "Information Commissioner's Office",
            "kind": "external",
            "requirements": "UK GDPR compliance, DPIAs for high-risk processing.",
            "addressed": True,
            "how_addressed": "DPIA combined with the AI impact assessment.",
        },
    ),
    (
        "IP-004",
        {
            "name": "Job applicants",
            "kind": "external",
            "requirements": "Fair, explainable recruitment decisions.",
            "addressed": False,
        },
    ),
    (
        "IP-005",
        {
            "name": "Staff and trade unions",
            "kind": "internal",
            "requirements": "Consultation before AI is used to manage work.",
            "addressed": False,
        },
    ),
]


def seed_registry(context) -> None:
    """Northwind's inventory, datasets, models, suppliers, scope and context; Contoso's credit scoring."""
    org = context.northwind
    officer = context.users["officer"]
    contributor = context.users["contributor"]
    suppliers = {
        ref: _get_or_create(
            Supplier, org, ref, officer, {**data, "owner": officer, "due_diligence_date": _days_ago(120)}
        )
        for ref, data in NORTHWIND_SUPPLIERS
    }
    datasets = {}
    for ref, data in NORTHWIND_DATASETS:
        data = {**data, "owner": contributor}
        if "supplier" in data:
            data["supplier"] = suppliers[data["supplier"]]
        datasets[ref] = _get_or_create(Dataset, org, ref, officer, data)
    systems = {}
    for index, (ref, data, usages, supplier_refs) in enumerate(NORTHWIND_SYSTEMS):
        owner = contributor if index % 3 == 0 else officer
        existing = AISystem.objects.filter(organisation=org, reference=ref).first()
        if existing is None:
            existing = services.ai_system_register(
                actor=officer,
                organisation=org,
                data={
                    "reference": ref,
                    **data,
                    "business_owner": owner,
                    "technical_owner": contributor,
                    "review_cadence_months": 12 if data.get("criticality") in ("high", "critical") else 24,
                    "last_reviewed": _days_ago(30 + index * 37),
                    "suppliers": [suppliers[s] for s in supplier_refs],
                },
            )
            for dataset_ref, purpose in usages:
                DatasetUsage.objects.get_or_create(
                    organisation=org, ai_system=existing, dataset=datasets[dataset_ref], purpose=purpose
                )
        systems[ref] = existing
    for ref, data, versions in NORTHWIND_MODELS:
        model = _get_or_create(AIModel, org, ref, officer, {**data, "owner": contributor})
        for label, approval, deployed, trained_on, metrics in versions:
            if ModelVersion.objects.filter(model=model, version_label=label).exists():
                continue
            version = create_record(
                ModelVersion,
                actor=officer,
                organisation=org,
                reason="Demo data",
                data={
                    "model": model,
                    "version_label": label,
                    "approval_status": approval,
                    "approved_by": officer if approval in ("approved", "restricted") else None,
                    "approved_at": timezone.now() - dt.timedelta(days=90) if approval != "proposed" else None,
                    "deployed_in": [systems[s] for s in deployed],
                    "training_datasets": [datasets[d] for d in trained_on],
                },
            )
            for name, value, threshold, comparison in metrics:
                create_record(
                    ModelMetric,
                    actor=officer,
                    organisation=org,
                    reason="Demo data",
                    data={
                        "model_version": version,
                        "name": name,
                        "value": value,
                        "threshold": threshold,
                        "comparison": comparison,
                    },
                )
    for ref, data in NORTHWIND_CONTEXT:
        _get_or_create(ContextIssue, org, ref, officer, {**data, "owner": officer, "next_review": _days_ago(-90)})
    for ref, data in NORTHWIND_PARTIES:
        _get_or_create(InterestedParty, org, ref, officer, {**data, "owner": officer})
    if not ScopeStatement.objects.filter(organisation=org).exists():
        create_record(
            ScopeStatement,
            actor=officer,
            organisation=org,
            reason="Demo data",
            data={
                "version": 1,
                "status": "approved",
                "approved_by": officer,
                "approved_at": timezone.now() - dt.timedelta(days=200),
                "boundaries": "All AI systems that Northwind Health develops, provides or deploys in patient care, "
                "patient services, workforce management, finance and supply chain in the UK and Ireland.",
                "units": "Urgent Care, Radiology, Clinical Systems, Patient Services, People & Culture, Workforce, "
                "Finance, Supply Chain, IT, Communications.",
                "locations": "Head office (Leeds); 14 urgent-care centres; cloud regions UK South and EU West.",
                "ai_roles": "Provider of in-house models (TalentScreen, triage, fraud, forecasting, no-show, rostering); "
                "deployer of supplier AI (speech-to-text, X-ray prioritisation, hosted LLM).",
                "exclusions": "Commodity AI features inside office software with no decisions about people (e.g. "
                "spam filtering): managed under the ISMS supplier controls.",
            },
        )
    _classify(org, officer, NORTHWIND_CLASSIFICATIONS)
    seed_contoso(context)


# The EU AI Act questionnaire answers of each Northwind system (classified by the officer).
NORTHWIND_CLASSIFICATIONS = {
    "AIS-001": {"operator_role": "provider", "annex_iii_point": "4(a)", "profiles_natural_persons": True},
    "AIS-002": {"operator_role": "provider", "annex_iii_point": "5(d)", "profiles_natural_persons": True},
    "AIS-003": {"operator_role": "deployer", "art50_cases": ["interacts_with_people", "generates_synthetic_content"]},
    "AIS-004": {"operator_role": "provider"},
    "AIS-005": {"operator_role": "provider"},
    "AIS-006": {"operator_role": "deployer"},
    "AIS-007": {
        "operator_role": "deployer",
        "annex_i_product": True,
        "annex_i_act": "medical_devices",
        "third_party_conformity": True,
    },
    "AIS-009": {"operator_role": "deployer", "art50_cases": ["generates_synthetic_content"]},
    "AIS-010": {"operator_role": "deployer", "art50_cases": ["generates_synthetic_content"]},
    "AIS-011": {"operator_role": "provider", "annex_iii_point": "4(b)", "profiles_natural_persons": True},
}


def _classify(organisation, actor, answers_by_reference) -> None:
    systems = AISystem.objects.filter(organisation=organisation, reference__in=answers_by_reference)
    for system in systems:
        if not system.classifications.exists():
            services.ai_system_classify(actor=actor, system=system, answers=answers_by_reference[system.reference])


def seed_contoso(context) -> None:
    org = context.contoso
    officer = context.users["officer2"]
    if not AISystem.objects.filter(organisation=org, reference="AIS-001").exists():
        _register_contoso_scoring(org, officer)
    _classify(
        org,
        officer,
        {"AIS-001": {"operator_role": "provider", "annex_iii_point": "5(b)", "profiles_natural_persons": True}},
    )


def _register_contoso_scoring(org, officer) -> None:
    services.ai_system_register(
        actor=officer,
        organisation=org,
        data={
            "reference": "AIS-001",
            "name": "Consumer credit scoring",
            "operator_role": "provider",
            "business_owner": officer,
            "business_unit": "Retail Lending",
            "description": "Scores personal-loan applications for creditworthiness.",
            "intended_purpose": "Decide credit limits and approve or decline consumer loans.",
            "intended_users": "Credit underwriters.",
            "affected_persons": "Loan applicants in Germany and Austria.",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": _days_ago(600),
            "ai_techniques": "machine_learning",
            "automation_level": "human_on_the_loop",
            "geography": "DE, AT",
            "criticality": "critical",
            "in_scope": True,
            "scope_justification": "Creditworthiness assessment: Annex III point 5(b).",
            "last_reviewed": _days_ago(400),
        },
    )
