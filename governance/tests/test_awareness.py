"""Policy acknowledgements (clause 7.3): who must acknowledge the approved version of a policy, and who has."""

import pytest

from aims.services import ServiceError
from controls import services as controls_services
from governance import services
from governance.awareness import acknowledgement_requests_for_policy, acknowledgements_waiting_for
from governance.models import Acknowledgement, AcknowledgementRequirement
from governance.tests.factories import AimsRoleFactory, PolicyFactory, RoleAssignmentFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(org):
    return PolicyFactory(organisation=org, reference="POL-001", title="AI policy")


@pytest.fixture
def requirement(org, officer, policy):
    role = AimsRoleFactory(organisation=org, name="Data steward")
    RoleAssignmentFactory(role=role, member=member_of(org, "priya"))
    return services.acknowledgement_requirement_create(
        actor=officer,
        organisation=org,
        data={"policy_reference": "POL-001", "aims_roles": [role], "membership_roles": "officer", "due_days": 14},
    )


def _usernames(lines):
    return sorted(line.member.username for line in lines)


def test_members_in_the_chosen_roles_must_acknowledge(requirement, policy, officer):
    status = acknowledgement_requests_for_policy(policy)
    assert _usernames(status.lines) == sorted(["priya", officer.username])
    assert status.done == 0 and status.required == 2
    services.policy_acknowledge(actor=officer, policy=policy)
    status = acknowledgement_requests_for_policy(policy)
    assert _usernames(status.acknowledged) == [officer.username]
    assert _usernames(status.pending) == ["priya"]
    assert status.share == 50


def test_a_newly_approved_version_must_be_acknowledged_again(requirement, policy, officer):
    services.policy_acknowledge(actor=officer, policy=policy)
    draft = controls_services.policy_new_version(actor=officer, policy=policy)
    controls_services.policy_approve(actor=officer, policy=draft)
    status = acknowledgement_requests_for_policy(policy)  # any version leads to the approved one
    assert status.policy.pk == draft.pk and status.policy.version == 2
    assert status.done == 0
    assert Acknowledgement.objects.count() == 1  # the acknowledgement of version 1 stays on record


def test_only_the_approved_version_is_acknowledged_and_only_once(requirement, policy, officer, org):
    services.policy_acknowledge(actor=officer, policy=policy)
    with pytest.raises(ServiceError) as exc:
        services.policy_acknowledge(actor=officer, policy=policy)
    assert exc.value.conflict
    draft = PolicyFactory(organisation=org, reference="POL-002", status="draft")
    with pytest.raises(ServiceError):
        services.policy_acknowledge(actor=officer, policy=draft)


def test_member_of_another_organisation_cannot_acknowledge(requirement, policy, outsider):
    with pytest.raises(ServiceError):
        services.policy_acknowledge(actor=outsider, policy=policy)


def test_requirement_validation(org, officer, policy):
    with pytest.raises(ServiceError) as exc:
        services.acknowledgement_requirement_create(
            actor=officer,
            organisation=org,
            data={"policy_reference": "POL-404", "membership_roles": "wizard", "due_days": 0},
        )
    assert {"policy_reference", "membership_roles", "due_days"} <= set(exc.value.message_dict)
    with pytest.raises(ServiceError) as exc:
        services.acknowledgement_requirement_create(
            actor=officer, organisation=org, data={"policy_reference": "POL-001", "due_days": 10}
        )
    assert "aims_roles" in exc.value.message_dict
    assert not AcknowledgementRequirement.objects.exists()


def test_requirement_refuses_roles_of_another_organisation(org, other_org, officer, policy):
    foreign = AimsRoleFactory(organisation=other_org)
    with pytest.raises(ServiceError):
        services.acknowledgement_requirement_create(
            actor=officer, organisation=org, data={"policy_reference": "POL-001", "aims_roles": [foreign]}
        )


def test_waiting_for_lists_only_what_the_member_owes(requirement, officer, org, members):
    assert [s.policy.reference for s in acknowledgements_waiting_for(user=officer, organisation=org)] == ["POL-001"]
    assert acknowledgements_waiting_for(user=members["viewer"], organisation=org) == []


# --- Pages -------------------------------------------------------------------------------------------------


