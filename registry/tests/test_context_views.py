"""The pages of the AIMS scope and context registers (clause 4): scope page, registers, isolation, budgets."""

import json

import pytest

from registry.constants import ScopeStatus
from registry.models import ContextIssue, InterestedParty, ScopeStatement
from registry.tests.factories import (
    AISystemFactory,
    ContextIssueFactory,
    InterestedPartyFactory,
    ScopeStatementFactory,
)
from registry.tests.test_context import SCOPE_TEXT, approved_scope
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


# --- The scope page -----------------------------------------------------------------------------------


def test_scope_page_shows_current_scope_and_systems_in_and_out_with_justifications(client_for, org, officer):
    approved_scope(org, officer)
    inside = AISystemFactory(organisation=org, name="Claims triage", scope_justification="Decides claim priority.")
    outside = AISystemFactory(
        organisation=org, name="Spam filter", in_scope=False, scope_justification="Vendor feature; no decisions."
    )
    AISystemFactory(organisation=ContextIssueFactory().organisation, name="Foreign system")

    html = _html(client_for(officer).get("/inventory/scope/"))

    assert "Version 1" in html and officer.username in html
    assert SCOPE_TEXT["boundaries"] in html
    in_table = html.split('data-testid="in-scope-systems"')[1].split("</table>")[0]
    out_table = html.split('data-testid="out-of-scope-systems"')[1].split("</table>")[0]
    assert "Claims triage" in in_table and "Decides claim priority." in in_table
    assert f"/inventory/systems/{inside.pk}/" in in_table
    assert "Spam filter" in out_table and "Vendor feature; no decisions." in out_table
    assert f"/inventory/systems/{outside.pk}/" in out_table
    assert "Spam filter" not in in_table
    assert "Foreign system" not in html


def test_scope_page_without_any_scope_invites_a_first_version(client_for, org, officer):
    html = _html(client_for(officer).get("/inventory/scope/"))

    assert "No scope has been approved yet." in html
    assert 'data-testid="scope-new-version"' in html


def test_scope_page_lists_earlier_versions_with_links(client_for, org, officer):
    first = approved_scope(org, officer)
    approved_scope(org, officer)

    html = _html(client_for(officer).get("/inventory/scope/"))

    versions = html.split('data-testid="scope-versions"')[1].split("</table>")[0]
    assert f"/inventory/scope/{first.pk}/" in versions and "Superseded" in versions


@pytest.mark.parametrize(
    ("role", "sees_approve"),
    [("officer", True), ("admin", False), ("contributor", False), ("auditor", False), ("viewer", False)],
)
def test_approve_button_only_for_members_who_may_approve(client_for, org, members, role, sees_approve):
    draft = ScopeStatementFactory(organisation=org)

    page = _html(client_for(members[role]).get("/inventory/scope/"))
    detail = _html(client_for(members[role]).get(f"/inventory/scope/{draft.pk}/"))

    assert 'data-testid="draft-scope"' in page
    assert ('data-testid="scope-approve"' in page) is sees_approve
    assert ('data-testid="scope-approve"' in detail) is sees_approve


def test_officer_approves_the_draft_from_the_page(client_for, org, officer):
    first = approved_scope(org, officer)
    draft = ScopeStatementFactory(organisation=org)

    response = client_for(officer).post(f"/inventory/scope/{draft.pk}/approve/")

    assert response.status_code == 302 and response["Location"] == "/inventory/scope/"
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.status, draft.approved_by) == (ScopeStatus.APPROVED, officer)
    assert first.status == ScopeStatus.SUPERSEDED


def test_start_a_new_version_is_prefilled_and_creates_the_next_draft(client_for, org, officer):
    approved_scope(org, officer, locations="Leeds and York")
    client = client_for(officer)

    form = _html(client.get("/inventory/scope/new/"))
    assert "Leeds and York" in form

    response = client.post("/inventory/scope/new/", {**SCOPE_TEXT, "locations": "Leeds, York, Hull"})

    assert response.status_code == 302 and response["Location"] == "/inventory/scope/"
    draft = ScopeStatement.objects.get(organisation=org, status=ScopeStatus.DRAFT)
    assert (draft.version, draft.locations) == (2, "Leeds, York, Hull")
    assert draft.history.get().history_user == officer


def test_start_a_new_version_while_a_draft_exists_goes_to_the_draft(client_for, org, officer):
    draft = ScopeStatementFactory(organisation=org)

    response = client_for(officer).get("/inventory/scope/new/")

    assert response.status_code == 302 and response["Location"] == f"/inventory/scope/{draft.pk}/edit/"


