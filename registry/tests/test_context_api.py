"""The API of the AIMS scope and context registers (clause 4), and its query budgets."""

import pytest

from registry.constants import ScopeStatus
from registry.models import ContextIssue, InterestedParty, ScopeStatement
from registry.tests.factories import ContextIssueFactory, InterestedPartyFactory, ScopeStatementFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

SCOPES = "/api/v1/scope-statements/"
ISSUES = "/api/v1/context-issues/"
PARTIES = "/api/v1/interested-parties/"
SCOPE_TEXT = {
    "boundaries": "All AI systems in lending.",
    "units": "Lending",
    "locations": "Madrid",
    "ai_roles": "Provider of the credit model",
    "exclusions": "",
}


# --- Scope statements ---------------------------------------------------------------------------------


def test_scope_draft_edit_approve_and_supersede(api_for, officer, org):
    api = api_for(officer, org)

    created = api.post(SCOPES, {**SCOPE_TEXT, "status": "approved", "version": 8}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["version"], body["status"], body["approved_by"]) == (1, "draft", None)
    first = body["id"]

    patched = api.patch(f"{SCOPES}{first}/", {"locations": "Madrid, Seville"}, format="json")
    assert patched.status_code == 200 and patched.json()["locations"] == "Madrid, Seville"

    approved = api.post(f"{SCOPES}{first}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == officer.username and approved.json()["approved_at"]

    second = api.post(SCOPES, SCOPE_TEXT, format="json").json()
    assert second["version"] == 2
    assert api.post(f"{SCOPES}{second['id']}/approve/").status_code == 200

    statuses = dict(ScopeStatement.objects.values_list("version", "status"))
    assert statuses == {1: ScopeStatus.SUPERSEDED, 2: ScopeStatus.APPROVED}
    assert api.get(f"{SCOPES}current/").json()["version"] == 2
    assert api.get(f"{SCOPES}?status=superseded").json()["results"][0]["version"] == 1
    assert api.get(f"{SCOPES}?search=lending").json()["count"] == 2


def test_current_scope_is_404_before_any_approval(api_for, officer, org):
    ScopeStatementFactory(organisation=org)

    assert api_for(officer, org).get(f"{SCOPES}current/").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch"])
def test_editing_an_approved_scope_is_409(api_for, officer, org, method):
    scope = ScopeStatementFactory(organisation=org, status=ScopeStatus.APPROVED, boundaries="Kept")

    response = getattr(api_for(officer, org), method)(f"{SCOPES}{scope.pk}/", SCOPE_TEXT, format="json")

    assert response.status_code == 409
    scope.refresh_from_db()
    assert scope.boundaries == "Kept"


def test_second_draft_and_re_approval_are_409(api_for, officer, org):
    api = api_for(officer, org)
    approved = ScopeStatementFactory(organisation=org, status=ScopeStatus.APPROVED)
    ScopeStatementFactory(organisation=org)

    assert api.post(SCOPES, SCOPE_TEXT, format="json").status_code == 409
    assert api.post(f"{SCOPES}{approved.pk}/approve/").status_code == 409
    assert api.delete(f"{SCOPES}{approved.pk}/").status_code == 409
    assert ScopeStatement.objects.count() == 2


@pytest.mark.parametrize("payload", [{}, {"boundaries": ""}, {"boundaries": "   "}, {"boundaries": ["not", "text"]}])
def test_scope_without_boundaries_is_400_with_field_error(api_for, officer, org, payload):
    response = api_for(officer, org).post(SCOPES, payload, format="json")

    assert response.status_code == 400
    assert "boundaries" in response.json()
    assert not ScopeStatement.objects.exists()


@pytest.mark.parametrize("role", ["admin", "contributor", "auditor", "viewer"])
def test_approve_needs_the_approve_permission(api_for, members, org, role):
    draft = ScopeStatementFactory(organisation=org)

    response = api_for(members[role], org).post(f"{SCOPES}{draft.pk}/approve/")

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ScopeStatus.DRAFT


def test_read_only_token_cannot_write_or_approve(api_for, officer, org):
    api = api_for(officer, org, read_only=True)
    draft = ScopeStatementFactory(organisation=org)
    issue = ContextIssueFactory(organisation=org)

    assert api.get(SCOPES).status_code == 200
    assert api.post(f"{SCOPES}{draft.pk}/approve/").status_code == 403
    assert api.post(SCOPES, SCOPE_TEXT, format="json").status_code == 403
    assert api.patch(f"{SCOPES}{draft.pk}/", {"units": "x"}, format="json").status_code == 403
    assert api.post(ISSUES, {"title": "x"}, format="json").status_code == 403
    assert api.delete(f"{ISSUES}{issue.pk}/").status_code == 403
    assert api.post(PARTIES, {"name": "x"}, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == ScopeStatus.DRAFT


def test_outsider_gets_404_on_every_object(api_for, outsider, other_org, org):
    api = api_for(outsider, other_org)
    scope = ScopeStatementFactory(organisation=org)
    issue = ContextIssueFactory(organisation=org)
    party = InterestedPartyFactory(organisation=org)

    for url in (f"{SCOPES}{scope.pk}/", f"{ISSUES}{issue.pk}/", f"{PARTIES}{party.pk}/"):
        assert api.get(url).status_code == 404, url
        assert api.patch(url, {"title": "x", "name": "x", "boundaries": "x"}, format="json").status_code == 404, url
        assert api.delete(url).status_code == 404, url
    assert api.post(f"{SCOPES}{scope.pk}/approve/").status_code == 404
    assert api.get(SCOPES).json()["count"] == 0
    assert api.get(ISSUES).json()["count"] == 0
    assert api.get(PARTIES).json()["count"] == 0
    scope.refresh_from_db()
    assert scope.status == ScopeStatus.DRAFT


# --- Context issues and interested parties ---------------------------------------------------------------


def test_context_issue_crud(api_for, officer, members, org):
    api = api_for(officer, org)

    created = api.post(
        ISSUES,
        {"title": "Skills gap", "kind": "internal", "owner": officer.username, "next_review": "2030-01-31"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["reference"], body["owner"], body["kind"]) == ("CTX-001", officer.username, "internal")
    url = f"{ISSUES}{body['id']}/"

    changed = api.patch(url, {"owner": members["contributor"].username, "effect_on_aims": "Slower reviews"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["owner"] == members["contributor"].username

    assert api.get(url).json()["effect_on_aims"] == "Slower reviews"
    assert api.delete(url).status_code == 204
    assert not ContextIssue.objects.exists()
    reasons = set(ContextIssue.history.values_list("history_change_reason", flat=True))
    assert {"Recorded", "Edited through the API", "Deleted"} <= reasons


def test_context_issue_filters_search_and_ordering(api_for, officer, org):
    api = api_for(officer, org)
    ContextIssueFactory(organisation=org, title="Budget cuts", kind="internal", owner=officer)
    ContextIssueFactory(organisation=org, title="New AI regulation", kind="external")

    assert [r["title"] for r in api.get(f"{ISSUES}?kind=internal").json()["results"]] == ["Budget cuts"]
    assert [r["title"] for r in api.get(f"{ISSUES}?search=regulation").json()["results"]] == ["New AI regulation"]
    assert [r["title"] for r in api.get(f"{ISSUES}?owner={officer.pk}").json()["results"]] == ["Budget cuts"]
    titles = [r["title"] for r in api.get(f"{ISSUES}?ordering=-title").json()["results"]]
    assert titles == ["New AI regulation", "Budget cuts"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": "x", "kind": "sideways"}, "kind"),
        ({"title": "x", "owner": "nobody"}, "owner"),
        ({"title": "x", "next_review": "31/01/2030"}, "next_review"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_context_issue_bad_input_is_400_with_field_errors(api_for, officer, org, payload, field):
    response = api_for(officer, org).post(ISSUES, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ContextIssue.objects.exists()


def test_context_issue_taken_reference_is_400_on_reference(api_for, officer, org):
    ContextIssueFactory(organisation=org, reference="CTX-003")

    response = api_for(officer, org).post(ISSUES, {"title": "Dup", "reference": "CTX-003"}, format="json")

    assert response.status_code == 400
    assert "reference" in response.json()


def test_owner_from_another_organisation_is_400(api_for, officer, outsider, org):
    response = api_for(officer, org).post(ISSUES, {"title": "x", "owner": outsider.username}, format="json")

    assert response.status_code == 400 and "owner" in response.json()


def test_interested_party_crud_and_addressed_rule(api_for, officer, org):
    api = api_for(officer, org)

    refused = api.post(PARTIES, {"name": "Customers", "addressed": True}, format="json")
    assert refused.status_code == 400 and "how_addressed" in refused.json()
    assert not InterestedParty.objects.exists()

    created = api.post(PARTIES, {"name": "Customers", "requirements": "Explanations"}, format="json")
    assert created.status_code == 201, created.content
    url = f"{PARTIES}{created.json()['id']}/"
    assert created.json()["reference"] == "IP-001"

    assert api.patch(url, {"addressed": True}, format="json").status_code == 400
    done = api.patch(url, {"addressed": True, "how_addressed": "Explanation notices"}, format="json")
    assert done.status_code == 200 and done.json()["addressed"] is True

    assert [r["name"] for r in api.get(f"{PARTIES}?addressed=true").json()["results"]] == ["Customers"]
    assert api.get(f"{PARTIES}?addressed=false").json()["count"] == 0
    assert api.get(f"{PARTIES}?search=explanation").json()["count"] == 1
    assert api.delete(url).status_code == 204


def test_viewer_cannot_write_through_the_api(api_for, members, org):
    api = api_for(members["viewer"], org)
    party = InterestedPartyFactory(organisation=org)

    assert api.get(PARTIES).status_code == 200
    assert api.post(PARTIES, {"name": "x"}, format="json").status_code == 403
    assert api.patch(f"{PARTIES}{party.pk}/", {"name": "y"}, format="json").status_code == 403
    assert api.delete(f"{PARTIES}{party.pk}/").status_code == 403
    assert api.post(SCOPES, SCOPE_TEXT, format="json").status_code == 403


# --- Query budgets ----------------------------------------------------------------------------------------


def test_list_endpoints_cost_the_same_queries_for_5_and_50_rows(api_for, officer, members, org):
    owners = [officer, members["contributor"], members["viewer"]]

    def make(n):
        for i in range(n):
            ScopeStatementFactory(organisation=org, status=ScopeStatus.SUPERSEDED, approved_by=owners[i % 3])
            ContextIssueFactory(organisation=org, owner=owners[i % 3])
            InterestedPartyFactory(organisation=org, owner=owners[i % 3])

    api = api_for(officer, org)
    assert_queries_do_not_grow(make, [(api, SCOPES), (api, ISSUES), (api, PARTIES)])
