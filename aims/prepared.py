"""Server-side prepared statements for the few queries every API request repeats (PostgreSQL only).

PostgreSQL plans a query afresh each time it receives it as text: planning the API's page query (some 35
columns, four joins, an ``ARRAY(SELECT ...)`` per linked register) took 0.5-0.8 ms against 0.25 ms to run it.
A prepared statement is planned once per connection; from its sixth run PostgreSQL keeps a generic plan
when that plan is no costlier than the custom ones, and planning drops to some 0.01 ms.

Django binds parameters on the client by default (psycopg's ``ClientCursor``, which never prepares), and it
keeps every other query that way: its ORM does not promise SQL that is valid with server-side parameters in
every case (Django ticket #20516: a parameter whose type PostgreSQL cannot infer, the same expression twice in
``SELECT`` and ``GROUP BY``). ``run_prepared`` binds on the server only what its callers run through it (the
token query, the fast path's object read and default page, the Statement of Applicability's ``CompiledQuery``
reads), and only outside a transaction, so a query PostgreSQL refuses in that form is simply run again as usual
(a statement that fails in autocommit mode leaves nothing behind).

Only statements whose best plan is the same for every organisation may be prepared: PostgreSQL keeps a
generic plan when its cost, estimated for an average organisation, is no higher than the custom plans', and
one organisation may hold half of a register. The token query (a unique key), an object read (a primary key),
a list page in its default ordering (an ``(organisation, ordering)`` index read) and the Statement of
Applicability (one per organisation, one line per Annex A control: some 40 rows whatever the organisation's
size) qualify; a filtered, searched or otherwise ordered page does not
(``FastListMixin._plan_fits_every_organisation``).

psycopg prepares a statement after ``prepare_threshold`` runs on the same connection (``DATABASES["default"]
["OPTIONS"]["prepare_threshold"]``, from ``DB_PREPARE_THRESHOLD``; Django's default, None, turns it off) and
keeps at most ``prepared_max`` (100) per connection, the least recently used deallocated first. Behind a
connection pooler in transaction mode that does not track prepared statements (PgBouncer before 1.21, or
without ``max_prepared_statements``), set ``DB_PREPARE_THRESHOLD=off``.
"""

from __future__ import annotations

import logging
import uuid

from django.db import DataError, ProgrammingError, connections

logger = logging.getLogger(__name__)


def _server_binding_cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor

    return ServerBindingCursor


def prepared_statements_enabled(connection) -> bool:
    return (
        connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def run_prepared(using: str, run):
    """``run()``, its queries bound on the server (so psycopg prepares those it sees again), when the database
    is PostgreSQL with prepared statements on and no transaction is open; otherwise as usual. ``run`` must be
    repeatable: when PostgreSQL refuses a query in that form (a type it cannot infer), it runs again with the
    parameters bound on the client, as every other query is."""
    connection = connections[using]
    if not prepared_statements_enabled(connection) or connection.in_atomic_block:
        return run()
    connection.close_if_health_check_failed()  # its ``SELECT 1`` is no statement of ours
    connection.ensure_connection()
    raw = connection.connection
    usual = raw.cursor_factory
    raw.cursor_factory = _server_binding_cursor()
    try:
        return run()
    except (ProgrammingError, DataError) as exc:
        logger.warning("A query refused with server-side parameters ran again with client-side ones: %s", exc)
    finally:
        raw.cursor_factory = usual
    return run()


class CompiledQuery:
    """A query whose SQL never changes but for its key parameters, compiled by the ORM once per database.

    Building a queryset and compiling it cost CPU at every request, however small the query: the SoA's check for
    a missing line (``Exists`` within ``Exists``) took some 1.7 ms to build and compile against 0.3 ms to run, and
    its lines (four joins) 1.1 ms against 0.5 ms. ``build`` gets a marker (a fresh UUID) for each parameter named
    in ``params`` and returns the queryset; its SQL and where the markers sit among its parameters are kept, and
    ``rows(**values)`` binds the request's values there. The rows are what the queryset's ``values()`` would give
    (dicts; the ORM's converters applied), run through ``run_prepared``: use it only for a query whose best plan is
    the same for every organisation. The parameters are primary keys (UUIDs). The compiler kept for its converters
    (text to UUID, integer to boolean on SQLite) reads nothing of the connection it was compiled on but settings.
    """

    def __init__(self, build, *params: str):
        self.build, self.params = build, params
        self._compiled: dict = {}

    def _compile(self, using: str):
        connection = connections[using]
        key = (using, connection.vendor)
        if key not in self._compiled:
            markers = {name: uuid.uuid4() for name in self.params}
            compiled = _compiled_form(self.build(**markers), using, markers)
            if compiled is None:
                raise ValueError(f"Every parameter of a compiled query must reach its SQL: {self.params}")
            self._compiled[key] = compiled
        return self._compiled[key]

    @classmethod
    def of(cls, queryset, using: str, **values) -> CompiledQuery | None:
        """``queryset``, built for ``values`` (primary keys), compiled so that ``rows`` binds other values in their
        places: for a query whose shape is known to be the same for every value of those keys. None when one of
        them is not among the SQL's parameters. Every parameter equal to a value takes the new one (a UUID does
        not turn up by chance)."""
        compiled = _compiled_form(queryset, using, values)
        if compiled is None:
            return None
        query = cls(None, *values)
        query._compiled[(using, connections[using].vendor)] = compiled
        return query

    def rows(self, using: str = "default", **values) -> list[dict]:
        compiler, sql, params, slots, converters, names = self._compile(using)
        params = list(params)
        for position, name, form in slots:
            value = values[name] if isinstance(values[name], uuid.UUID) else uuid.UUID(str(values[name]))
            params[position] = value.hex if form == "hex" else value

        def run():
            with connections[using].cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows = run_prepared(using, run)
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=False)) for row in rows]


def _compiled_form(queryset, using: str, markers: dict) -> tuple | None:
    """(compiler, SQL, parameters, where each key sits among them, converters, column names) of ``queryset``,
    whose parameters hold the UUIDs of ``markers`` in the keys' places; None when a key is not among them."""
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    slots = []
    for position, param in enumerate(params):
        for name, marker in markers.items():
            if param == marker:
                slots.append((position, name, None))
            elif param == marker.hex:  # a database without a UUID type binds its text
                slots.append((position, name, "hex"))
    if sorted({name for _, name, _ in slots}) != sorted(markers):
        return None
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    query = compiler.query  # the names of its columns, as ValuesIterable reads them
    names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
    return compiler, sql, tuple(params), tuple(slots), converters, names
