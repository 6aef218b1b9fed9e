"""The guided setup's and the template library's API."""

import pytest

from controls.models import Policy
from onboarding import selectors, services
from onboarding.models import DocumentTemplate


def test_setup_progress_shows_the_steps_and_the_gap_analysis_readiness(api_for, members, org, catalogue):
    api = api_for(members["owner"], org)
    response = api.get("/api/v1/setup-progress/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [step["key"] for step in body["steps"]] == ["scope", "systems", "classify", "gap", "roadmap"]
    assert body["steps_done"] == 0
    readiness = selectors.certification_readiness(user=members["owner"], organisation=org)
    assert body["readiness"]["percent"] == readiness.percent
    assert body["readiness"]["framework"] == "iso42001"


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor"])
def test_setup_progress_is_for_those_who_run_the_setup(api_for, members, org, role):
    assert api_for(members[role], org).get("/api/v1/setup-progress/").status_code == 403


def test_templates_are_listed_read_and_instantiated(api_for, members, org, catalogue):
    api = api_for(members["owner"], org)
    listed = api.get("/api/v1/document-templates/")
    assert listed.status_code == 200
    keys = [row["key"] for row in listed.json()]
    assert "01-ai-policy" in keys and len(keys) == 11
    detail = api.get("/api/v1/document-templates/01-ai-policy/")
    assert detail.status_code == 200 and "{{ organisation }}" in detail.json()["body"]

    created = api.post(
        "/api/v1/document-templates/01-ai-policy/instantiate/",
        {"title": "Our AI policy", "owner": members["officer"].username},
        format="json",
        HTTP_IDEMPOTENCY_KEY="first-policy",
    )
    assert created.status_code == 201, created.content
    policy = Policy.objects.get(pk=created.json()["id"])
    assert policy.title == "Our AI policy" and policy.owner == members["officer"] and policy.status == "draft"
    assert org.name in policy.body
    replay = api.post(
        "/api/v1/document-templates/01-ai-policy/instantiate/",
        {"title": "Our AI policy", "owner": members["officer"].username},
        format="json",
        HTTP_IDEMPOTENCY_KEY="first-policy",
    )
    assert replay.status_code == 201 and replay.json()["id"] == str(policy.pk)
    assert Policy.objects.filter(organisation=org).count() == 1


def test_instantiate_bad_input_unknown_template_and_roles(api_for, members, org, other_org, outsider, catalogue):
    api = api_for(members["officer"], org)
    bad = api.post("/api/v1/document-templates/01-ai-policy/instantiate/", {"owner": "nobody"}, format="json")
    assert bad.status_code == 400 and "owner" in bad.json()
    assert api.post("/api/v1/document-templates/no-such/instantiate/", {}, format="json").status_code == 404
    foreign = services.document_template_create(
        actor=outsider, organisation=other_org, data={"title": "Globex secret", "body": "Text"}
    )
    assert api.get(f"/api/v1/document-templates/{foreign.key}/").status_code == 404
    assert api.post(f"/api/v1/document-templates/{foreign.key}/instantiate/", {}, format="json").status_code == 404
    viewer = api_for(members["viewer"], org)
    assert viewer.get("/api/v1/document-templates/").status_code == 200
    assert viewer.post("/api/v1/document-templates/01-ai-policy/instantiate/", {}, format="json").status_code == 403
    read_only = api_for(members["owner"], org, read_only=True)
    assert read_only.post("/api/v1/document-templates/01-ai-policy/instantiate/", {}, format="json").status_code == 403
    assert not Policy.objects.filter(organisation=org).exists()
    assert DocumentTemplate.objects.filter(organisation=org).count() == 0
