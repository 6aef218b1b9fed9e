"""Server-side prepared statements for the few queries every API request repeats (PostgreSQL only).

PostgreSQL plans a query afresh each time it receives it as text: planning the API's page query (some 35
columns, four joins, an ``ARRAY(SELECT ...)`` per linked register) took 0.5-0.8 ms against 0.25 ms to run it.
A prepared statement is planned once per connection; from its sixth run PostgreSQL keeps a generic plan
when that plan is no costlier than the custom ones, and planning drops to some 0.01 ms.

Django binds parameters on the client by default (psycopg's ``ClientCursor``, which never prepares), and it
keeps every other query that way: its ORM does not promise SQL that is valid with server-side parameters in
every case (Django ticket #20516: a parameter whose type PostgreSQL cannot infer, the same expression twice in
``SELECT`` and ``GROUP BY``). ``run_prepared`` binds on the server only what its callers run through it (the
token query, the fast path's object read and default page), and only outside a transaction, so a query PostgreSQL refuses in
that form is simply run again as usual (a statement that fails in autocommit mode leaves nothing behind).

Only statements whose best plan is the same for every organisation may be prepared: PostgreSQL keeps a
generic plan when its cost, estimated for an average organisation, is no higher than the custom plans', and
one organisation may hold half of a register. The token query (a unique key), an object read (a primary key)
and a list page in its default ordering (an ``(organisation, ordering)`` index read) qualify; a filtered,
searched or otherwise ordered page does not (``FastListMixin._plan_fits_every_organisation``).

psycopg prepares a statement after ``prepare_threshold`` runs on the same connection (``DATABASES["default"]
["OPTIONS"]["prepare_threshold"]``, from ``DB_PREPARE_THRESHOLD``; Django's default, None, turns it off) and
keeps at most ``prepared_max`` (100) per connection, the least recently used deallocated first. Behind a
connection pooler in transaction mode that does not track prepared statements (PgBouncer before 1.21, or
without ``max_prepared_statements``), set ``DB_PREPARE_THRESHOLD=off``.
"""

from __future__ import annotations

import logging

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
