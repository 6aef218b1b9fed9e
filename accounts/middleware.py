"""Sets ``request.organisation`` and ``request.role`` for signed-in browser sessions.

The current organisation is kept in the session; it is always re-checked against the user's memberships,
so a stale or forged session value never opens another organisation. API requests authenticated by a
token get the token's organisation instead (see ``aims.api.views.OrganisationScopedMixin``).
"""

from accounts.selectors import current_membership

SESSION_KEY = "aims_organisation_id"


class CurrentOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Resolved eagerly: a lazy wrapper around None would pass every `is None` check downstream.
        membership = None
        if request.user.is_authenticated:
            membership = current_membership(request.user, request.session.get(SESSION_KEY))
        request.membership = membership
        request.organisation = membership.organisation if membership else None
        return self.get_response(request)
