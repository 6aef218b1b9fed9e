"""The one place that decides who may do what.

``can(user, action, obj_or_model, organisation)`` answers every question from views, the API, imports
and tasks. It is deny-by-default: a user who is not a member of ``organisation`` may do nothing there,
an unknown action is refused, and a model that declares no policy falls back to officer-only writes.

Actions: ``view``, ``add``, ``change``, ``delete``, ``approve``, ``export`` and ``manage`` (members,
tokens and settings of the organisation).

Roles: an ``owner`` holds an administrator's and an officer's rights together (the creator of an organisation,
so that one person can set it up); ``administers(role)`` and ``has_officer_rights(role)`` answer "is this an
administrator?" and "is this an AIMS officer?" for code that needs the role itself rather than ``can``.
"""

from __future__ import annotations

from aims.roles import Role

ACTIONS = frozenset({"view", "add", "change", "delete", "approve", "export", "manage"})
WRITE_ACTIONS = frozenset({"add", "change", "delete", "approve"})

# Who holds the administrator's rights (members, tokens, settings) and who the AIMS officer's (every register).
ADMIN_ROLES = frozenset({Role.OWNER, Role.ADMIN})
OFFICER_ROLES = frozenset({Role.OWNER, Role.OFFICER})


def administers(role: str | None) -> bool:
    """Does ``role`` hold the administrator's rights (an owner or an administrator)?"""
    return role in ADMIN_ROLES


def has_officer_rights(role: str | None) -> bool:
    """Does ``role`` hold the AIMS officer's rights on the registers (an owner or an officer)?"""
    return role in OFFICER_ROLES


# What each role may do to an ordinary domain record, before ownership is considered.
_ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"view", "add", "change", "delete", "approve", "export", "manage"}),
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
# Security records: the access log is read (and exported) by administrators and officers; both may invite
# external auditors; single sign-on is configured by administrators only.
_SECURITY_READERS = ADMIN_ROLES | OFFICER_ROLES
_SECURITY_MODELS: dict[str, frozenset[str]] = {
    "accounts.accesslog": frozenset({"view", "export"}),
    "accounts.auditorinvitation": frozenset({"view", "add", "change", "delete"}),
}
_ADMIN_ONLY_MODELS = frozenset({"accounts.oidcprovider"})

# What an external auditor (an auditor membership with an end date, from an invitation) may read: these
# models only, and of them only what their invitation's scope names. The value is the field holding the
# audit's id ("pk" for the audit itself). Higher apps add theirs with ``register_external_scope`` (the
# evidence packs of ``reports``). Anything not listed is refused: deny by default.
_EXTERNAL_SCOPED: dict[str, str] = {
    "audits.audit": "pk",
    "audits.checklistitem": "audit_id",
    "audits.finding": "audit_id",
}
_EXTERNAL_ACTIONS = frozenset({"view", "export"})


def register_external_scope(model_label: str, audit_field: str) -> None:
    """Let external auditors read ``model_label`` records whose ``audit_field`` names an audit in their scope.

    ``audit_field`` is ``"pk"`` for audits themselves, ``"audit_id"`` for records of one audit, or ``""`` for
    records that belong to the whole organisation's audit work (visible only with a whole-organisation scope).
    """
    _EXTERNAL_SCOPED[model_label.lower()] = audit_field


def role_of(user, organisation) -> str | None:
    """The user's role in ``organisation``, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    cache = user.__dict__.setdefault("_aims_roles", {})
    key = organisation.pk
    if key not in cache:
        from accounts.models import Membership

        # Only memberships in force: an external auditor's ends at its expiry or revocation.
        cache[key] = (
            Membership.objects.effective().filter(user=user, organisation_id=key).values_list("role", flat=True).first()
        )
    return cache[key]


def forget_roles(user) -> None:
    """Drop the cached roles (after a membership changes within the same request or test)."""
    user.__dict__.pop("_aims_roles", None)
    user.__dict__.pop("_aims_scopes", None)


class ExternalScope:
    """What an external auditor's invitation opens: every audit (``audit_ids`` None) or the named ones."""

    def __init__(self, audit_ids):
        self.audit_ids = frozenset(str(i) for i in audit_ids) if audit_ids else None

    @property
    def whole_organisation(self) -> bool:
        return self.audit_ids is None


