"""The AIMS scope and context registers (clause 4): services and selectors.

The pages are tested in test_context_views.py, the API in test_context_api.py.
"""

import pytest
from django.core.exceptions import PermissionDenied

from aims.services import ServiceError
from registry import selectors, services
from registry.constants import ScopeStatus
from registry.models import ContextIssue, InterestedParty, ScopeStatement
from registry.tests.factories import (
    ContextIssueFactory,
    InterestedPartyFactory,
    ScopeStatementFactory,
)

pytestmark = pytest.mark.django_db

SCOPE_TEXT = {
    "boundaries": "Every AI system used in claims handling and customer service.",
    "units": "Claims, Customer service",
    "locations": "Leeds",
    "ai_roles": "Deployer of vendor models; provider of the triage model.",
    "exclusions": "HR tools: covered by the group HR ISMS; no AI decisions about staff.",
}


def approved_scope(org, officer, **texts):
    draft = services.scope_draft_create(actor=officer, organisation=org, data={**SCOPE_TEXT, **texts})
    return services.scope_approve(actor=officer, scope=draft)


# --- Scope services -----------------------------------------------------------------------------------


def test_first_draft_is_version_one_and_each_new_draft_counts_up(org, officer):
    first = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)
    assert (first.version, first.status) == (1, ScopeStatus.DRAFT)
    services.scope_approve(actor=officer, scope=first)

    second = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)

    assert (second.version, second.status) == (2, ScopeStatus.DRAFT)


def test_versions_count_per_organisation(org, other_org, officer, outsider):
    ScopeStatementFactory(organisation=other_org, version=7, status=ScopeStatus.APPROVED)

    draft = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)

    assert draft.version == 1


def test_a_second_draft_while_one_is_in_progress_is_a_conflict(org, officer):
    services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)

    with pytest.raises(ServiceError) as exc:
        services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)

    assert exc.value.conflict
    assert ScopeStatement.objects.filter(organisation=org).count() == 1


def test_draft_ignores_status_and_version_in_the_data(org, officer):
    draft = services.scope_draft_create(
        actor=officer, organisation=org, data={**SCOPE_TEXT, "status": ScopeStatus.APPROVED, "version": 9}
    )

    assert (draft.version, draft.status, draft.approved_by) == (1, ScopeStatus.DRAFT, None)


@pytest.mark.parametrize("boundaries", ["", "   "])
def test_draft_without_boundaries_is_refused_and_nothing_saved(org, officer, boundaries):
    with pytest.raises(ServiceError) as exc:
        services.scope_draft_create(actor=officer, organisation=org, data={**SCOPE_TEXT, "boundaries": boundaries})

    assert "boundaries" in exc.value.message_dict
    assert not ScopeStatement.objects.exists()


def test_approve_records_approver_and_supersedes_the_previous_version(org, officer):
    first = approved_scope(org, officer)
    second = services.scope_draft_create(actor=officer, organisation=org, data={**SCOPE_TEXT, "locations": "York"})

    services.scope_approve(actor=officer, scope=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ScopeStatus.SUPERSEDED
    assert second.status == ScopeStatus.APPROVED
    assert second.approved_by == officer
    assert second.approved_at is not None
    assert first.approved_by == officer  # the earlier approval stays on record
    assert ScopeStatement.objects.filter(organisation=org, status=ScopeStatus.APPROVED).count() == 1


@pytest.mark.parametrize("status", [ScopeStatus.APPROVED, ScopeStatus.SUPERSEDED])
def test_editing_an_approved_or_superseded_scope_is_a_conflict(org, officer, status):
    scope = ScopeStatementFactory(organisation=org, status=status, boundaries="Original")

    with pytest.raises(ServiceError) as exc:
        services.scope_update(actor=officer, scope=scope, data={"boundaries": "Changed"})

    assert exc.value.conflict
    scope.refresh_from_db()
    assert scope.boundaries == "Original"


def test_approving_a_scope_that_is_not_a_draft_is_a_conflict(org, officer):
    scope = approved_scope(org, officer)

    with pytest.raises(ServiceError) as exc:
        services.scope_approve(actor=officer, scope=scope)

    assert exc.value.conflict


@pytest.mark.parametrize("role", ["admin", "contributor", "auditor", "viewer"])
def test_only_a_member_who_may_approve_can_approve(org, members, role):
    draft = ScopeStatementFactory(organisation=org)

    with pytest.raises(PermissionDenied):
        services.scope_approve(actor=members[role], scope=draft)

    draft.refresh_from_db()
    assert draft.status == ScopeStatus.DRAFT


def test_outsider_cannot_approve_another_organisations_scope(org, outsider):
    draft = ScopeStatementFactory(organisation=org)

    with pytest.raises(PermissionDenied):
        services.scope_approve(actor=outsider, scope=draft)


def test_scope_history_records_user_and_reason(org, officer, members):
    draft = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)
    services.scope_update(actor=members["officer"], scope=draft, data={"units": "Claims"})
    services.scope_approve(actor=officer, scope=draft)
    newer = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)
    services.scope_approve(actor=officer, scope=newer)

    rows = list(draft.history.order_by("history_date", "history_id"))

    assert [r.history_change_reason for r in rows] == [
        "Draft of version 1 started",
        "Draft edited",
        "Approved",
        "Superseded by version 2",
    ]
    assert {r.history_user for r in rows} == {officer}
    assert rows[-1].status == ScopeStatus.SUPERSEDED


