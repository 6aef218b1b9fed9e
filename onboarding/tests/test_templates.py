"""The document-template library: shipped templates are complete and serve real requirements; instantiating
one drafts a policy with the organisation's details; organisations add their own."""

import pytest
from django.urls import reverse

from controls.constants import PolicyKind, PolicyStatus
from controls.models import Policy, Requirement
from onboarding import library, services
from onboarding.models import DocumentTemplate

EXPECTED = {
    "AI policy",
    "AI risk management procedure",
    "AI system impact assessment procedure",
    "Data governance for AI",
    "Responsible use of AI",
    "AI incident response and escalation procedure",
    "Supplier AI due-diligence questionnaire",
    "Model and system card",
    "Internal audit procedure",
    "Management review agenda",
    "Communication plan for the AI management system",
}


def test_the_library_has_every_starter_document_with_real_text(catalogue):
    templates = library.shipped_templates()
    assert {t.title for t in templates} == EXPECTED
    identifiers = set(
        Requirement.objects.filter(framework__key="iso42001", framework__organisation__isnull=True).values_list(
            "identifier", flat=True
        )
    )
    for template in templates:
        assert len(template.body.split()) > 250, template.key  # a document, not a placeholder
        assert template.requirements and set(template.requirements) <= identifiers, template.key


def test_instantiating_the_ai_policy_drafts_a_linked_policy(officer, members, org, catalogue):
    template = library.shipped_template("01-ai-policy")
    policy = services.template_instantiate(actor=officer, organisation=org, template=template, owner=members["admin"])
    assert policy.status == PolicyStatus.DRAFT and policy.kind == PolicyKind.AI_POLICY
    assert policy.owner == members["admin"]
    assert "Acme AI" in policy.body and "{{" not in policy.body
    assert set(policy.requirements.values_list("identifier", flat=True)) == {"5.2", "A.2.2", "A.2.3", "A.2.4"}


def test_instantiate_through_the_page(client_for, officer, org, catalogue):
    client = client_for(officer)
    assert client.get(reverse("onboarding:templates")).status_code == 200
    page = client.get(reverse("onboarding:template", args=["06-ai-incident-response"]))
    assert page.status_code == 200 and "Contain" in page.content.decode()
    r = client.post(
        reverse("onboarding:template", args=["06-ai-incident-response"]),
        {"title": "Incident procedure", "owner": officer.pk},
    )
    policy = Policy.objects.get(organisation=org)
    assert r.status_code == 302 and policy.title == "Incident procedure"
    assert client.get(reverse("onboarding:template", args=["no-such"])).status_code == 404


def test_a_viewer_reads_the_library_but_cannot_instantiate(client_for, members, catalogue):
    client = client_for(members["viewer"])
    assert client.get(reverse("onboarding:template", args=["01-ai-policy"])).status_code == 200
    r = client.post(
        reverse("onboarding:template", args=["01-ai-policy"]), {"title": "x", "owner": members["viewer"].pk}
    )
    assert r.status_code == 403


def test_own_templates_are_instantiated_and_stay_in_their_organisation(
    client_for, officer, outsider, org, other_org, catalogue
):
    client = client_for(officer)
    iso_52 = Requirement.objects.get(framework__key="iso42001", framework__organisation__isnull=True, identifier="5.2")
    r = client.post(
        reverse("onboarding:own-template-new"),
        {
            "title": "Acme AI charter",
            "kind": "topic",
            "body": "# Charter of {{ organisation }}\n\nOwned by {{ owner }}.",
            "requirements": [iso_52.pk],
        },
    )
    own = DocumentTemplate.objects.get(organisation=org)
    assert r.status_code == 302
    key = f"own-{own.pk}"
    policy = services.template_instantiate(
        actor=officer,
        organisation=org,
        template=next(t for t in __import__("onboarding.selectors").selectors.library_for(org) if t.key == key),
    )
    assert policy.body.startswith("# Charter of Acme AI") and list(policy.requirements.all()) == [iso_52]
    other = client_for(outsider)
    assert other.get(reverse("onboarding:template", args=[key])).status_code == 404
    assert other.get(reverse("onboarding:own-template-edit", args=[own.pk])).status_code == 404
    assert "Acme AI charter" not in other.get(reverse("onboarding:templates")).content.decode()


@pytest.mark.parametrize("body", ["", "   "])
def test_an_own_template_needs_text(officer, org, body):
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.document_template_create(actor=officer, organisation=org, data={"title": "x", "body": body})
