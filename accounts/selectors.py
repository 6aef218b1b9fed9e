"""Reads about users, organisations and memberships."""

from collections.abc import Callable

from django.db import connections, router
from django.utils import timezone

from accounts.models import AccessLog, ApiToken, AuditorInvitation, Membership, Organisation
from aims.prepared import run_prepared

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


def api_token_with_membership(key_hash: str):
    """``(token, membership)`` for an active token by the SHA-256 of its key, in ONE query: the token, its user
    and organisation, and the user's membership in that organisation. ``None`` when no active token has that
    hash, and ``(token, None)`` when the user has no membership in force there (left, removed, or an external
    auditor's access ended): the token dies with the membership.

    Every API request authenticates, so this is read on every request and never cached: a revoked token, a
    removed or changed membership or a deactivated user take effect on the next request, whichever process
    serves it and whatever wrote the change (a service, the admin site, SQL).

    On PostgreSQL outside a transaction, ``token.database_snapshot`` is the snapshot the query ran under
    (``pg_current_snapshot()``: the transactions it saw committed), else None."""
    return _TOKEN_QUERY.run(key_hash)


class _TokenQuery:
    """The one query of token authentication, written once per database from the models' columns.

    Its shape never changes (only the hash does), so the SQL is built once instead of by the ORM on every
    request: building and compiling the same select_related query with its membership join cost about 2.5 ms
    of CPU per API request, the query itself 0.1 ms. Rows become model instances through ``Model.from_db``
    with the database's converters applied, as the ORM does.
    """

    def __init__(self):
        self._built: dict[str, tuple] = {}

    def _build(self, connection):
        from django.contrib.auth import get_user_model
        from django.db.models.expressions import Col

        quote = connection.ops.quote_name
        parts = [("t", ApiToken), ("u", get_user_model()), ("o", Organisation), ("m", Membership)]
        columns, layout = [], []
        for alias, model in parts:
            fields = model._meta.concrete_fields
            columns += [f"{alias}.{quote(field.column)}" for field in fields]
            converters = []
            for field in fields:
                expression = Col(alias, field)
                found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
                converters.append((found, expression))
            layout.append((model, [field.attname for field in fields], converters))

        def column(model, name):
            return quote(model._meta.get_field(name).column)

        token, user, organisation, membership = (model for _, model in parts)
        # Identifiers come from the models' metadata, quoted; the hash is the one parameter.
        user_id, organisation_id = f"t.{column(token, 'user')}", f"t.{column(token, 'organisation')}"
        clauses = [
            f"SELECT {', '.join(columns)}",
            f"FROM {quote(token._meta.db_table)} t",
            f"INNER JOIN {quote(user._meta.db_table)} u ON u.{column(user, 'id')} = {user_id}",
            f"INNER JOIN {quote(organisation._meta.db_table)} o ON o.{column(organisation, 'id')} = {organisation_id}",
            f"LEFT OUTER JOIN {quote(membership._meta.db_table)} m ON m.{column(membership, 'user')} = {user_id}",
            f"AND m.{column(membership, 'organisation')} = {organisation_id}",
            f"WHERE t.{column(token, 'key_hash')} = %s AND t.{column(token, 'revoked_at')} IS NULL",
        ]
        if connection.vendor == "postgresql":
            # Which transactions this read saw committed: a version of the whole database that PostgreSQL keeps
            # itself, read in the same statement at no extra cost (aims.api.page_cache keys answers on it).
            clauses[0] += ", pg_current_snapshot()::text"
        sql = " ".join(clauses)
        return sql, layout

    def run(self, key_hash: str):
        connection = connections[router.db_for_read(ApiToken)]
        key = f"{connection.alias}:{connection.vendor}"
        if key not in self._built:
            self._built[key] = self._build(connection)
        sql, layout = self._built[key]

        def fetch():
            with connection.cursor() as cursor:
                cursor.execute(sql, [key_hash])
                return cursor.fetchone()

        row = run_prepared(connection.alias, fetch)  # the same statement on every request: planned once
        if row is None:
            return None
        # Inside a transaction the snapshot does not show the transaction's own writes: no version then.
        snapshot = row[-1] if connection.vendor == "postgresql" and not connection.in_atomic_block else None
        instances, start = [], 0
        for model, names, converters in layout:
            values = list(row[start : start + len(names)])
            start += len(names)
            for i, (functions, expression) in enumerate(converters):
                for function in functions:
                    values[i] = function(values[i], expression, connection)
            instances.append((model, names, values))
        (_, *token_row), (user_model, *user_row), (_, *organisation_row), (_, *membership_row) = instances
        token = ApiToken.from_db(connection.alias, *token_row)
        token.database_snapshot = snapshot
        token.user = user_model.from_db(connection.alias, *user_row)
        token.organisation = Organisation.from_db(connection.alias, *organisation_row)
        found = dict(zip(*membership_row, strict=True))
        # Membership.objects.effective(): without an end, or ending later than now.
        if found["id"] is None or (found["expires_at"] is not None and found["expires_at"] <= timezone.now()):
            return token, None
        membership = Membership.from_db(connection.alias, *membership_row)
        membership.user, membership.organisation = token.user, token.organisation
        return token, membership


_TOKEN_QUERY = _TokenQuery()


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