def test_discarding_a_draft_deletes_it_but_an_approved_scope_is_kept(org, officer):
    approved = approved_scope(org, officer)
    draft = services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)

    services.scope_draft_delete(actor=officer, scope=draft)
    with pytest.raises(ServiceError) as exc:
        services.scope_draft_delete(actor=officer, scope=approved)

    assert exc.value.conflict
    assert list(ScopeStatement.objects.filter(organisation=org)) == [approved]
    assert draft.history.latest("history_date").history_change_reason == "Draft discarded"


def test_scope_current_is_the_approved_version(org, other_org, officer):
    assert selectors.scope_current(org) is None
    first = approved_scope(org, officer)
    services.scope_draft_create(actor=officer, organisation=org, data=SCOPE_TEXT)
    ScopeStatementFactory(organisation=other_org, version=5, status=ScopeStatus.APPROVED)

    assert selectors.scope_current(org) == first


def test_new_draft_is_prefilled_from_the_current_scope(org, officer):
    assert selectors.scope_draft_initial(org) == {}
    approved_scope(org, officer, locations="Leeds and York")

    initial = selectors.scope_draft_initial(org)

    assert initial["locations"] == "Leeds and York"
    assert initial["boundaries"] == SCOPE_TEXT["boundaries"]


# --- Context issue and interested party services ------------------------------------------------------


def test_context_issue_create_assigns_reference_and_records_history(org, officer):
    issue = services.context_issue_create(
        actor=officer, organisation=org, data={"title": "EU AI Act in force", "kind": "external", "owner": officer}
    )

    assert issue.reference == "CTX-001"
    record = issue.history.get()
    assert (record.history_user, record.history_change_reason) == (officer, "Recorded")


def test_context_issue_with_a_reference_already_used_is_refused_on_the_field(org, officer):
    ContextIssueFactory(organisation=org, reference="CTX-010")

    with pytest.raises(ServiceError) as exc:
        services.context_issue_create(actor=officer, organisation=org, data={"title": "Dup", "reference": "CTX-010"})

    assert "reference" in exc.value.message_dict
    assert ContextIssue.objects.filter(organisation=org).count() == 1


def test_owner_must_be_a_member_of_the_organisation(org, officer, outsider):
    with pytest.raises(ServiceError) as exc:
        services.context_issue_create(actor=officer, organisation=org, data={"title": "X", "owner": outsider})

    assert "owner" in exc.value.message_dict
    assert not ContextIssue.objects.exists()


def test_context_issue_update_and_delete_record_history(org, officer):
    issue = ContextIssueFactory(organisation=org)
    pk = issue.pk

    services.context_issue_update(actor=officer, issue=issue, data={"effect_on_aims": "New duties"})
    services.context_issue_delete(actor=officer, issue=issue)

    reasons = list(ContextIssue.history.filter(id=pk).values_list("history_change_reason", "history_user"))
    assert ("Edited", officer.pk) in reasons and ("Deleted", officer.pk) in reasons


def test_interested_party_marked_addressed_needs_how(org, officer):
    with pytest.raises(ServiceError) as exc:
        services.interested_party_create(
            actor=officer, organisation=org, data={"name": "Regulator", "addressed": True, "how_addressed": " "}
        )

    assert "how_addressed" in exc.value.message_dict
    assert not InterestedParty.objects.exists()


def test_interested_party_update_checks_addressed_against_the_stored_text(org, officer):
    party = InterestedPartyFactory(organisation=org, addressed=False, how_addressed="")

    with pytest.raises(ServiceError):
        services.interested_party_update(actor=officer, party=party, data={"addressed": True})
    party.refresh_from_db()
    assert party.addressed is False

    services.interested_party_update(
        actor=officer, party=party, data={"addressed": True, "how_addressed": "Complaints process, POL-004"}
    )
    party.refresh_from_db()
    assert party.addressed is True
    assert party.history.latest("history_date").history_change_reason == "Edited"
