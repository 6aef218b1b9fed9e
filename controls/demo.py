"""Demo catalogue data: Northwind's own customer questionnaire and a few mappings labelled as theirs.

Idempotent: the questionnaire is looked up by its key and the mappings by their two ends, so
``seed_demo`` can run at every start. The shipped catalogue itself comes from the data migration.
"""

from controls import services
from controls.catalogue import load_catalogue
from controls.models import Framework, Requirement, RequirementMapping

QUESTIONNAIRE_KEY = "nw-hospital-dd"
QUESTIONNAIRE_CSV = """identifier,title,parent identifier,guidance,kind,assessable
S1,Governance of AI,,How the supplier governs the AI it sells us.,section,no
S1.1,Named owner for each AI product,S1,A person accountable for the product's behaviour and its risks.,question,yes
S1.2,AI policy shared with customers,S1,Send the current policy and say when it was last reviewed.,question,yes
S2,Data and models,,How training and test data are chosen and checked.,section,no
S2.1,Training data quality checks,S2,"Describe the checks for completeness, bias and labelling errors.",question,yes
S2.2,Monitoring after go-live,S2,"How drift and errors are detected in production, and how fast we hear about them.",question,yes
S3,Incidents,,,section,no
S3.1,Incident notification within 72 hours,S3,Who tells us and how soon when the AI misbehaves.,question,yes
"""
# (from framework, identifier, to framework, identifier, relationship, note)
OWN_MAPPINGS = [
    (QUESTIONNAIRE_KEY, "S1.2", "iso42001", "A.2.2", "related", "Answered with our AI policy."),
    (QUESTIONNAIRE_KEY, "S2.1", "iso42001", "A.7.4", "intersects", "Our data-quality control covers this."),
    (QUESTIONNAIRE_KEY, "S2.2", "iso42001", "A.6.2.6", "intersects", ""),
    (QUESTIONNAIRE_KEY, "S3.1", "iso42001", "A.8.4", "related", "The hospital asks for 72 hours; our plan says 48."),
    (
        "iso42001",
        "A.6.2.8",
        "eu_ai_act",
        "Art. 12",
        "related",
        "Our own reading for high-risk systems; no published ISO/IEC 42001 to AI Act crosswalk exists.",
    ),
]


def seed_catalogue(context) -> None:
    if Framework.objects.shipped().count() < 5:
        load_catalogue()
    org, officer = context.northwind, context.users["officer"]
    questionnaire = Framework.objects.own(org).filter(key=QUESTIONNAIRE_KEY).first()
    if questionnaire is None:
        questionnaire = services.framework_create(
            actor=officer,
            organisation=org,
            data={
                "key": QUESTIONNAIRE_KEY,
                "name": "Hospital customer AI due-diligence questionnaire",
                "version": "2026",
                "publisher": "St Elsewhere Hospital Trust",
                "description": "The questions our largest hospital customer asks every AI supplier each year.",
            },
        )
        services.requirements_import(actor=officer, framework=questionnaire, content=QUESTIONNAIRE_CSV.encode())
    visible = Requirement.objects.visible_to(officer, org)
    for source_fw, source_id, target_fw, target_id, relationship, note in OWN_MAPPINGS:
        source = visible.filter(framework__key=source_fw, identifier=source_id).first()
        target = visible.filter(framework__key=target_fw, identifier=target_id).first()
        if source is None or target is None:
            continue
        if RequirementMapping.objects.own(org).filter(source=source, target=target).exists():
            continue
        services.mapping_create(
            actor=officer,
            organisation=org,
            data={"source": source, "target": target, "relationship": relationship, "note": note},
        )
