"""Single sign-on through OpenID Connect, one provider per organisation (on top of mozilla-django-oidc).

mozilla-django-oidc reads one provider from settings. Here the provider comes from the organisation the
user chose on the sign-in page (``OidcProvider``), remembered in the session between the redirect to the
provider and the callback. The ID token must be signed by the provider's key (JWKS), name our client as its
audience and the provider as its issuer; the user must already be a member of that organisation (matched
by the ``email`` claim, or ``preferred_username``): nobody is created by SSO.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.middleware import SESSION_KEY
from accounts.models import AccessKind, Membership, OidcProvider

SESSION_PROVIDER = "aims_oidc_provider"
logger = logging.getLogger(__name__)


def _provider_settings(provider: OidcProvider) -> dict:
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": provider.authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": provider.token_endpoint,
        "OIDC_OP_USER_ENDPOINT": provider.userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": provider.jwks_uri,
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret,
        "OIDC_RP_SIGN_ALGO": provider.signing_algorithm,
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_RP_IDP_SIGN_KEY": None,
    }


def _provider_from_session(request) -> OidcProvider | None:
    provider_id = request.session.get(SESSION_PROVIDER) if hasattr(request, "session") else None
    if not provider_id:
        return None
    return OidcProvider.objects.select_related("organisation").filter(pk=provider_id, enabled=True).first()


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the provider of the organisation chosen at sign-in."""

    def __init__(self, *args, **kwargs):  # no global provider: settings come per request
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.provider = None

    def get_settings(self, attr, *args):
        if self.provider is not None:
            values = _provider_settings(self.provider)
            if attr in values:
                return values[attr]
        return import_from_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None  # a password sign-in: not ours
        self.provider = _provider_from_session(request)
        if self.provider is None:
            return None
        for attr, value in _provider_settings(self.provider).items():
            setattr(self, attr, value)
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            logger.warning("Single sign-on for %s refused: %s", self.provider.organisation.slug, exc)
            return None

    def _verify_jws(self, payload, key):
        """Check the signature (as the library does) and also the audience and the issuer."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The provider signed with an unexpected algorithm.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return payload  # the ID token's claims are enough
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info does not describe the signed-in subject.")
        return claims

    def verify_claims(self, claims):
        return bool(claims.get(self.provider.match_claim))

    def filter_users_by_claims(self, claims):
        value = claims.get(self.provider.match_claim)
        members = Membership.objects.effective().filter(organisation=self.provider.organisation)
        users = self.UserModel.objects.filter(is_active=True, memberships__in=members)
        if self.provider.match_claim == "email":
            return users.filter(email__iexact=value).distinct()
        return users.filter(username=value).distinct()


def sso_start(request, slug):
    """Begin single sign-on for the organisation ``slug``: off to its provider."""
    provider = get_object_or_404(
        OidcProvider.objects.select_related("organisation"), organisation__slug=slug, enabled=True
    )
    request.session[SESSION_PROVIDER] = str(provider.pk)
    view = OIDCAuthenticationRequestView.__new__(OIDCAuthenticationRequestView)
    values = _provider_settings(provider)
    view.OIDC_OP_AUTH_ENDPOINT = values["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    view.OIDC_RP_CLIENT_ID = values["OIDC_RP_CLIENT_ID"]
    view.get_settings = lambda attr, *args: values[attr] if attr in values else import_from_settings(attr, *args)
    view.request = request
    return view.get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here; on success the organisation becomes the current one."""

    def login_success(self):
        provider = _provider_from_session(self.request)
        response = super().login_success()
        if provider is not None:
            self.request.session[SESSION_KEY] = str(provider.organisation_id)
        return response

    def login_failure(self):
        from accounts.access import record_access

        provider = _provider_from_session(self.request)
        record_access(
            AccessKind.LOGIN_FAILED,
            request=self.request,
            organisation=provider.organisation if provider else None,
            detail="single sign-on refused (no matching member, or the provider's answer was not valid)",
        )
        messages.error(
            self.request,
            _(
                "Single sign-on did not sign you in: your organisation's provider did not confirm an account "
                "that is a member here. Ask your administrator."
            ),
        )
        return redirect("login")


def sso_choose(request):
    """The sign-in page's SSO form posts the organisation slug here."""
    slug = (request.POST.get("organisation") or request.GET.get("organisation") or "").strip().lower()
    if not slug or not OidcProvider.objects.filter(organisation__slug=slug, enabled=True).exists():
        messages.error(request, _("No single sign-on is configured for that organisation."))
        return redirect("login")
    return redirect("accounts:sso-start", slug=slug)