def test_editing_an_approved_scope_in_the_browser_changes_nothing(client_for, org, officer):
    scope = approved_scope(org, officer)
    client = client_for(officer)

    assert client.get(f"/inventory/scope/{scope.pk}/edit/")["Location"] == f"/inventory/scope/{scope.pk}/"
    response = client.post(f"/inventory/scope/{scope.pk}/edit/", {**SCOPE_TEXT, "boundaries": "Changed"})

    assert response.status_code == 200
    assert "cannot be edited" in _html(response)
    scope.refresh_from_db()
    assert scope.boundaries == SCOPE_TEXT["boundaries"]


def test_scope_version_page_is_read_only_with_history(client_for, org, officer):
    scope = approved_scope(org, officer)
    client = client_for(officer)

    html = _html(client.get(f"/inventory/scope/{scope.pk}/"))
    history = _html(client.get(f"/inventory/scope/{scope.pk}/?tab=history"))

    assert SCOPE_TEXT["exclusions"] in html
    assert f"/inventory/scope/{scope.pk}/edit/" not in html
    assert f"/inventory/scope/{scope.pk}/delete/" not in html
    assert "Approved" in history and "Draft of version 1 started" in history


def test_blank_boundaries_in_the_form_show_a_field_error_and_save_nothing(client_for, org, officer):
    response = client_for(officer).post("/inventory/scope/new/", {**SCOPE_TEXT, "boundaries": ""})

    assert response.status_code == 200
    assert "is-invalid" in _html(response) or "errorlist" in _html(response)
    assert response.context["form"].errors["boundaries"]
    assert not ScopeStatement.objects.exists()


def test_scope_versions_export_as_json(client_for, org, officer):
    approved_scope(org, officer)

    response = client_for(officer).get("/inventory/scope/?export=json")

    rows = json.loads(b"".join(response.streaming_content))
    assert rows[0]["Version"] == 1 and rows[0]["Approved by"] == officer.username


# --- Context issue and interested party pages --------------------------------------------------------


def test_context_issue_list_filters_and_searches(client_for, org, officer):
    ContextIssueFactory(organisation=org, title="Staff shortage in data science", kind="internal", owner=officer)
    ContextIssueFactory(organisation=org, title="EU AI Act obligations", kind="external")
    client = client_for(officer)

    internal = _html(client.get("/inventory/context-issues/?kind=internal"))
    searched = _html(client.get("/inventory/context-issues/?q=AI+Act"))
    mine = _html(client.get(f"/inventory/context-issues/?owner={officer.pk}"))

    assert "Staff shortage" in internal and "EU AI Act" not in internal
    assert "EU AI Act" in searched and "Staff shortage" not in searched
    assert "Staff shortage" in mine and "EU AI Act" not in mine


def test_interested_party_list_filters_on_addressed(client_for, org, officer):
    InterestedPartyFactory(organisation=org, name="Regulator", addressed=True, how_addressed="Policy POL-1")
    InterestedPartyFactory(organisation=org, name="Patients", addressed=False)

    html = _html(client_for(officer).get("/inventory/interested-parties/?addressed=false"))

    assert "Patients" in html and "Regulator" not in html


@pytest.mark.parametrize("url", ["/inventory/context-issues/", "/inventory/interested-parties/"])
def test_context_registers_export_csv_of_the_organisation_only(client_for, org, other_org, officer, url):
    factory = ContextIssueFactory if "context" in url else InterestedPartyFactory
    field = "title" if "context" in url else "name"
    factory(organisation=org, **{field: "Ours"})
    factory(organisation=other_org, **{field: "Theirs"})

    response = client_for(officer).get(url + "?export=csv")

    content = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert "Ours" in content and "Theirs" not in content


def test_create_context_issue_in_the_browser(client_for, org, officer):
    response = client_for(officer).post(
        "/inventory/context-issues/new/",
        {"title": "New sector guidance", "kind": "external", "owner": officer.pk, "effect_on_aims": "New controls"},
    )

    issue = ContextIssue.objects.get(organisation=org)
    assert response.status_code == 302 and response["Location"] == f"/inventory/context-issues/{issue.pk}/"
    assert (issue.reference, issue.owner) == ("CTX-001", officer)