def external_scope(user, organisation) -> ExternalScope | None:
    """The external-auditor scope of ``user`` in ``organisation``; ``None`` for an ordinary member."""
    if user is None or not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    cache = user.__dict__.setdefault("_aims_scopes", {})
    key = organisation.pk
    if key not in cache:
        from accounts.models import Membership

        row = (
            Membership.objects.filter(user=user, organisation_id=key, expires_at__isnull=False)
            .values_list("pk", "invitation__audit_ids")
            .first()
        )
        cache[key] = ExternalScope(row[1]) if row else None
    return cache[key]


def auditor_scope_allows(user, organisation, obj) -> bool:
    """May ``user`` see ``obj`` as far as an external auditor's scope goes? Always true for ordinary members.

    Call it for any object an external auditor could reach outside ``can`` (evidence packs built from an
    audit, a download): records of unlisted models are refused, records of another audit too.
    """
    scope = external_scope(user, organisation)
    if scope is None:
        return True
    label = obj._meta.label_lower
    if label not in _EXTERNAL_SCOPED or getattr(obj, "organisation_id", None) != organisation.pk:
        return False
    field = _EXTERNAL_SCOPED[label]
    if scope.whole_organisation:
        return True
    if not field:
        return False
    return str(getattr(obj, field, "")) in scope.audit_ids


def scope_queryset(queryset, user, organisation):
    """Narrow a queryset to an external auditor's scope (unchanged for ordinary members)."""
    scope = external_scope(user, organisation)
    if scope is None:
        return queryset
    field = _EXTERNAL_SCOPED.get(queryset.model._meta.label_lower)
    if field is None:
        return queryset.none()
    if scope.whole_organisation:
        return queryset
    if not field:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": list(scope.audit_ids)})


def reads_whole_organisation(user, model, organisation) -> bool:
    """True when ``Model.objects.visible_to(user, organisation)`` is the organisation's records and nothing narrower:
    the user's role may view the model there and no audit scope applies. Code that keeps one compiled query for
    every such reader, with only the organisation bound (the API's first pages), asks this."""
    return (
        organisation is not None
        and can(user, "view", model, organisation)
        and external_scope(user, organisation) is None
    )


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

    if external_scope(user, organisation) is not None:
        # External auditors read their scope and nothing else, whatever their role says.
        if label == "accounts.organisation":
            return action == "view"
        if action not in _EXTERNAL_ACTIONS or label not in _EXTERNAL_SCOPED:
            return False
        return not is_instance or auditor_scope_allows(user, organisation, obj_or_model)

    if label in _SECURITY_MODELS:
        return role in _SECURITY_READERS and action in _SECURITY_MODELS[label]
    if label in _ADMIN_ONLY_MODELS:
        return administers(role)

    if label in _ACCOUNT_MODELS:
        if action == "view":
            return True
        return administers(role)

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


def may_assign_role(actor, organisation, *, current: str | None, new: str | None) -> bool:
    """May ``actor`` give a member the role ``new`` (``None``: remove them) when they hold ``current`` (``None``:
    not a member yet)? Administrators manage members, but only an owner makes an owner or changes an owner's
    role: otherwise an administrator could take the officer's rights and undo the separation of duties."""
    role = role_of(actor, organisation)
    if not administers(role) or external_scope(actor, organisation) is not None:
        return False
    if Role.OWNER in (current, new):
        return role == Role.OWNER
    return True


def can_for_request(request, action: str, obj_or_model) -> bool:
    """``can`` with the request's user and organisation; read-only API tokens never write."""
    token = getattr(request, "auth", None)
    if action in WRITE_ACTIONS | {"manage"} and getattr(token, "read_only", False):
        return False
    return can(request.user, action, obj_or_model, getattr(request, "organisation", None))
