"""Browser pages of the accounts app: sign-in, organisation switching, members, tokens and passwords."""

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.middleware import SESSION_KEY
from accounts.models import ApiToken, Membership, User
from accounts.tests.factories import MembershipFactory, UserFactory
from aims.roles import Role

NON_ADMIN_ROLES = [r.value for r in Role if r not in (Role.ADMIN, Role.OWNER)]
ALL_ROLES = [r.value for r in Role]


def _html(response) -> str:
    return response.content.decode()


def _membership(user, organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)


def _only_the_admin_administers(org) -> None:
    """The ``members`` fixture has an owner too; without it the administrator is the only one left."""
    Membership.objects.filter(organisation=org, role=Role.OWNER).delete()


def _me(key: str):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/")


# --- Signing in and out --------------------------------------------------------------------------------


def test_login_page_renders(client, db):
    response = client.get("/login/")

    assert response.status_code == 200
    html = _html(response)
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'href="/password-reset/"' in html
    assert "aims-navbar" not in html  # no navigation before signing in


def test_login_with_bad_credentials_shows_error_in_place(client, officer):
    response = client.post("/login/", {"username": officer.username, "password": "wrong"})

    assert response.status_code == 200
    html = _html(response)
    assert 'class="alert alert-danger"' in html
    assert "Please enter a correct username and password" in html
    assert f'value="{officer.username}"' in html  # the username is kept
    assert "_auth_user_id" not in client.session


def test_login_with_empty_fields_shows_field_errors(client, db):
    response = client.post("/login/", {"username": "", "password": ""})

    assert response.status_code == 200
    html = _html(response)
    assert 'id="id_username_error"' in html
    assert 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html


