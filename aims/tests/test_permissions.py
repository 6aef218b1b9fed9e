"""The permission matrix, role × action × kind of record, as one table."""

import pytest

from accounts.models import Membership
from aims.permissions import can

# A stand-in domain model: anything organisation-scoped with an owner behaves like this.
V, A, C, D, P, E, M = "view", "add", "change", "delete", "approve", "export", "manage"

DOMAIN_MATRIX = {
    #              view  add    change delete approve export manage
    "owner": (True, True, True, True, True, True, True),  # administrator and officer in one
    "admin": (True, False, False, False, False, True, True),
    "officer": (True, True, True, True, True, True, False),
    "contributor": (True, True, True, True, False, False, False),  # model-level: may change what they own
    "auditor": (True, False, False, False, False, True, False),
    "viewer": (True, False, False, False, False, False, False),
}
ACTIONS = (V, A, C, D, P, E, M)


class FakeRecord:
    """Quacks like an OrganisationScopedModel instance for the permission module."""

    OWNER_FIELDS = ("owner",)
    AUDITOR_WRITABLE = False

    def __init__(self, organisation, owner=None):
        self.organisation_id = organisation.pk
        self.owner_id = owner.pk if owner else None

    def is_owned_by(self, user):
        return self.owner_id == user.pk


@pytest.mark.parametrize("role", list(DOMAIN_MATRIX))
@pytest.mark.parametrize("action_index", range(len(ACTIONS)))
def test_domain_model_matrix(role, action_index, members, org):
    from registry.models import AISystem

    expected = DOMAIN_MATRIX[role][action_index]
    assert can(members[role], ACTIONS[action_index], AISystem, org) is expected


@pytest.mark.parametrize("action", ["change", "delete"])
def test_contributor_changes_only_what_they_own(action, members, org):
    from registry.tests.factories import AISystemFactory

    contributor = members["contributor"]
    own = AISystemFactory(organisation=org, business_owner=contributor)
    others = AISystemFactory(organisation=org, business_owner=members["officer"])
    assert can(contributor, action, own, org)
    assert not can(contributor, action, others, org)


@pytest.mark.parametrize("role", list(DOMAIN_MATRIX))
def test_only_admin_and_owner_manage_members(role, members, org):
    assert can(members[role], "manage", Membership, org) is (role in ("admin", "owner"))
    assert can(members[role], "view", Membership, org)


def test_non_member_can_do_nothing(members, org, outsider):
    from registry.models import AISystem

    for action in ACTIONS:
        assert not can(outsider, action, AISystem, org)


def test_unknown_action_is_denied(members, org):
    from registry.models import AISystem

    assert not can(members["officer"], "obliterate", AISystem, org)


def test_anonymous_is_denied(org):
    from django.contrib.auth.models import AnonymousUser

    from registry.models import AISystem

    assert not can(AnonymousUser(), "view", AISystem, org)


def test_record_of_another_organisation_is_denied_even_to_its_reader(members, org, other_org):
    record = FakeRecord(other_org)
    assert not can(members["officer"], "view", record, org)


def test_auditor_writes_audit_records_only(members, org):
    class AuditRecord(FakeRecord):
        AUDITOR_WRITABLE = True

    auditor = members["auditor"]
    assert can(auditor, "add", AuditRecord, org)
    assert can(auditor, "change", AuditRecord(org), org)
    assert not can(auditor, "approve", AuditRecord(org), org)
    assert not can(auditor, "change", FakeRecord(org), org)


def test_the_domain_matrix_covers_every_role():
    from aims.roles import Role

    assert set(DOMAIN_MATRIX) == set(Role.values)


@pytest.mark.parametrize(
    ("actor", "current", "new", "allowed"),
    [
        ("owner", "viewer", "owner", True),
        ("owner", "owner", "admin", True),
        ("admin", "viewer", "officer", True),
        ("admin", "viewer", "admin", True),
        # An administrator cannot take (or hand out) the officer's rights through the owner role.
        ("admin", "viewer", "owner", False),
        ("admin", "admin", "owner", False),
        ("admin", "owner", "viewer", False),
        ("admin", "owner", None, False),
        ("officer", "viewer", "contributor", False),
    ],
)
def test_only_an_owner_makes_or_unmakes_owners(actor, current, new, allowed, members, org):
    from aims.permissions import may_assign_role

    assert may_assign_role(members[actor], org, current=current, new=new) is allowed


def test_admin_and_officer_helpers_agree_with_the_roles():
    from aims.permissions import administers, has_officer_rights
    from aims.roles import Role

    assert {r for r in Role.values if administers(r)} == {"owner", "admin"}
    assert {r for r in Role.values if has_officer_rights(r)} == {"owner", "officer"}
    assert not administers(None) and not has_officer_rights(None)
