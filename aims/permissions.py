"""The one place that decides who may do what.

``can(user, action, obj_or_model, organisation)`` answers every question from views, the API, imports
and tasks. It is deny-by-default: a user who is not a member of ``organisation`` may do nothing there,
an unknown action is refused, and a model that declares no policy falls back to officer-only writes.

Actions: ``view``, ``add``, ``change``, ``delete``, ``approve``, ``export`` and ``manage`` (members,
tokens and settings of the organisation).
"""

from __future__ import annotations

from aims.roles import Role

ACTIONS = frozenset({"view", "add", "change", "delete", "approve", "export", "manage"})
WRITE_ACTIONS = frozenset({"add", "change", "delete", "approve"})

# What each role may do to an ordinary domain record, before ownership is considered.
_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"view", "export", "manage"}),
    Role.OFFICER: frozenset({"view", "add", "change", "delete", "approve", "export"}),
    Role.CONTRIBUTOR: frozenset({"view", "add", "change", "delete"}),  # change/delete: own records only
    Role.AUDITOR: frozenset({"view", "export"}),
    Role.VIEWER: frozenset({"view"}),
}
_OWNERSHIP_BOUND = frozenset({"change", "delete"})
_AUDITOR_ON_AUDIT_RECORDS = frozenset({"view", "add", "change", "export"})
# Organisation-level records (members, tokens, settings) are the administrator's.
_ACCOUNT_MODELS = frozenset({"accounts.membership", "accounts.organisation", "accounts.apitoken"})


def role_of(user, organisation) -> str | None:
    """The user's role in ``organisation``, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    cache = user.__dict__.setdefault("_aims_roles", {})
    key = organisation.pk
    if key not in cache:
        from accounts.models import Membership

        cache[key] = Membership.objects.filter(user=user, organisation_id=key).values_list("role", flat=True).first()
    return cache[key]


def forget_roles(user) -> None:
    """Drop the cached roles (after a membership changes within the same request or test)."""
    user.__dict__.pop("_aims_roles", None)


def can(user, action: str, obj_or_model, organisation) -> bool:
    """May ``user`` perform ``action`` on ``obj_or_model`` (an instance or a model class) in ``organisation``?"""
    if action not in ACTIONS:
        return False
    role = role_of(user, organisation)
    if role is None:
        return False
    is_instance = not isinstance(obj_or_model, type)
    model = type(obj_or_model) if is_instance else obj_or_model
    if is_instance and getattr(obj_or_model, "organisation_id", organisation.pk) != organisation.pk:
        return False
    meta = getattr(model, "_meta", None)
    label = meta.label_lower if meta is not None else ""

    if label in _ACCOUNT_MODELS:
        if action == "view":
            return True
        return role == Role.ADMIN

    if getattr(model, "AUDITOR_WRITABLE", False) and role == Role.AUDITOR:
        return action in _AUDITOR_ON_AUDIT_RECORDS

    allowed = _ROLE_ACTIONS.get(role, frozenset())
    if action not in allowed:
        return False
    if role == Role.CONTRIBUTOR and action == "add" and not getattr(model, "CONTRIBUTOR_MAY_ADD", True):
        return False
    if role == Role.CONTRIBUTOR and action in _OWNERSHIP_BOUND:
        # Without an instance the question is "may they ever?": yes, for what they own.
        return not is_instance or obj_or_model.is_owned_by(user)
    return True


def can_for_request(request, action: str, obj_or_model) -> bool:
    """``can`` with the request's user and organisation; read-only API tokens never write."""
    token = getattr(request, "auth", None)
    if action in WRITE_ACTIONS | {"manage"} and getattr(token, "read_only", False):
        return False
    return can(request.user, action, obj_or_model, getattr(request, "organisation", None))
