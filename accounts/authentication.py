"""``Authorization: Token <key>`` authentication against hashed, revocable, organisation-bound tokens."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.locale import activate_for_request
from accounts.models import AccessKind, ApiToken
from accounts.selectors import api_token_with_membership, prime_permission_cache


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: expected 'Token <key>'."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        # One query for the token, its user, organisation and membership (every API request pays it).
        found = api_token_with_membership(ApiToken.hash_key(key))
        if found is None or not found[0].user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token, membership = found
        if membership is None:
            # The user left the organisation: the token dies with the membership.
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.mark_used():  # at most once a minute per token, like last_used_at
            from accounts.access import record_access

            record_access(
                AccessKind.TOKEN_USED,
                request=request._request,
                user=token.user,
                organisation=token.organisation,
                detail=f"{token.name} ({token.prefix}…)",
            )
        user = token.user
        prime_permission_cache(user, membership)
        # The token decides the organisation for this request, whatever the session says.
        request._request.membership = membership
        request._request.organisation = token.organisation
        # The database as this request found it (None: unknown); aims.api.page_cache reuses answers by it.
        request._request.database_snapshot = token.database_snapshot
        # The locale middleware ran before DRF knew who this is: now the user's language and time zone apply.
        activate_for_request(request._request, user=user, organisation=token.organisation)
        return user, token

    def authenticate_header(self, request):
        return self.keyword