def test_page_shows_who_has_and_has_not_and_the_member_acknowledges(client_for, requirement, officer, policy):
    client = client_for(officer)
    page = client.get("/governance/acknowledgements/").content.decode()
    assert 'data-testid="waiting-for-you"' in page and "0 of 2" in page
    response = client.post(f"/governance/acknowledgements/{requirement.pk}/acknowledge/")
    assert response.status_code == 302
    page = client.get(f"/governance/acknowledgements/{requirement.pk}/").content.decode()
    assert "You acknowledged it" in page and "priya" not in page.split('data-testid="ack-done"')[1]


def test_acknowledge_redirect_stays_on_this_site(client_for, requirement, officer):
    response = client_for(officer).post(
        f"/governance/acknowledgements/{requirement.pk}/acknowledge/", {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url.startswith("/governance/")


def test_viewer_may_acknowledge_for_themselves(client_for, org, officer, policy, members):
    requirement = services.acknowledgement_requirement_create(
        actor=officer, organisation=org, data={"policy_reference": "POL-001", "membership_roles": "viewer"}
    )
    client_for(members["viewer"]).post(f"/governance/acknowledgements/{requirement.pk}/acknowledge/")
    assert Acknowledgement.objects.get().member == members["viewer"]


def test_requirement_form_validates(client_for, officer, org, policy):
    client = client_for(officer)
    response = client.post("/governance/acknowledgements/new/", {"policy_reference": "POL-001", "due_days": "30"})
    assert response.status_code == 200 and "Choose at least one" in response.content.decode()
    response = client.post(
        "/governance/acknowledgements/new/",
        {"policy_reference": "POL-001", "membership_roles": ["officer", "contributor"], "due_days": "30"},
    )
    assert response.status_code == 302
    assert AcknowledgementRequirement.objects.get().membership_roles == "officer,contributor"


def test_acknowledgement_export(client_for, requirement, officer, policy):
    services.policy_acknowledge(actor=officer, policy=policy)
    content = b"".join(client_for(officer).get("/governance/acknowledgements/?export=csv").streaming_content)
    assert officer.username in content.decode()


# --- API ---------------------------------------------------------------------------------------------------


def test_api_status_and_self_acknowledgement(api_for, requirement, officer, org, members):
    api = api_for(officer, org)
    status = api.get(f"/api/v1/acknowledgement-requirements/{requirement.pk}/status/").json()
    assert status["required"] == 2 and status["done"] == 0
    response = api.post("/api/v1/acknowledgements/", {"policy": "POL-001"}, format="json")
    assert response.status_code == 201 and response.json()["member"] == officer.username
    assert api.post("/api/v1/acknowledgements/", {"policy": "POL-001"}, format="json").status_code == 409
    assert api.post("/api/v1/acknowledgements/", {"policy": "POL-404"}, format="json").status_code == 404
    assert api.post("/api/v1/acknowledgements/", {}, format="json").status_code == 400
    status = api.get(f"/api/v1/acknowledgement-requirements/{requirement.pk}/status/").json()
    assert status["done"] == 1
    # A viewer may acknowledge for themselves, but not change who must.
    viewer = api_for(members["viewer"], org)
    assert viewer.post("/api/v1/acknowledgements/", {"policy": "POL-001"}, format="json").status_code == 201
    assert viewer.delete(f"/api/v1/acknowledgement-requirements/{requirement.pk}/").status_code == 403


def test_api_requirement_bad_input_is_400(api_for, officer, org, policy):
    response = api_for(officer, org).post(
        "/api/v1/acknowledgement-requirements/",
        {"policy": "POL-001", "membership_roles": ["wizard"], "due_days": -1},
        format="json",
    )
    assert response.status_code == 400
    assert {"membership_roles", "due_days"} <= set(response.json())


def test_policy_page_has_an_acknowledgements_tab(client_for, requirement, officer, policy):
    page = client_for(officer).get(f"/controls/policies/{policy.pk}/?tab=acknowledgements").content.decode()
    assert 'data-testid="policy-acknowledgements"' in page and "0 of 2" in page
    assert "I have read it and acknowledge it" in page


def test_policy_without_requirement_offers_to_choose_who_must(client_for, officer, org):
    policy = PolicyFactory(organisation=org, reference="POL-007")
    page = client_for(officer).get(f"/controls/policies/{policy.pk}/?tab=acknowledgements").content.decode()
    assert "/governance/acknowledgements/new/?policy=POL-007" in page
