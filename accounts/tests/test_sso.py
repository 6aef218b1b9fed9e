"""Single sign-on end to end against a local OpenID provider on 127.0.0.1 (accounts/tests/oidc_provider.py).

The Django test client plays the browser: it follows our redirect to the provider with a real HTTP request,
and the provider's redirect back to our callback; our backend then calls the provider's token, JWKS and
userinfo endpoints over real HTTP.
"""

import urllib.request
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import AccessKind, AccessLog, OidcProvider
from accounts.tests.factories import MembershipFactory, UserFactory
from accounts.tests.oidc_provider import LocalOpenIDProvider
from aims.roles import Role


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _follow_provider(url: str) -> str:
    """GET the provider's authorisation URL and return where it sends the browser back to."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()
        return exc.headers["Location"]
    raise AssertionError("the provider did not redirect")


def _sso(client: Client, slug: str):
    start = client.get(f"/account/sso/{slug}/")
    assert start.status_code == 302
    assert start["Location"].startswith("http://127.0.0.1:")
    back = urlsplit(_follow_provider(start["Location"]))
    assert back.path == "/account/sso/callback/"
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def provider():
    with LocalOpenIDProvider() as op:
        yield op


@pytest.fixture
def sso_member(org):
    user = UserFactory(username="sso-officer", email="sso.user@example.org")
    MembershipFactory(user=user, organisation=org, role=Role.OFFICER)
    return user


@pytest.fixture
def configured(org, provider):
    return OidcProvider.objects.create(organisation=org, **provider.provider_fields())


def test_sso_signs_a_member_in_end_to_end(client, configured, provider, sso_member, org):
    response = _sso(client, org.slug)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == sso_member.pk
    assert client.get("/").status_code == 200
    # The provider was really asked: authorisation, token, keys, user info.
    assert provider.requests == ["/authorize", "/token", "/jwks", "/userinfo"]
    login = AccessLog.objects.get(kind=AccessKind.LOGIN, user=sso_member)
    assert login.detail == "single sign-on"
    assert login.organisation == org


def test_sso_refuses_a_person_who_is_not_a_member(client, configured, provider, org, db):
    UserFactory(username="stranger", email="sso.user@example.org")  # a user, but not of this organisation

    response = _sso(client, org.slug)

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert AccessLog.objects.filter(kind=AccessKind.LOGIN_FAILED, organisation=org).exists()


def test_sso_refuses_an_id_token_for_another_client(client, configured, provider, sso_member, org):
    provider.audience = "some-other-application"

    response = _sso(client, org.slug)

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_sso_refuses_an_id_token_signed_by_another_key(client, configured, provider, sso_member, org):
    from cryptography.hazmat.primitives.asymmetric import rsa

    published = provider.jwks()
    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # signs with a key not published
    provider.jwks = lambda: published

    response = _sso(client, org.slug)

    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_is_refused(client, configured, provider, sso_member, org):
    start = client.get(f"/account/sso/{org.slug}/")
    back = urlsplit(_follow_provider(start["Location"]))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    other = Client()

    response = other.get(f"{back.path}?{back.query}")  # another browser, same code and state

    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in other.session


def test_unknown_organisation_has_no_sso(client, db):
    assert client.get("/account/sso/nowhere/").status_code == 404
    response = client.post("/account/sso/", {"organisation": "nowhere"}, follow=True)
    assert "No single sign-on is configured" in response.content.decode()


def test_sso_only_refuses_password_sign_in_with_a_clear_message(client, configured, sso_member, org):
    configured.sso_only = True
    configured.save()

    response = client.post("/login/", {"username": sso_member.username, "password": "aims-demo"})

    assert response.status_code == 200
    assert "signs in through single sign-on only" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ... and over the API.
    api = Client().post(
        "/api/v1/auth/token/",
        {"username": sso_member.username, "password": "aims-demo"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "single sign-on only" in api.content.decode()


def test_sso_only_still_signs_in_through_sso(client, configured, provider, sso_member, org):
    configured.sso_only = True
    configured.save()

    _sso(client, org.slug)

    assert int(client.session["_auth_user_id"]) == sso_member.pk


def test_sso_only_leaves_other_organisations_alone(client, configured, members, other_org, outsider):
    configured.sso_only = True
    configured.save()

    response = client.post("/login/", {"username": outsider.username, "password": "aims-demo"})

    assert response.status_code == 302


def test_login_page_offers_sso_when_configured(client, configured):
    assert "Sign in with single sign-on" in client.get("/login/").content.decode()


def test_only_admins_configure_sso(client_for, members, org):
    assert client_for(members["officer"]).get("/account/security/").status_code == 404
    admin = client_for(members["admin"])
    assert admin.get("/account/security/").status_code == 200

    response = admin.post(
        "/account/security/",
        {
            "save_sso": "1",
            "sso-enabled": "on",
            "sso-issuer": "https://id.example.org",
            "sso-client_id": "aims",
            "sso-client_secret": "secret",
            "sso-authorization_endpoint": "https://id.example.org/auth",
            "sso-token_endpoint": "https://id.example.org/token",
            "sso-jwks_uri": "https://id.example.org/jwks",
            "sso-signing_algorithm": "RS256",
            "sso-scopes": "openid email",
            "sso-match_claim": "email",
        },
    )

    assert response.status_code == 302
    assert OidcProvider.objects.get(organisation=org).client_id == "aims"