def test_login_then_dashboard_shows_organisation(client, officer, org):
    response = client.post("/login/", {"username": officer.username, "password": "aims-demo"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    html = _html(dashboard)
    assert f'<span data-testid="current-organisation">{org.name}</span>' in html
    assert "Your role: AIMS officer" in html


def test_login_follows_a_local_next_but_not_an_external_one(client, officer):
    local = client.post("/login/", {"username": officer.username, "password": "aims-demo", "next": "/account/tokens/"})
    client.logout()
    external = client.post(
        "/login/", {"username": officer.username, "password": "aims-demo", "next": "https://evil.example/"}
    )

    assert local["Location"] == "/account/tokens/"
    assert external.status_code == 302
    assert external["Location"] == "/"


def test_signed_in_user_visiting_login_goes_to_dashboard(client_for, officer):
    response = client_for(officer).get("/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_inactive_user_cannot_sign_in(client, officer):
    officer.is_active = False
    officer.save()

    response = client.post("/login/", {"username": officer.username, "password": "aims-demo"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_by_post(client, officer):
    client.post("/login/", {"username": officer.username, "password": "aims-demo"})

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"] == "/login/?next=/"


def test_logout_by_get_is_refused(client_for, officer):
    client = client_for(officer)

    response = client.get("/logout/")

    assert response.status_code == 405
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("url", ["/", "/account/members/", "/account/tokens/", "/account/password/"])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize(
    "url",
    [
        "/account/switch/acme/",
        "/account/members/00000000-0000-0000-0000-000000000000/role/",
        "/account/members/00000000-0000-0000-0000-000000000000/remove/",
        "/account/tokens/00000000-0000-0000-0000-000000000000/revoke/",
    ],
)
def test_anonymous_post_is_sent_to_login(client, org, url):
    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- Switching organisation ----------------------------------------------------------------------------


@pytest.fixture
def two_org_user(org, other_org):
    user = UserFactory(username="dual")
    MembershipFactory(user=user, organisation=org, role=Role.OFFICER)
    MembershipFactory(user=user, organisation=other_org, role=Role.AUDITOR)
    return user


def test_switcher_lists_the_users_organisations(client_for, two_org_user):
    html = _html(client_for(two_org_user).get("/"))

    assert 'action="/account/switch/acme/"' in html
    assert 'action="/account/switch/globex/"' in html


def test_switch_organisation(client_for, two_org_user, org, other_org):
    client = client_for(two_org_user)
    assert f'<span data-testid="current-organisation">{org.name}</span>' in _html(client.get("/"))

    response = client.post("/account/switch/globex/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(other_org.pk)
    html = _html(client.get("/"))
    assert f'<span data-testid="current-organisation">{other_org.name}</span>' in html
    assert "You are now working in Globex." in html
    assert "Your role: Auditor" in html
    # Other pages follow the new organisation too.
    members = _html(client.get("/account/members/"))
    assert "Members of Globex" in members
    assert "officer-acme" not in members


def test_switch_back_and_forth(client_for, two_org_user, org, other_org):
    client = client_for(two_org_user)
    client.post("/account/switch/globex/")
    client.post("/account/switch/acme/")

    assert client.session[SESSION_KEY] == str(org.pk)
    assert f'<span data-testid="current-organisation">{org.name}</span>' in _html(client.get("/"))


def test_switch_to_organisation_not_a_member_of_is_404(client_for, officer, org, other_org):
    client = client_for(officer)
    client.post("/account/switch/acme/")

    response = client.post(f"/account/switch/{other_org.slug}/")

    assert response.status_code == 404
    assert client.session[SESSION_KEY] == str(org.pk)
    assert f'<span data-testid="current-organisation">{org.name}</span>' in _html(client.get("/"))


def test_switch_to_unknown_slug_is_404(client_for, officer):
    assert client_for(officer).post("/account/switch/no-such-org/").status_code == 404


def test_switch_by_get_is_refused(client_for, two_org_user):
    client = client_for(two_org_user)

    response = client.get("/account/switch/globex/")

    assert response.status_code == 405
    assert SESSION_KEY not in client.session


def test_forged_session_organisation_falls_back_to_a_membership(client_for, officer, org, other_org):
    client = client_for(officer)
    session = client.session
    session[SESSION_KEY] = str(other_org.pk)
    session.save()

    html = _html(client.get("/"))

    assert f'<span data-testid="current-organisation">{org.name}</span>' in html
    assert other_org.name not in html


def test_removed_membership_stops_the_session_organisation(client_for, two_org_user, org, other_org):
    client = client_for(two_org_user)
    client.post("/account/switch/globex/")
    Membership.objects.filter(user=two_org_user, organisation=other_org).delete()

    html = _html(client.get("/"))

    assert f'<span data-testid="current-organisation">{org.name}</span>' in html


def test_user_without_organisation_sees_dashboard_notice(client_for, db):
    loner = UserFactory(username="loner")

    response = client_for(loner).get("/")

    assert response.status_code == 200
    assert "You are not a member of any organisation yet" in _html(response)


@pytest.mark.parametrize("url", ["/account/members/", "/account/tokens/"])
def test_user_without_organisation_gets_404_on_organisation_pages(client_for, db, url):
    loner = UserFactory(username="loner")

    assert client_for(loner).get(url).status_code == 404


# --- Members -------------------------------------------------------------------------------------------


def test_members_page_for_admin(client_for, members):
    response = client_for(members["admin"]).get("/account/members/")

    assert response.status_code == 200
    html = _html(response)
    for user in members.values():
        assert user.username in html
    assert "Add a member" in html
    assert html.count("/remove/") == len(members)


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_members_page_for_others_is_read_only(client_for, members, role):
    response = client_for(members[role]).get("/account/members/")

    assert response.status_code == 200
    html = _html(response)
    assert members["admin"].username in html
    assert "Add a member" not in html
    assert "/remove/" not in html
    assert "/role/" not in html


def test_members_page_hides_other_organisations(client_for, members, outsider):
    assert outsider.username not in _html(client_for(members["viewer"]).get("/account/members/"))


def test_admin_adds_existing_user(client_for, members, org):
    newcomer = UserFactory(username="newcomer")

    response = client_for(members["admin"]).post(
        "/account/members/", {"username": "newcomer", "email": "", "role": Role.CONTRIBUTOR}, follow=True
    )

    assert response.status_code == 200
    assert "newcomer added as Contributor." in _html(response)
    membership = _membership(newcomer, org)
    assert membership.role == Role.CONTRIBUTOR
    assert membership.history.first().history_user == members["admin"]
    assert newcomer.has_usable_password()
    assert len(mail.outbox) == 0  # an existing account needs no invitation


def test_admin_adds_member_of_another_organisation(client_for, members, org, outsider):
    client_for(members["admin"]).post("/account/members/", {"username": outsider.username, "role": Role.VIEWER})

    assert _membership(outsider, org).role == Role.VIEWER
    assert Membership.objects.filter(user=outsider).count() == 2


def test_admin_invites_new_user_by_email(client_for, members, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(members["admin"]).post(
            "/account/members/", {"username": "grace", "email": "grace@example.org", "role": Role.AUDITOR}
        )

    assert response.status_code == 302
    grace = User.objects.get(username="grace")
    assert grace.email == "grace@example.org"
    assert not grace.has_usable_password()
    assert _membership(grace, org).role == Role.AUDITOR
    assert len(mail.outbox) == 1, "the invitation email was not sent"
    invitation = mail.outbox[0]
    assert invitation.to == ["grace@example.org"]
    assert "grace" in invitation.body
    link = re.search(r"http://testserver(/password-reset/[^/]+/[^/]+/)", invitation.body)
    assert link, invitation.body


def test_invited_user_sets_password_through_the_link(
    client_for, members, org, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(members["admin"]).post(
            "/account/members/", {"username": "grace", "email": "grace@example.org", "role": Role.VIEWER}
        )
    assert len(mail.outbox) == 1, "the invitation email was not sent"
    path = re.search(r"http://testserver(/password-reset/[^/]+/[^/]+/)", mail.outbox[0].body).group(1)

    form_page = client.get(path, follow=True)
    set_password = client.post(
        form_page.request["PATH_INFO"], {"new_password1": "Tr1cky-passphrase", "new_password2": "Tr1cky-passphrase"}
    )

    assert set_password.status_code == 302
    assert client.login(username="grace", password="Tr1cky-passphrase")


def test_new_user_needs_an_email(client_for, members):
    response = client_for(members["admin"]).post("/account/members/", {"username": "nomail", "role": Role.VIEWER})

    assert response.status_code == 200
    assert "A new account needs an email address" in _html(response)
    assert not User.objects.filter(username="nomail").exists()


def test_adding_an_existing_member_again_is_refused(client_for, members, org):
    response = client_for(members["admin"]).post(
        "/account/members/", {"username": members["viewer"].username, "role": Role.OFFICER}
    )

    assert response.status_code == 200
    assert "is already a member" in _html(response)
    assert _membership(members["viewer"], org).role == Role.VIEWER


def test_adding_with_an_invalid_role_is_refused(client_for, members, org):
    UserFactory(username="newcomer")

    response = client_for(members["admin"]).post("/account/members/", {"username": "newcomer", "role": "emperor"})

    assert response.status_code == 200
    assert 'id="id_role_error"' in _html(response)
    assert not Membership.objects.filter(user__username="newcomer").exists()


def test_admin_changes_a_role(client_for, members, org):
    membership = _membership(members["viewer"], org)

    response = client_for(members["admin"]).post(
        f"/account/members/{membership.pk}/role/", {"role": Role.OFFICER}, follow=True
    )

    assert response.status_code == 200
    assert f"{members['viewer'].username} is now AIMS officer." in _html(response)
    membership.refresh_from_db()
    assert membership.role == Role.OFFICER
    assert membership.history.first().history_user == members["admin"]
    assert membership.history.first().history_change_reason == "Role changed from Viewer to AIMS officer"


def test_changing_to_an_invalid_role_is_refused(client_for, members, org):
    membership = _membership(members["viewer"], org)

    response = client_for(members["admin"]).post(
        f"/account/members/{membership.pk}/role/", {"role": "superuser"}, follow=True
    )

    assert "Choose a valid role." in _html(response)
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_admin_removes_a_member_and_their_tokens_stop(client_for, members, org):
    contributor = members["contributor"]
    _, key = services.api_token_create(user=contributor, organisation=org)
    membership = _membership(contributor, org)

    response = client_for(members["admin"]).post(f"/account/members/{membership.pk}/remove/", follow=True)

    assert response.status_code == 200
    assert f"{contributor.username} was removed." in _html(response)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=contributor.pk).exists()  # the account stays
    assert _me(key).status_code == 401
    assert client_for(contributor).get("/account/members/").status_code == 404


def test_role_change_takes_effect_at_once(client_for, members, org):
    viewer = members["viewer"]
    viewer_client = client_for(viewer)
    assert "Add a member" not in _html(viewer_client.get("/account/members/"))

    client_for(members["admin"]).post(f"/account/members/{_membership(viewer, org).pk}/role/", {"role": Role.ADMIN})

    assert "Add a member" in _html(viewer_client.get("/account/members/"))


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admin_cannot_add_members(client_for, members, org, role):
    UserFactory(username="newcomer")

    response = client_for(members[role]).post(
        "/account/members/", {"username": "newcomer", "email": "n@example.org", "role": Role.ADMIN}
    )

    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newcomer").exists()
    assert not User.objects.filter(username="brandnew").exists()
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admin_cannot_invite_new_users(client_for, members, role):
    response = client_for(members[role]).post(
        "/account/members/", {"username": "brandnew", "email": "b@example.org", "role": Role.ADMIN}
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="brandnew").exists()


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admin_cannot_change_roles(client_for, members, org, role):
    target = _membership(members["viewer"] if role != "viewer" else members["auditor"], org)
    own = _membership(members[role], org)

    other = client_for(members[role]).post(f"/account/members/{target.pk}/role/", {"role": Role.ADMIN})
    self_promotion = client_for(members[role]).post(f"/account/members/{own.pk}/role/", {"role": Role.ADMIN})

    assert other.status_code == 403
    assert self_promotion.status_code == 403
    assert _membership(target.user, org).role == target.role
    assert _membership(members[role], org).role == role


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admin_cannot_remove_members(client_for, members, org, role):
    target = _membership(members["admin"], org)

    response = client_for(members[role]).post(f"/account/members/{target.pk}/remove/")

    assert response.status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()
    assert Membership.objects.filter(organisation=org).count() == len(members)


def test_403_page_is_in_the_product_layout(client_for, members):
    response = client_for(members["viewer"]).post("/account/members/", {"username": "x", "role": Role.VIEWER})

    assert response.status_code == 403
    html = _html(response)
    assert "Not allowed" in html
    assert "aims-navbar" in html
    assert 'data-testid="current-organisation"' in html


def test_last_admin_cannot_demote_themselves(client_for, members, org):
    _only_the_admin_administers(org)
    own = _membership(members["admin"], org)

    response = client_for(members["admin"]).post(f"/account/members/{own.pk}/role/", {"role": Role.VIEWER}, follow=True)

    assert response.status_code == 200
    assert "An organisation needs at least one administrator." in _html(response)
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_last_admin_cannot_be_removed(client_for, members, org):
    _only_the_admin_administers(org)
    own = _membership(members["admin"], org)

    response = client_for(members["admin"]).post(f"/account/members/{own.pk}/remove/", follow=True)

    assert "An organisation needs at least one administrator." in _html(response)
    assert Membership.objects.filter(pk=own.pk, role=Role.ADMIN).exists()


def test_an_admin_may_step_down_when_another_remains(client_for, members, org):
    _only_the_admin_administers(org)
    second = UserFactory(username="second-admin")
    MembershipFactory(user=second, organisation=org, role=Role.ADMIN)
    own = _membership(members["admin"], org)

    client_for(members["admin"]).post(f"/account/members/{own.pk}/role/", {"role": Role.OFFICER})

    own.refresh_from_db()
    assert own.role == Role.OFFICER
    # Now the second administrator is the last one.
    last = _membership(second, org)
    client_for(second).post(f"/account/members/{last.pk}/remove/")
    assert Membership.objects.filter(pk=last.pk).exists()


# --- Objects of another organisation -------------------------------------------------------------------


@pytest.fixture
def foreign(other_org, outsider):
    """A second member in the other organisation (so its admin rule does not interfere) and a token."""
    admin = UserFactory(username="globex-admin")
    MembershipFactory(user=admin, organisation=other_org, role=Role.ADMIN)
    token, _ = services.api_token_create(user=outsider, organisation=other_org)
    return {"membership": _membership(outsider, other_org), "token": token}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_member_role_of_another_organisation_is_404(client_for, members, foreign, role):
    response = client_for(members[role]).post(
        f"/account/members/{foreign['membership'].pk}/role/", {"role": Role.VIEWER}
    )

    assert response.status_code == 404
    foreign["membership"].refresh_from_db()
    assert foreign["membership"].role == Role.OFFICER


@pytest.mark.parametrize("role", ALL_ROLES)
def test_member_remove_of_another_organisation_is_404(client_for, members, foreign, role):
    response = client_for(members[role]).post(f"/account/members/{foreign['membership'].pk}/remove/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign["membership"].pk).exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_token_revoke_of_another_organisation_is_404(client_for, members, foreign, role):
    response = client_for(members[role]).post(f"/account/tokens/{foreign['token'].pk}/revoke/")

    assert response.status_code == 404
    foreign["token"].refresh_from_db()
    assert foreign["token"].revoked_at is None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_token_revoke_of_another_user_is_404(client_for, members, org, role):
    owner = members["officer"] if role != "officer" else members["viewer"]
    token, _ = services.api_token_create(user=owner, organisation=org)

    response = client_for(members[role]).post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "url", ["/account/members/{pk}/role/", "/account/members/{pk}/remove/", "/account/tokens/{pk}/revoke/"]
)
def test_unknown_object_is_404(client_for, members, url):
    response = client_for(members["admin"]).post(url.format(pk="4b8f0a7e-0000-4000-8000-000000000000"))

    assert response.status_code == 404


def test_404_page_is_in_the_product_layout(client_for, members):
    response = client_for(members["viewer"]).post(f"/account/members/{'0' * 8}-0000-0000-0000-{'0' * 12}/remove/")

    assert response.status_code == 404
    html = _html(response)
    assert "Not found" in html
    assert "aims-navbar" in html


# --- API tokens ----------------------------------------------------------------------------------------


def test_tokens_page_creates_a_token_shown_once(client_for, officer, org):
    client = client_for(officer)

    response = client.post("/account/tokens/", {"name": "MLOps pipeline"})

    assert response.status_code == 200
    html = _html(response)
    match = re.search(r'<code data-testid="new-token">([^<]+)</code>', html)
    assert match, html
    key = match.group(1)
    token = ApiToken.objects.get(user=officer)
    assert token.name == "MLOps pipeline"
    assert token.read_only is False
    assert token.key_hash == ApiToken.hash_key(key)

    me = _me(key)
    assert me.status_code == 200
    assert me.json()["user"]["username"] == officer.username
    assert me.json()["organisation"]["slug"] == org.slug

    again = _html(client.get("/account/tokens/"))
    assert key not in again
    assert "MLOps pipeline" in again
    assert token.prefix in again


def test_tokens_page_creates_a_read_only_token(client_for, officer):
    html = _html(client_for(officer).post("/account/tokens/", {"name": "dashboards", "read_only": "on"}))

    key = re.search(r'<code data-testid="new-token">([^<]+)</code>', html).group(1)
    assert ApiToken.objects.get(user=officer).read_only is True
    assert _me(key).json()["read_only_token"] is True


def test_tokens_page_rejects_a_missing_name(client_for, officer):
    response = client_for(officer).post("/account/tokens/", {"name": ""})

    assert response.status_code == 200
    assert 'data-testid="new-token"' not in _html(response)
    assert 'id="id_name_error"' in _html(response)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_may_create_and_revoke_own_tokens(client_for, members, role):
    client = client_for(members[role])
    html = _html(client.post("/account/tokens/", {"name": "mine"}))
    key = re.search(r'<code data-testid="new-token">([^<]+)</code>', html).group(1)
    token = ApiToken.objects.get(user=members[role])
    assert _me(key).json()["role"] == role

    response = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)

    assert response.status_code == 200
    assert "Token “mine” revoked." in _html(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _me(key).status_code == 401
    assert "Revoked" in _html(response)


def test_tokens_page_shows_only_own_tokens_of_this_organisation(client_for, members, org, two_org_user, other_org):
    services.api_token_create(user=two_org_user, organisation=org, name="acme-token")
    services.api_token_create(user=two_org_user, organisation=other_org, name="globex-token")
    services.api_token_create(user=members["officer"], organisation=org, name="someone-elses")

    html = _html(client_for(two_org_user).get("/account/tokens/"))

    assert "acme-token" in html
    assert "globex-token" not in html
    assert "someone-elses" not in html


def test_token_created_in_switched_organisation_belongs_to_it(client_for, two_org_user, other_org):
    client = client_for(two_org_user)
    client.post("/account/switch/globex/")

    html = _html(client.post("/account/tokens/", {"name": "globex pipeline"}))

    key = re.search(r'<code data-testid="new-token">([^<]+)</code>', html).group(1)
    assert ApiToken.objects.get(name="globex pipeline").organisation == other_org
    assert _me(key).json()["role"] == Role.AUDITOR


# --- Passwords -----------------------------------------------------------------------------------------


def test_password_change(client_for, officer):
    client = client_for(officer)
    assert client.get("/account/password/").status_code == 200

    response = client.post(
        "/account/password/",
        {"old_password": "aims-demo", "new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    officer.refresh_from_db()
    assert officer.check_password("Brand-new-pass-42")
    assert client.get("/").status_code == 200  # the session survives the change
    assert client.get("/account/password/done/").status_code == 200
    assert Client().login(username=officer.username, password="Brand-new-pass-42")


def test_password_change_with_wrong_old_password(client_for, officer):
    response = client_for(officer).post(
        "/account/password/",
        {"old_password": "nope", "new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )

    assert response.status_code == 200
    assert 'id="id_old_password_error"' in _html(response)
    officer.refresh_from_db()
    assert officer.check_password("aims-demo")


def test_password_change_enforces_validators(client_for, officer):
    response = client_for(officer).post(
        "/account/password/", {"old_password": "aims-demo", "new_password1": "123", "new_password2": "123"}
    )

    assert response.status_code == 200
    assert 'id="id_new_password2_error"' in _html(response)
    officer.refresh_from_db()
    assert officer.check_password("aims-demo")


def test_password_reset_sends_an_email_and_the_link_works(client, officer):
    assert client.get("/password-reset/").status_code == 200

    response = client.post("/password-reset/", {"email": officer.email})

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    path = re.search(r"http://testserver(/password-reset/[^/]+/[^/]+/)", message.body).group(1)

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in _html(form_page)
    done = client.post(
        form_page.request["PATH_INFO"], {"new_password1": "Reset-pass-2024!", "new_password2": "Reset-pass-2024!"}
    )

    assert done.status_code == 302
    assert done["Location"] == "/password-reset/complete/"
    officer.refresh_from_db()
    assert officer.check_password("Reset-pass-2024!")
    # A used link does not work twice.
    assert "This link is invalid" in _html(client.get(path, follow=True))


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post("/password-reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 0
