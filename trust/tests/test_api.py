"""The trust centre's API: concerns (read, triage by officers) and the trust page's settings."""

import pytest

from aims.concurrency import etag_for
from trust import services
from trust.models import Concern, TrustPage
from trust.tests.factories import ConcernFactory, TrustPageFactory


@pytest.fixture
def concern(org):
    return ConcernFactory(organisation=org, what_happened="The chatbot was rude.")


def test_members_list_and_read_their_own_organisations_concerns_only(api_for, members, org, other_org, concern):
    ConcernFactory(organisation=other_org, what_happened="Globex secret")
    api = api_for(members["viewer"], org)
    listed = api.get("/api/v1/concerns/")
    assert listed.status_code == 200
    assert [row["reference"] for row in listed.json()["results"]] == [concern.reference]
    detail = api.get(f"/api/v1/concerns/{concern.pk}/")
    assert detail.status_code == 200 and detail.json()["what_happened"] == "The chatbot was rude."
    assert detail["ETag"]
    assert api.get(f"/api/v1/concerns/{Concern.objects.get(organisation=other_org).pk}/").status_code == 404


def test_an_officer_triages_a_concern_into_a_risk_once(api_for, members, org, concern):
    api = api_for(members["officer"], org)
    response = api.post(
        f"/api/v1/concerns/{concern.pk}/triage/", {"into": "risk", "note": "Tone of the model"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "triaged" and body["triaged_into"] == "risk" and body["risk"].startswith("RSK")
    again = api.post(f"/api/v1/concerns/{concern.pk}/triage/", {"into": "incident"}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor", "admin"])
def test_other_roles_cannot_triage(api_for, members, org, concern, role):
    response = api_for(members[role], org).post(f"/api/v1/concerns/{concern.pk}/triage/", {"into": "none"})
    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.status == Concern.Status.NEW


def test_triage_needs_a_valid_choice_and_honours_if_match(api_for, members, org, concern):
    api = api_for(members["owner"], org)
    bad = api.post(f"/api/v1/concerns/{concern.pk}/triage/", {"into": "shrug"}, format="json")
    assert bad.status_code == 400 and "into" in bad.json()
    stale = api.post(f"/api/v1/concerns/{concern.pk}/triage/", {"into": "none"}, format="json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412
    etag = api.get(f"/api/v1/concerns/{concern.pk}/")["ETag"]
    assert etag == etag_for(Concern.objects.get(pk=concern.pk))
    fresh = api.post(f"/api/v1/concerns/{concern.pk}/triage/", {"into": "none"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200 and fresh.json()["status"] == "closed"


def test_the_trust_page_is_read_and_changed_through_the_api(api_for, members, org):
    api = api_for(members["owner"], org)
    listed = api.get("/api/v1/trust-pages/")
    assert listed.status_code == 200 and len(listed.json()) == 1
    page = listed.json()[0]
    assert page["published"] is False  # created unpublished
    url = f"/api/v1/trust-pages/{page['id']}/"
    etag = api.get(url)["ETag"]
    changed = api.patch(
        url,
        {"published": True, "policy_summary": "We use AI with care.", "publish_policy_summary": True},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.content
    assert api.patch(url, {"published": False}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    stored = TrustPage.objects.get(organisation=org)
    assert stored.published and stored.publish_policy_summary


def test_trust_page_bad_input_is_400_with_field_errors(api_for, members, org, other_org):
    TrustPageFactory(organisation=other_org, slug="taken")
    api = api_for(members["officer"], org)
    page = services.trust_page_ensure(org)
    url = f"/api/v1/trust-pages/{page.pk}/"
    taken = api.patch(url, {"slug": "taken"}, format="json")
    assert taken.status_code == 400 and "slug" in taken.json()
    dates = api.patch(
        url, {"certificate_valid_from": "2026-05-01", "certificate_valid_until": "2026-01-01"}, format="json"
    )
    assert dates.status_code == 400 and "certificate_valid_until" in dates.json()
    assert api.patch(url, {"contact_email": "nope"}, format="json").status_code == 400


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor", "admin"])
def test_roles_without_officer_rights_read_but_cannot_change_the_page(api_for, members, org, role):
    page = services.trust_page_ensure(org)
    api = api_for(members[role], org)
    assert api.get(f"/api/v1/trust-pages/{page.pk}/").status_code == 200
    assert api.patch(f"/api/v1/trust-pages/{page.pk}/", {"published": True}, format="json").status_code == 403
    page.refresh_from_db()
    assert not page.published


def test_a_read_only_token_cannot_change_the_page(api_for, members, org):
    page = services.trust_page_ensure(org)
    api = api_for(members["owner"], org, read_only=True)
    assert api.patch(f"/api/v1/trust-pages/{page.pk}/", {"published": True}, format="json").status_code == 403
