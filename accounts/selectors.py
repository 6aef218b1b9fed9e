"""Reads about users, organisations and memberships."""

from collections.abc import Callable

from accounts.models import AccessLog, ApiToken, AuditorInvitation, Membership

# Per-membership values that higher apps read on every page (name -> builder(user) -> expression), computed as
# subqueries of the one memberships query the middleware makes anyway, so none of them costs a query of its own
# (the navbar's unread-notification count of ``reviews``). Registered with ``register_membership_annotation``.
_REQUEST_ANNOTATIONS: dict[str, Callable] = {}


def register_membership_annotation(name: str, build: Callable) -> None:
    """``build(user)`` returns an expression over a membership row (``OuterRef("organisation")`` is its
    organisation); the value is then ``request.membership.<name>`` on every signed-in browser request."""
    _REQUEST_ANNOTATIONS[name] = build


def memberships_for_user(user):
    """The user's memberships in force (an external auditor's ends at expiry or revocation)."""
    return (
        Membership.objects.effective().filter(user=user).select_related("organisation").order_by("organisation__name")
    )


def memberships_for_request(user):
    """``memberships_for_user`` with the registered per-request annotations (see ``register_membership_annotation``)."""
    memberships = memberships_for_user(user)
    if _REQUEST_ANNOTATIONS:
        memberships = memberships.annotate(**{name: build(user) for name, build in _REQUEST_ANNOTATIONS.items()})
    return memberships


def current_membership(user, organisation_id, memberships=None):
    """The membership for the session's organisation, or the user's first one; ``None`` when they have none.

    ``memberships``: the user's memberships in force when the caller already has them (the middleware keeps
    them on the request for the organisation switcher, so a page reads them once)."""
    if memberships is None:
        memberships = list(memberships_for_user(user))
    if not memberships:
        return None
    for membership in memberships:
        if str(membership.organisation_id) == str(organisation_id):
            break
    else:
        membership = memberships[0]
    # Prime the permission module's cache so the first can() of the request costs no query.
    prime_permission_cache(user, membership)
    return membership


def prime_permission_cache(user, membership) -> None:
    """Tell the permission module what the membership already says (role; not an external auditor), so the
    request's permission checks cost no query."""
    user.__dict__.setdefault("_aims_roles", {})[membership.organisation_id] = membership.role
    if membership.expires_at is None:
        user.__dict__.setdefault("_aims_scopes", {})[membership.organisation_id] = None


def membership_list(organisation):
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username")


def api_tokens_for_user(user, organisation):
    return ApiToken.objects.filter(user=user, organisation=organisation).order_by("-created_at")


def access_log(organisation):
    return AccessLog.objects.filter(organisation=organisation).select_related("user").order_by("-at")


def auditor_invitations(organisation):
    return (
        AuditorInvitation.objects.filter(organisation=organisation)
        .select_related("invited_by", "membership__user")
        .order_by("-created_at")
    )
