"""The REST API of the platform: token exchange, /me/, members, tokens, errors, pagination and the schema."""

import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, Membership
from accounts.tests.factories import MembershipFactory, UserFactory
from aims.permissions import can_for_request
from aims.roles import Role

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
TOKENS_URL = "/api/v1/tokens/"
MEMBERS_URL = "/api/v1/members/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The token endpoint is throttled through the cache, which outlives a single test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


def _token_client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _assert_json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


# --- Token exchange ------------------------------------------------------------------------------------


def test_obtain_token_with_one_membership_needs_no_slug(anon, officer, org):
    response = anon.post(TOKEN_URL, {"username": officer.username, "password": "aims-demo"}, format="json")

    assert response.status_code == 201, response.content
    body = _assert_json(response)
    assert body["organisation"] == org.slug
    assert body["read_only"] is False
    key = body["token"]
    assert len(key) >= 32
    token = ApiToken.objects.get(user=officer)
    assert token.organisation == org
    assert token.revoked_at is None


def test_obtain_token_with_explicit_slug(anon, officer, org, other_org):
    MembershipFactory(user=officer, organisation=other_org, role=Role.VIEWER)

    response = anon.post(
        TOKEN_URL, {"username": officer.username, "password": "aims-demo", "organisation": "globex"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == "globex"
    me = _token_client(response.json()["token"]).get(ME_URL)
    assert me.json()["organisation"]["slug"] == "globex"
    assert me.json()["role"] == Role.VIEWER


def test_obtained_key_is_stored_only_as_sha256(anon, officer):
    key = anon.post(TOKEN_URL, {"username": officer.username, "password": "aims-demo"}, format="json").json()["token"]

    token = ApiToken.objects.get(user=officer)
    assert token.key_hash == ApiToken.hash_key(key)
    assert re.fullmatch(r"[0-9a-f]{64}", token.key_hash)
    assert token.prefix == key[: ApiToken.PREFIX_LENGTH]
    # The key itself appears in no column of the row.
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(key not in str(value) for value in stored.values())


def test_obtain_read_only_token(anon, officer):
    response = anon.post(
        TOKEN_URL, {"username": officer.username, "password": "aims-demo", "read_only": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["read_only"] is True
    assert ApiToken.objects.get(user=officer).read_only is True
    assert _token_client(response.json()["token"]).get(ME_URL).json()["read_only_token"] is True


@pytest.mark.parametrize("missing", ["username", "password"])
def test_obtain_token_missing_field_is_a_field_error(anon, officer, missing):
    data = {"username": officer.username, "password": "aims-demo"}
    del data[missing]

    response = anon.post(TOKEN_URL, data, format="json")

    assert response.status_code == 400
    body = _assert_json(response)
    assert missing in body
    assert ApiToken.objects.count() == 0


def test_obtain_token_empty_body_lists_both_fields(anon, db):
    response = anon.post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    body = _assert_json(response)
    assert {"username", "password"} <= set(body)


def test_obtain_token_wrong_password(anon, officer):
    response = anon.post(TOKEN_URL, {"username": officer.username, "password": "wrong"}, format="json")

    assert response.status_code == 400
    body = _assert_json(response)
    assert "non_field_errors" in body
    assert ApiToken.objects.count() == 0


def test_obtain_token_unknown_user(anon, db):
    response = anon.post(TOKEN_URL, {"username": "nobody", "password": "aims-demo"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in _assert_json(response)


def test_obtain_token_unknown_organisation_slug(anon, officer):
    response = anon.post(
        TOKEN_URL, {"username": officer.username, "password": "aims-demo", "organisation": "no-such-org"}, format="json"
    )

    assert response.status_code == 400
    assert "organisation" in _assert_json(response)
    assert ApiToken.objects.count() == 0


def test_obtain_token_for_organisation_of_which_not_a_member(anon, officer, other_org):
    response = anon.post(
        TOKEN_URL,
        {"username": officer.username, "password": "aims-demo", "organisation": other_org.slug},
        format="json",
    )

    assert response.status_code == 400
    assert "organisation" in _assert_json(response)


def test_obtain_token_with_two_memberships_needs_a_slug(anon, officer, other_org):
    MembershipFactory(user=officer, organisation=other_org, role=Role.VIEWER)

    response = anon.post(TOKEN_URL, {"username": officer.username, "password": "aims-demo"}, format="json")

    assert response.status_code == 400
    assert "organisation" in _assert_json(response)
    assert ApiToken.objects.count() == 0


def test_obtain_token_without_any_membership(anon, db):
    loner = UserFactory(username="loner")

    response = anon.post(TOKEN_URL, {"username": loner.username, "password": "aims-demo"}, format="json")

    assert response.status_code == 400
    assert "organisation" in _assert_json(response)


def test_obtain_token_malformed_json_is_400_json(anon, db):
    response = anon.generic("POST", TOKEN_URL, '{"username": "x", "password":', content_type="application/json")

    assert response.status_code == 400
    assert "detail" in _assert_json(response)


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [
        ("username=x&password=y", "text/plain"),
        ("<a>b</a>", "application/xml"),
        ("\x00\x01", "application/octet-stream"),
    ],
)
def test_obtain_token_unsupported_content_type_is_json_error(anon, db, payload, content_type):
    response = anon.generic("POST", TOKEN_URL, payload, content_type=content_type)

    assert response.status_code in (400, 415)
    assert "detail" in _assert_json(response)


def test_obtain_token_accepts_a_form_post(anon, officer):
    response = anon.post(TOKEN_URL, {"username": officer.username, "password": "aims-demo"})  # multipart

    assert response.status_code == 201
    assert "token" in response.json()


def test_obtain_token_wrong_type_is_field_error(anon, officer):
    response = anon.post(TOKEN_URL, {"username": ["a", "b"], "password": {"x": 1}}, format="json")

    assert response.status_code == 400
    body = _assert_json(response)
    assert {"username", "password"} <= set(body)


def test_obtain_token_get_is_405_json(anon, db):
    response = anon.get(TOKEN_URL)

    assert response.status_code == 405
    assert "detail" in _assert_json(response)


def test_obtain_token_is_throttled(anon, db):
    # Different usernames each time, so the per-account lockout (below) never triggers: this is the rate limit.
    statuses = [
        anon.post(TOKEN_URL, {"username": f"nobody{i}", "password": "wrong"}, format="json").status_code
        for i in range(31)
    ]

    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429


def test_obtain_token_locks_the_account_out_after_repeated_failures(anon, officer, settings):
    statuses = [
        anon.post(TOKEN_URL, {"username": officer.username, "password": "wrong"}, format="json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    # Even the right password is refused while locked out.
    locked = anon.post(TOKEN_URL, {"username": officer.username, "password": "aims-demo"}, format="json")

    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]


# --- /me/ and authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_me_shows_user_organisation_and_role(members, org, api_for, role):
    user = members[role]

    response = api_for(user, org).get(ME_URL)

    assert response.status_code == 200
    body = _assert_json(response)
    assert body["user"]["username"] == user.username
    assert body["organisation"] == {"id": str(org.pk), "name": org.name, "slug": org.slug, "time_zone": org.time_zone}
    assert body["role"] == role
    assert body["read_only_token"] is False
    assert "password" not in body["user"]


def test_me_records_last_use_of_the_token(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org)
    assert token.last_used_at is None

    assert _token_client(key).get(ME_URL).status_code == 200

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_unauthenticated_is_401_with_challenge(anon, db):
    response = anon.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in _assert_json(response)


@pytest.mark.parametrize(
    "header",
    ["Token not-a-real-key", "Token", "Token a b", "token  ", "Token \u00e9\u00e8"],
)
def test_me_with_bad_token_header_is_401(db, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)

    response = api.get(ME_URL)

    assert response.status_code == 401
    _assert_json(response)


def test_revoked_token_is_401(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org)
    api = _token_client(key)
    assert api.get(ME_URL).status_code == 200

    services.api_token_revoke(actor=officer, token=token)

    response = api.get(ME_URL)
    assert response.status_code == 401
    assert "detail" in _assert_json(response)


def test_token_of_user_removed_from_organisation_is_401(members, org):
    user = members["contributor"]
    _, key = services.api_token_create(user=user, organisation=org)
    api = _token_client(key)
    assert api.get(ME_URL).status_code == 200

    services.membership_remove(actor=members["admin"], membership=Membership.objects.get(user=user, organisation=org))

    assert api.get(ME_URL).status_code == 401


def test_token_dies_with_membership_even_if_not_revoked(members, org):
    # A membership deleted behind the services' back (admin site, raw SQL) must also stop the token.
    user = members["viewer"]
    token, key = services.api_token_create(user=user, organisation=org)
    Membership.objects.filter(user=user, organisation=org).delete()
    token.refresh_from_db()
    assert token.revoked_at is None

    assert _token_client(key).get(ME_URL).status_code == 401


def test_token_of_inactive_user_is_401(officer, org):
    _, key = services.api_token_create(user=officer, organisation=org)
    officer.is_active = False
    officer.save()

    assert _token_client(key).get(ME_URL).status_code == 401


def test_a_role_change_applies_to_the_next_token_request(members, org):
    user = members["viewer"]
    _, key = services.api_token_create(user=user, organisation=org)
    api = _token_client(key)
    assert api.get(ME_URL).json()["role"] == "viewer"
    assert api.post("/api/v1/risks/", {"title": "Drift"}, format="json").status_code == 403

    membership = Membership.objects.get(user=user, organisation=org)
    services.membership_change_role(actor=members["admin"], membership=membership, role="officer")

    assert api.get(ME_URL).json()["role"] == "officer"
    Membership.objects.filter(pk=membership.pk).update(role="viewer")  # behind the services' back too
    assert api.get(ME_URL).json()["role"] == "viewer"


def test_token_of_an_ended_external_auditor_membership_is_401(members, org):
    from datetime import timedelta

    from django.utils import timezone

    user = members["auditor"]
    _, key = services.api_token_create(user=user, organisation=org)
    membership = Membership.objects.get(user=user, organisation=org)
    Membership.objects.filter(pk=membership.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    api = _token_client(key)
    assert api.get(ME_URL).status_code == 200

    Membership.objects.filter(pk=membership.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api.get(ME_URL).status_code == 401


def test_token_authentication_reads_token_user_organisation_and_membership_in_one_query(
    members, org, other_org, django_assert_num_queries
):
    from django.utils import timezone
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from accounts.authentication import TokenAuthentication

    user = members["contributor"]
    MembershipFactory(user=user, organisation=other_org, role="officer")  # another membership is not this one
    token, key = services.api_token_create(user=user, organisation=org)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no last-use write in this read
    request = Request(APIRequestFactory().get(ME_URL, HTTP_AUTHORIZATION=f"Token {key}"))

    with django_assert_num_queries(1):
        authenticated, auth = TokenAuthentication().authenticate(request)

    assert authenticated == user and auth == token
    assert auth.user.username == user.username and auth.organisation == org
    membership = request._request.membership
    assert (membership.user, membership.organisation, membership.role) == (user, org, "contributor")
    assert membership.pk == Membership.objects.get(user=user, organisation=org).pk
    assert request._request.organisation.name == org.name
    assert not membership._state.adding and not auth._state.adding


def test_token_decides_the_organisation_not_the_session(officer, org, other_org):
    MembershipFactory(user=officer, organisation=other_org, role=Role.AUDITOR)
    _, key = services.api_token_create(user=officer, organisation=other_org)
    api = _token_client(key)
    api.force_login(officer)  # session would default to the first organisation (Acme)

    body = api.get(ME_URL).json()

    assert body["organisation"]["slug"] == "globex"
    assert body["role"] == Role.AUDITOR


def test_session_authentication_works_for_me(client, officer, org):
    client.force_login(officer)

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["organisation"]["slug"] == org.slug


def test_session_write_without_csrf_is_refused(officer, org):
    token, _ = services.api_token_create(user=officer, organisation=org)
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(officer)

    response = api.post(f"{TOKENS_URL}{token.pk}/revoke/")

    assert response.status_code == 403
    assert "CSRF" in _assert_json(response)["detail"]
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Read-only tokens ----------------------------------------------------------------------------------


def test_read_only_token_can_read(officer, org, api_for):
    api = api_for(officer, org, read_only=True)

    assert api.get(ME_URL).status_code == 200
    assert api.get(MEMBERS_URL).status_code == 200
    assert api.get(TOKENS_URL).status_code == 200


def test_read_only_token_is_refused_a_write_a_full_token_is_not(members, org, api_for):
    admin = members["admin"]
    payload = {"username": members["viewer"].username, "role": "officer"}

    read_only = api_for(admin, org, read_only=True).post(MEMBERS_URL, payload, format="json")
    full = api_for(admin, org).post(MEMBERS_URL, payload, format="json")

    # The administrator's role allows managing members, so a full token passes the permission check and
    # meets the read-only endpoint (405); the read-only token is stopped by the permission check (403).
    assert read_only.status_code == 403, read_only.content
    assert full.status_code == 405, full.content
    assert "detail" in _assert_json(read_only)
    assert Membership.objects.filter(organisation=org).count() == len(members)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_read_only_token_changes_no_member(members, org, api_for, method):
    membership = Membership.objects.get(user=members["viewer"], organisation=org)

    response = getattr(api_for(members["admin"], org, read_only=True), method)(
        f"{MEMBERS_URL}{membership.pk}/", {"role": "officer"}, format="json"
    )

    assert response.status_code in (403, 405)
    _assert_json(response)
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_read_only_token_may_revoke_itself(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org, read_only=True)

    response = _token_client(key).post(f"{TOKENS_URL}{token.pk}/revoke/")

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


class _DomainRecord:
    """A model-like class with no account label: the ordinary domain policy applies."""

    class _meta:  # noqa: N801 — mimics Django's Model._meta
        label_lower = "tests.domainrecord"


def _request(user, organisation, token):
    """What DRF hands the permission module: the user, the organisation and the token as ``auth``."""
    return SimpleNamespace(user=user, organisation=organisation, auth=token)


@pytest.mark.parametrize("action", ["add", "change", "delete", "approve"])
def test_read_only_token_is_denied_every_write(members, org, action):
    officer = members["officer"]
    full, _ = services.api_token_create(user=officer, organisation=org)
    read_only, _ = services.api_token_create(user=officer, organisation=org, read_only=True)

    assert can_for_request(_request(officer, org, full), action, _DomainRecord) is True
    assert can_for_request(_request(officer, org, read_only), action, _DomainRecord) is False


@pytest.mark.parametrize("action", ["view", "export"])
def test_read_only_token_keeps_reads(members, org, action):
    officer = members["officer"]
    read_only, _ = services.api_token_create(user=officer, organisation=org, read_only=True)

    assert can_for_request(_request(officer, org, read_only), action, _DomainRecord) is True


def test_read_only_token_cannot_manage_the_organisation(members, org):
    admin = members["admin"]
    full, _ = services.api_token_create(user=admin, organisation=org)
    read_only, _ = services.api_token_create(user=admin, organisation=org, read_only=True)

    assert can_for_request(_request(admin, org, full), "manage", Membership) is True
    assert can_for_request(_request(admin, org, read_only), "manage", Membership) is False
    assert can_for_request(_request(admin, org, read_only), "view", Membership) is True


def test_can_for_request_without_token_uses_the_role(members, org):
    assert can_for_request(_request(members["officer"], org, None), "add", _DomainRecord) is True
    assert can_for_request(_request(members["viewer"], org, None), "add", _DomainRecord) is False
    # A session request carries no auth attribute at all.
    assert can_for_request(SimpleNamespace(user=members["officer"], organisation=org), "add", _DomainRecord) is True


def test_can_for_request_outside_the_organisation(members, org, outsider, other_org):
    token, _ = services.api_token_create(user=outsider, organisation=other_org)

    assert can_for_request(_request(outsider, org, token), "view", _DomainRecord) is False
    assert can_for_request(_request(members["officer"], None, None), "view", _DomainRecord) is False


# --- Members -------------------------------------------------------------------------------------------


def test_members_lists_only_the_token_organisation(members, org, outsider, other_org, api_for):
    response = api_for(members["viewer"], org).get(MEMBERS_URL)

    assert response.status_code == 200
    body = _assert_json(response)
    usernames = {row["user"]["username"] for row in body["results"]}
    assert usernames == {user.username for user in members.values()}
    assert outsider.username not in usernames
    assert body["count"] == len(members)


def test_members_of_another_org_seen_through_its_token(members, org, outsider, other_org, api_for):
    body = api_for(outsider, other_org).get(MEMBERS_URL).json()

    assert [row["user"]["username"] for row in body["results"]] == [outsider.username]


def test_member_of_another_org_is_404_json(members, org, outsider, other_org, api_for):
    foreign = Membership.objects.get(user=outsider)

    response = api_for(members["admin"], org).get(f"{MEMBERS_URL}{foreign.pk}/")

    assert response.status_code == 404
    assert "detail" in _assert_json(response)


def test_member_detail_in_own_org(members, org, api_for):
    membership = Membership.objects.get(user=members["auditor"])

    response = api_for(members["viewer"], org).get(f"{MEMBERS_URL}{membership.pk}/")

    assert response.status_code == 200
    assert response.json()["role"] == Role.AUDITOR


def test_members_filter_and_search(members, org, api_for):
    api = api_for(members["viewer"], org)

    by_role = api.get(MEMBERS_URL, {"role": "auditor"}).json()
    by_search = api.get(MEMBERS_URL, {"search": members["contributor"].username}).json()
    bad_filter = api.get(MEMBERS_URL, {"role": "emperor"})

    assert [row["user"]["username"] for row in by_role["results"]] == [members["auditor"].username]
    assert [row["user"]["username"] for row in by_search["results"]] == [members["contributor"].username]
    assert bad_filter.status_code == 400
    assert "role" in _assert_json(bad_filter)


@pytest.mark.parametrize("url", [MEMBERS_URL, TOKENS_URL, ME_URL])
def test_signed_in_user_without_organisation_is_refused_not_500(db, url):
    loner = UserFactory(username="loner")
    api = APIClient()
    api.force_login(loner)

    response = api.get(url)

    assert response.status_code == 403
    assert "detail" in _assert_json(response)


# --- Tokens --------------------------------------------------------------------------------------------


def test_tokens_lists_only_own_tokens_in_this_org(members, org, other_org):
    officer = members["officer"]
    MembershipFactory(user=officer, organisation=other_org, role=Role.VIEWER)
    mine, key = services.api_token_create(user=officer, organisation=org, name="mine")
    older, _ = services.api_token_create(user=officer, organisation=org, name="older", read_only=True)
    services.api_token_create(user=officer, organisation=other_org, name="elsewhere")
    services.api_token_create(user=members["admin"], organisation=org, name="admin's")

    response = _token_client(key).get(TOKENS_URL)

    assert response.status_code == 200
    body = _assert_json(response)
    assert {row["name"] for row in body["results"]} == {"mine", "older"}
    assert {row["id"] for row in body["results"]} == {str(mine.pk), str(older.pk)}
    for row in body["results"]:
        assert set(row) == {"id", "name", "prefix", "read_only", "created_at", "last_used_at", "revoked_at"}


def test_tokens_never_expose_the_key_or_hash(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org)

    raw = _token_client(key).get(f"{TOKENS_URL}{token.pk}/").content.decode()

    assert key not in raw
    assert token.key_hash not in raw
    assert token.prefix in raw


def test_revoke_own_token(officer, org):
    target, _ = services.api_token_create(user=officer, organisation=org, name="old pipeline")
    _, key = services.api_token_create(user=officer, organisation=org)

    response = _token_client(key).post(f"{TOKENS_URL}{target.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    target.refresh_from_db()
    assert target.revoked_at is not None


def test_revoke_is_idempotent(officer, org):
    target, _ = services.api_token_create(user=officer, organisation=org)
    _, key = services.api_token_create(user=officer, organisation=org)
    api = _token_client(key)
    first = api.post(f"{TOKENS_URL}{target.pk}/revoke/").json()["revoked_at"]

    second = api.post(f"{TOKENS_URL}{target.pk}/revoke/")

    assert second.status_code == 200
    assert second.json()["revoked_at"] == first


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_revoke_token_of_another_user_is_404(members, org, api_for, role):
    victim = members["officer"] if role != "officer" else members["viewer"]
    target, target_key = services.api_token_create(user=victim, organisation=org)

    response = api_for(members[role], org).post(f"{TOKENS_URL}{target.pk}/revoke/")

    assert response.status_code == 404
    assert "detail" in _assert_json(response)
    target.refresh_from_db()
    assert target.revoked_at is None
    assert _token_client(target_key).get(ME_URL).status_code == 200


def test_revoke_token_of_another_org_is_404(officer, org, outsider, other_org, api_for):
    target, _ = services.api_token_create(user=outsider, organisation=other_org)

    response = api_for(officer, org).post(f"{TOKENS_URL}{target.pk}/revoke/")
    detail = api_for(officer, org).get(f"{TOKENS_URL}{target.pk}/")

    assert response.status_code == 404
    assert detail.status_code == 404
    _assert_json(detail)
    target.refresh_from_db()
    assert target.revoked_at is None


def test_own_token_in_another_org_is_404_through_this_org(officer, org, other_org):
    MembershipFactory(user=officer, organisation=other_org, role=Role.VIEWER)
    elsewhere, _ = services.api_token_create(user=officer, organisation=other_org)
    _, key = services.api_token_create(user=officer, organisation=org)

    assert _token_client(key).post(f"{TOKENS_URL}{elsewhere.pk}/revoke/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.revoked_at is None


def test_malformed_object_id_is_404_json(officer, org, api_for):
    response = api_for(officer, org).get(f"{TOKENS_URL}not-a-uuid/")

    assert response.status_code == 404


# --- Pagination ----------------------------------------------------------------------------------------


def _bulk_tokens(user, organisation, count):
    ApiToken.objects.bulk_create(
        ApiToken(user=user, organisation=organisation, name=f"bulk {i}", prefix=f"b{i:07d}", key_hash=f"{i:064x}")
        for i in range(count)
    )


def test_pagination_default_shape(officer, org):
    _bulk_tokens(officer, org, 60)
    _, key = services.api_token_create(user=officer, organisation=org)

    body = _token_client(key).get(TOKENS_URL).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 61
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v1/tokens/?page=2")


def test_pagination_page_size_is_capped_at_500(officer, org):
    _bulk_tokens(officer, org, 505)
    _, key = services.api_token_create(user=officer, organisation=org)
    api = _token_client(key)

    capped = api.get(TOKENS_URL, {"page_size": 10000}).json()
    small = api.get(TOKENS_URL, {"page_size": 7, "page": 2}).json()
    last = api.get(TOKENS_URL, {"page_size": 500, "page": 2}).json()

    assert capped["count"] == 506
    assert len(capped["results"]) == 500
    assert "page=2" in capped["next"]
    assert len(small["results"]) == 7
    assert "page=3" in small["next"] and small["previous"] is not None
    assert len(last["results"]) == 6
    assert last["next"] is None


def test_pagination_page_out_of_range_is_404_json(officer, org, api_for):
    response = api_for(officer, org).get(TOKENS_URL, {"page": 99})

    assert response.status_code == 404
    assert "detail" in _assert_json(response)


# --- Errors --------------------------------------------------------------------------------------------


def test_unknown_api_url_is_404(officer, org, api_for):
    response = api_for(officer, org).get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404


# --- Schema and docs -----------------------------------------------------------------------------------


def test_schema_is_openapi_json(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "AIMS API"
    for path in ("/api/v1/me/", "/api/v1/auth/token/", "/api/v1/members/", "/api/v1/tokens/{id}/revoke/"):
        assert path in schema["paths"], path
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    # The token endpoint itself needs no authentication.
    assert schema["paths"]["/api/v1/auth/token/"]["post"].get("security", []) in ([], [{}])


def test_schema_yaml_by_default(client, db):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert response.content.startswith(b"openapi:")


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_docs_use_local_static_assets(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for cdn in ("cdn.", "jsdelivr", "unpkg"):
        assert cdn not in html, cdn
    script = re.search(r"""src=["']([^"']*\?script=)["']""", html)
    if script:  # the Swagger UI's set-up is a separate script (no inline script under the CSP): the schema is there
        setup = client.get(script.group(1))
        assert setup.status_code == 200 and "/api/v1/schema/" in setup.content.decode()
    else:
        assert "/api/v1/schema/" in html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"'?#]+)""", html)
    assert any("drf_spectacular_sidecar" in asset for asset in assets), assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a collected static file"


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_docs_load_nothing_from_other_hosts(client, db, url):
    # Self-hosted installations may have no internet access; no fonts, scripts or styles from elsewhere.
    html = client.get(url).content.decode()

    external = re.findall(r"""(?:src|href)=["']((?:https?:)?//[^"']+)""", html)
    assert external == []


def test_api_is_json_only_in_production(officer, org, api_for):
    response = api_for(officer, org).get(ME_URL, HTTP_ACCEPT="text/html")

    # With DEBUG off there is no browsable API: an HTML-only client is refused, still in JSON.
    assert response.status_code == 406
    assert "detail" in _assert_json(response)


def test_other_organisation_cannot_see_tokens_by_session(officer, org, outsider, other_org):
    token, _ = services.api_token_create(user=officer, organisation=org)
    api = APIClient()
    api.force_login(outsider)

    assert api.get(f"{TOKENS_URL}{token.pk}/").status_code == 404
    assert api.get(TOKENS_URL).json()["count"] == 0
