"""The accounts services: the only way organisations, memberships and tokens change."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import ApiToken, Membership, Organisation, User
from accounts.tests.factories import MembershipFactory, UserFactory
from aims.permissions import can, role_of
from aims.roles import Role
from aims.services import ServiceError

NON_ADMIN_ROLES = [r.value for r in Role if r not in (Role.ADMIN, Role.OWNER)]


def _membership(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def _only_the_admin_administers(org) -> None:
    """The ``members`` fixture has an owner too; without it the administrator is the only one left."""
    Membership.objects.filter(organisation=org, role=Role.OWNER).delete()


# --- Organisations -------------------------------------------------------------------------------------


def test_organisation_create_makes_the_creator_owner(db):
    creator = UserFactory(username="founder")

    organisation = services.organisation_create(name="Initech Labs", creator=creator)

    assert organisation.slug == "initech-labs"
    assert organisation.time_zone == "UTC"
    membership = _membership(creator, organisation)
    assert membership.role == Role.OWNER
    assert can(creator, "manage", Membership, organisation)
    assert organisation.history.first().history_user == creator
    assert organisation.history.first().history_change_reason == "Organisation created"
    assert membership.history.first().history_user == creator
    assert membership.history.first().history_change_reason == "Creator becomes owner"


def test_organisation_create_without_creator(db):
    organisation = services.organisation_create(name="Orphan", creator=None, slug="orphan", time_zone="Europe/Paris")

    assert organisation.time_zone == "Europe/Paris"
    assert not organisation.memberships.exists()


def test_organisation_create_rejects_unknown_time_zone(db):
    with pytest.raises(ValidationError) as info:
        services.organisation_create(name="Nowhere", creator=None, time_zone="Mars/Olympus")

    assert "time_zone" in info.value.message_dict
    assert not Organisation.objects.filter(name="Nowhere").exists()


def test_organisation_create_rejects_a_taken_slug(org):
    with pytest.raises(ValidationError) as info:
        services.organisation_create(name="Acme again", creator=None, slug=org.slug)

    assert "slug" in info.value.message_dict


def test_organisation_create_is_atomic(db):
    creator = UserFactory(username="founder")

    with pytest.raises(ValidationError):
        services.organisation_create(name="Bad", creator=creator, time_zone="Not/AZone")

    assert not Membership.objects.filter(user=creator).exists()


# --- Adding members ------------------------------------------------------------------------------------


def test_membership_add_records_actor_and_reason(members, org):
    newcomer = UserFactory(username="newcomer")

    membership = services.membership_add(actor=members["admin"], organisation=org, user=newcomer, role=Role.AUDITOR)

    assert membership.role == Role.AUDITOR
    record = membership.history.first()
    assert record.history_type == "+"
    assert record.history_user == members["admin"]
    assert record.history_change_reason == "Added as Auditor"


def test_membership_add_twice_is_refused(members, org):
    with pytest.raises(ServiceError) as info:
        services.membership_add(actor=members["admin"], organisation=org, user=members["viewer"], role=Role.OFFICER)

    assert info.value.message_dict == {"user": [f"{members['viewer'].username} is already a member."]}
    assert _membership(members["viewer"], org).role == Role.VIEWER


def test_membership_add_with_invalid_role_is_refused(members, org):
    newcomer = UserFactory(username="newcomer")

    with pytest.raises(ValidationError) as info:
        services.membership_add(actor=members["admin"], organisation=org, user=newcomer, role="emperor")

    assert "role" in info.value.message_dict
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_membership_add_needs_an_admin(members, org, role):
    newcomer = UserFactory(username="newcomer")

    with pytest.raises(services.PermissionDenied):
        services.membership_add(actor=members[role], organisation=org, user=newcomer, role=Role.VIEWER)

    assert not Membership.objects.filter(user=newcomer).exists()


def test_admin_of_another_organisation_cannot_add_here(org, other_org, members):
    globex_admin = UserFactory(username="globex-admin")
    MembershipFactory(user=globex_admin, organisation=other_org, role=Role.ADMIN)

    with pytest.raises(services.PermissionDenied):
        services.membership_add(actor=globex_admin, organisation=org, user=globex_admin, role=Role.ADMIN)

    assert not Membership.objects.filter(user=globex_admin, organisation=org).exists()


# --- Changing roles ------------------------------------------------------------------------------------


def test_membership_change_role(members, org):
    membership = _membership(members["viewer"], org)

    services.membership_change_role(actor=members["admin"], membership=membership, role=Role.OFFICER)

    membership.refresh_from_db()
    assert membership.role == Role.OFFICER
    assert role_of(members["viewer"], org) == Role.OFFICER


def test_membership_change_role_history_records_actor_and_reason(members, org):
    membership = _membership(members["contributor"], org)
    before = membership.history.count()

    services.membership_change_role(actor=members["admin"], membership=membership, role=Role.AUDITOR)

    assert membership.history.count() == before + 1
    record = membership.history.first()
    assert record.history_type == "~"
    assert record.history_user == members["admin"]
    assert record.history_change_reason == "Role changed from Contributor to Auditor"
    assert record.role == Role.AUDITOR
    assert record.prev_record.role == Role.CONTRIBUTOR


def test_membership_change_role_drops_the_cached_role(members, org):
    membership = _membership(members["viewer"], org)
    user = membership.user
    assert not can(user, "manage", Membership, org)  # caches "viewer" on this user object

    services.membership_change_role(actor=members["admin"], membership=membership, role=Role.ADMIN)

    assert can(user, "manage", Membership, org)


@pytest.mark.parametrize("bad_role", ["emperor", "", "ADMIN", None, "Administrator"])
def test_membership_change_role_invalid_role(members, org, bad_role):
    membership = _membership(members["viewer"], org)
    before = membership.history.count()

    with pytest.raises(ServiceError) as info:
        services.membership_change_role(actor=members["admin"], membership=membership, role=bad_role)

    assert "role" in info.value.message_dict
    assert info.value.conflict is False
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert membership.history.count() == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_membership_change_role_needs_an_admin(members, org, role):
    target = _membership(members["viewer"] if role != "viewer" else members["auditor"], org)
    own = _membership(members[role], org)

    with pytest.raises(services.PermissionDenied):
        services.membership_change_role(actor=members[role], membership=target, role=Role.ADMIN)
    with pytest.raises(services.PermissionDenied):
        services.membership_change_role(actor=members[role], membership=own, role=Role.ADMIN)

    target.refresh_from_db()
    own.refresh_from_db()
    assert own.role == role
    assert target.role in (Role.VIEWER, Role.AUDITOR)


def test_membership_change_role_in_another_organisation_is_refused(members, org, outsider, other_org):
    foreign = _membership(outsider, other_org)

    with pytest.raises(services.PermissionDenied):
        services.membership_change_role(actor=members["admin"], membership=foreign, role=Role.VIEWER)

    foreign.refresh_from_db()
    assert foreign.role == Role.OFFICER


def test_last_admin_cannot_be_demoted(members, org):
    _only_the_admin_administers(org)
    own = _membership(members["admin"], org)

    with pytest.raises(ServiceError) as info:
        services.membership_change_role(actor=members["admin"], membership=own, role=Role.OFFICER)

    assert info.value.conflict is True
    assert "at least one administrator" in " ".join(info.value.messages)
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_admin_may_be_set_to_admin_again(members, org):
    own = _membership(members["admin"], org)

    services.membership_change_role(actor=members["admin"], membership=own, role=Role.ADMIN)

    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_admin_in_another_organisation_does_not_count(members, org, other_org):
    _only_the_admin_administers(org)
    # An administrator of Globex does not keep Acme administered.
    MembershipFactory(user=UserFactory(username="globex-admin"), organisation=other_org, role=Role.ADMIN)

    with pytest.raises(ServiceError):
        services.membership_change_role(
            actor=members["admin"], membership=_membership(members["admin"], org), role=Role.VIEWER
        )


def test_admin_may_step_down_when_another_admin_remains(members, org):
    MembershipFactory(user=UserFactory(username="second"), organisation=org, role=Role.ADMIN)
    own = _membership(members["admin"], org)

    services.membership_change_role(actor=members["admin"], membership=own, role=Role.VIEWER)

    own.refresh_from_db()
    assert own.role == Role.VIEWER
    assert own.history.first().history_change_reason == "Role changed from Administrator to Viewer"


# --- Removing members ----------------------------------------------------------------------------------


def test_membership_remove_records_actor_and_reason(members, org):
    membership = _membership(members["auditor"], org)
    pk = membership.pk

    services.membership_remove(actor=members["admin"], membership=membership)

    assert not Membership.objects.filter(pk=pk).exists()
    record = Membership.history.filter(id=pk).first()
    assert record.history_type == "-"
    assert record.history_user == members["admin"]
    assert record.history_change_reason == "Removed from the organisation"
    assert role_of(members["auditor"], org) is None


def test_membership_remove_revokes_tokens_only_in_that_organisation(members, org, other_org):
    contributor = members["contributor"]
    MembershipFactory(user=contributor, organisation=other_org, role=Role.VIEWER)
    here, _ = services.api_token_create(user=contributor, organisation=org)
    there, _ = services.api_token_create(user=contributor, organisation=other_org)
    colleague, _ = services.api_token_create(user=members["viewer"], organisation=org)

    services.membership_remove(actor=members["admin"], membership=_membership(contributor, org))

    for token in (here, there, colleague):
        token.refresh_from_db()
    assert here.revoked_at is not None
    assert there.revoked_at is None
    assert colleague.revoked_at is None


def test_last_admin_cannot_be_removed(members, org):
    _only_the_admin_administers(org)
    own = _membership(members["admin"], org)

    with pytest.raises(ServiceError) as info:
        services.membership_remove(actor=members["admin"], membership=own)

    assert info.value.conflict is True
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_membership_remove_needs_an_admin(members, org, role):
    target = _membership(members["viewer"] if role != "viewer" else members["auditor"], org)

    with pytest.raises(services.PermissionDenied):
        services.membership_remove(actor=members[role], membership=target)

    assert Membership.objects.filter(pk=target.pk).exists()


# --- Inviting ------------------------------------------------------------------------------------------


def test_member_invite_existing_user(members, org):
    existing = UserFactory(username="existing")

    membership = services.member_invite(
        actor=members["admin"], organisation=org, username="existing", email="", role=Role.VIEWER
    )

    assert membership.user == existing
    assert existing.has_usable_password()


def test_member_invite_new_user(members, org):
    membership = services.member_invite(
        actor=members["admin"], organisation=org, username="grace", email="grace@example.org", role=Role.OFFICER
    )

    grace = User.objects.get(username="grace")
    assert membership.user == grace
    assert grace.email == "grace@example.org"
    assert not grace.has_usable_password()
    assert membership.role == Role.OFFICER


def test_member_invite_new_user_needs_email(members, org):
    with pytest.raises(ServiceError) as info:
        services.member_invite(actor=members["admin"], organisation=org, username="nomail", email="", role=Role.VIEWER)

    assert "email" in info.value.message_dict
    assert not User.objects.filter(username="nomail").exists()


def test_member_invite_rejects_an_invalid_username(members, org):
    with pytest.raises(ValidationError) as info:
        services.member_invite(
            actor=members["admin"], organisation=org, username="has spaces!", email="x@example.org", role=Role.VIEWER
        )

    assert "username" in info.value.message_dict
    assert not User.objects.filter(username="has spaces!").exists()


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_member_invite_needs_an_admin_and_creates_no_account(members, org, role):
    with pytest.raises(services.PermissionDenied):
        services.member_invite(
            actor=members[role], organisation=org, username="sneaky", email="s@example.org", role=Role.ADMIN
        )

    assert not User.objects.filter(username="sneaky").exists()


def test_member_invite_with_invalid_role_creates_no_account(members, org):
    with pytest.raises(ValidationError):
        services.member_invite(
            actor=members["admin"], organisation=org, username="grace", email="grace@example.org", role="emperor"
        )

    assert not User.objects.filter(username="grace").exists()  # the transaction rolled back


# --- Tokens --------------------------------------------------------------------------------------------


def test_api_token_create_returns_key_and_stores_hash(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org, name="pipeline", read_only=True)

    assert token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[:8]
    assert token.read_only is True
    assert token.name == "pipeline"
    assert token.is_active


def test_api_token_keys_are_unique(officer, org):
    keys = {services.api_token_create(user=officer, organisation=org)[1] for _ in range(20)}

    assert len(keys) == 20


def test_api_token_create_truncates_long_names_and_defaults_empty(officer, org):
    long_token, _ = services.api_token_create(user=officer, organisation=org, name="x" * 300)
    empty_token, _ = services.api_token_create(user=officer, organisation=org, name="")

    assert len(long_token.name) == 100
    assert empty_token.name == "API token"


def test_api_token_create_requires_membership(officer, other_org):
    with pytest.raises(services.PermissionDenied):
        services.api_token_create(user=officer, organisation=other_org)

    assert not ApiToken.objects.exists()


def test_api_token_revoke_by_owner(members, org):
    token, _ = services.api_token_create(user=members["viewer"], organisation=org)

    services.api_token_revoke(actor=members["viewer"], token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not ApiToken.objects.active().filter(pk=token.pk).exists()


def test_api_token_revoke_by_admin_of_the_organisation(members, org):
    token, _ = services.api_token_create(user=members["viewer"], organisation=org)

    services.api_token_revoke(actor=members["admin"], token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("role", ["officer", "contributor", "auditor"])
def test_api_token_revoke_of_someone_elses_token_needs_admin(members, org, role):
    token, _ = services.api_token_create(user=members["viewer"], organisation=org)

    with pytest.raises(services.PermissionDenied):
        services.api_token_revoke(actor=members[role], token=token)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_token_revoke_keeps_the_first_revocation_time(officer, org):
    token, _ = services.api_token_create(user=officer, organisation=org)
    services.api_token_revoke(actor=officer, token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    services.api_token_revoke(actor=officer, token=ApiToken.objects.get(pk=token.pk))

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_api_token_obtain(officer, org):
    token, key = services.api_token_obtain(username=officer.username, password="aims-demo")

    assert token.organisation == org
    assert token.key_hash == ApiToken.hash_key(key)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"password": "wrong"}, "non_field_errors"),
        ({"organisation_slug": "globex"}, "organisation"),
        ({"organisation_slug": "missing"}, "organisation"),
    ],
)
def test_api_token_obtain_refusals(officer, other_org, kwargs, field):
    arguments = {"username": officer.username, "password": "aims-demo", **kwargs}

    with pytest.raises(ServiceError) as info:
        services.api_token_obtain(**arguments)

    assert field in info.value.as_detail()
    assert not ApiToken.objects.exists()


def test_api_token_obtain_for_inactive_user_is_refused(officer, org):
    officer.is_active = False
    officer.save()

    with pytest.raises(ServiceError):
        services.api_token_obtain(username=officer.username, password="aims-demo")


def test_service_error_detail_shapes():
    assert ServiceError("plain").as_detail() == {"non_field_errors": ["plain"]}
    assert ServiceError("on a field", field="role").as_detail() == {"role": ["on a field"]}
    assert ServiceError("state", conflict=True).conflict is True


# --- Owners (administrator and officer in one) ------------------------------------------------------------


def test_an_administrator_cannot_make_themselves_or_anyone_an_owner(members, org):
    own = _membership(members["admin"], org)
    viewer = _membership(members["viewer"], org)
    for membership in (own, viewer):
        with pytest.raises(services.PermissionDenied):
            services.membership_change_role(actor=members["admin"], membership=membership, role=Role.OWNER)
    with pytest.raises(services.PermissionDenied):
        services.membership_add(actor=members["admin"], organisation=org, user=UserFactory(), role=Role.OWNER)
    with pytest.raises(services.PermissionDenied):
        services.membership_remove(actor=members["admin"], membership=_membership(members["owner"], org))
    assert _membership(members["admin"], org).role == Role.ADMIN
    assert Membership.objects.filter(organisation=org, role=Role.OWNER).count() == 1


def test_an_owner_makes_another_owner_and_may_then_step_down(members, org):
    viewer = _membership(members["viewer"], org)
    services.membership_change_role(actor=members["owner"], membership=viewer, role=Role.OWNER)
    assert can(members["viewer"], "manage", Membership, org)
    own = _membership(members["owner"], org)
    services.membership_change_role(actor=members["owner"], membership=own, role=Role.OFFICER)
    own.refresh_from_db()
    assert own.role == Role.OFFICER


def test_the_last_owner_or_administrator_stays(members, org):
    Membership.objects.filter(organisation=org, role=Role.ADMIN).delete()
    own = _membership(members["owner"], org)
    with pytest.raises(ServiceError) as info:
        services.membership_change_role(actor=members["owner"], membership=own, role=Role.OFFICER)
    assert info.value.conflict is True
    with pytest.raises(ServiceError):
        services.membership_remove(actor=members["owner"], membership=own)
    own.refresh_from_db()
    assert own.role == Role.OWNER
    # Handing the organisation to an administrator keeps someone who manages it: then the owner may go.
    services.membership_change_role(
        actor=members["owner"], membership=_membership(members["viewer"], org), role=Role.ADMIN
    )
    services.membership_change_role(actor=members["owner"], membership=own, role=Role.OFFICER)