def test_interested_party_addressed_without_how_shows_field_error_and_saves_nothing(client_for, org, officer):
    response = client_for(officer).post(
        "/inventory/interested-parties/new/", {"name": "Regulator", "kind": "external", "addressed": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["how_addressed"]
    assert not InterestedParty.objects.exists()


def test_context_issue_with_taken_reference_shows_field_error(client_for, org, officer):
    ContextIssueFactory(organisation=org, reference="CTX-007")

    response = client_for(officer).post(
        "/inventory/context-issues/new/", {"reference": "CTX-007", "title": "Dup", "kind": "internal"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reference"]
    assert ContextIssue.objects.count() == 1


def test_context_issue_with_another_organisations_owner_is_an_invalid_choice(client_for, org, officer, outsider):
    response = client_for(officer).post(
        "/inventory/context-issues/new/", {"title": "Forged", "kind": "internal", "owner": outsider.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not ContextIssue.objects.exists()


def _object_urls(org):
    scope = ScopeStatementFactory(organisation=org)
    issue = ContextIssueFactory(organisation=org)
    party = InterestedPartyFactory(organisation=org)
    return [
        ("get", f"/inventory/scope/{scope.pk}/"),
        ("get", f"/inventory/scope/{scope.pk}/?tab=history"),
        ("get", f"/inventory/scope/{scope.pk}/edit/"),
        ("post", f"/inventory/scope/{scope.pk}/edit/"),
        ("post", f"/inventory/scope/{scope.pk}/approve/"),
        ("post", f"/inventory/scope/{scope.pk}/delete/"),
        ("get", f"/inventory/context-issues/{issue.pk}/"),
        ("get", f"/inventory/context-issues/{issue.pk}/edit/"),
        ("post", f"/inventory/context-issues/{issue.pk}/edit/"),
        ("post", f"/inventory/context-issues/{issue.pk}/delete/"),
        ("get", f"/inventory/interested-parties/{party.pk}/"),
        ("get", f"/inventory/interested-parties/{party.pk}/edit/"),
        ("post", f"/inventory/interested-parties/{party.pk}/edit/"),
        ("post", f"/inventory/interested-parties/{party.pk}/delete/"),
    ]


def test_outsider_gets_404_on_every_object_url(client_for, org, outsider):
    client = client_for(outsider)
    for method, url in _object_urls(org):
        assert getattr(client, method)(url, {"title": "x"} if method == "post" else None).status_code == 404, url
    assert ScopeStatement.objects.get(organisation=org).status == ScopeStatus.DRAFT
    assert ContextIssue.objects.filter(organisation=org).count() == 1


def test_outsider_sees_none_of_the_organisations_records_in_lists(client_for, org, outsider):
    ContextIssueFactory(organisation=org, title="Acme secret issue")
    InterestedPartyFactory(organisation=org, name="Acme secret party")
    ScopeStatementFactory(organisation=org, boundaries="Acme secret boundaries")
    client = client_for(outsider)

    pages = [_html(client.get(url)) for url in ("/inventory/context-issues/", "/inventory/interested-parties/")]
    pages.append(_html(client.get("/inventory/scope/")))

    assert not any("Acme secret" in page for page in pages)


def test_viewer_gets_403_on_every_write(client_for, org, members):
    viewer = client_for(members["viewer"])
    writes = [url for method, url in _object_urls(org) if method == "post"]
    writes += ["/inventory/scope/new/", "/inventory/context-issues/new/", "/inventory/interested-parties/new/"]

    for url in writes:
        assert viewer.post(url, {"title": "x", "name": "x", "boundaries": "x"}).status_code == 403, url
    assert viewer.get("/inventory/scope/new/").status_code == 403
    assert ScopeStatement.objects.get(organisation=org).status == ScopeStatus.DRAFT
    assert ContextIssue.objects.filter(organisation=org).count() == 1
    assert InterestedParty.objects.filter(organisation=org).count() == 1


def test_contributor_edits_own_context_issue_but_not_others(client_for, org, members):
    contributor = members["contributor"]
    own = ContextIssueFactory(organisation=org, owner=contributor)
    other = ContextIssueFactory(organisation=org, owner=members["officer"])
    client = client_for(contributor)

    data = {"title": "Changed", "kind": "internal", "owner": contributor.pk}
    assert client.post(f"/inventory/context-issues/{own.pk}/edit/", data).status_code == 302
    assert client.post(f"/inventory/context-issues/{other.pk}/edit/", data).status_code == 403
    other.refresh_from_db()
    assert other.title != "Changed"


def test_nav_lists_the_context_pages(client_for, officer):
    html = _html(client_for(officer).get("/inventory/scope/"))

    for label, url in [
        ("AIMS scope", "/inventory/scope/"),
        ("Context issues", "/inventory/context-issues/"),
        ("Interested parties", "/inventory/interested-parties/"),
    ]:
        assert f'href="{url}"' in html and label in html


# --- Query budgets of the pages -------------------------------------------------------------------------


def test_scope_and_context_list_pages_cost_the_same_queries_for_5_and_50_rows(client_for, org, members, officer):
    owners = [officer, members["contributor"], members["viewer"]]

    def make(n):
        for i in range(n):
            AISystemFactory(
                organisation=org,
                business_owner=members["contributor"],
                technical_owner=officer,
                in_scope=bool(i % 2),
                scope_justification=f"Reason {i}",
            )
            ScopeStatementFactory(organisation=org, status=ScopeStatus.SUPERSEDED, approved_by=officer)
            ContextIssueFactory(organisation=org, owner=owners[i % 3])
            InterestedPartyFactory(organisation=org, owner=owners[i % 3])

    client = client_for(officer)
    assert_queries_do_not_grow(
        make,
        [
            (client, "/inventory/scope/"),
            (client, "/inventory/context-issues/"),
            (client, "/inventory/interested-parties/"),
        ],
    )
