"""One migrated test database per run, cloned for each pytest-xdist worker (PostgreSQL only).

Without this every worker migrates a database of its own from nothing, all at the same moment: on CI's two
cores that took each worker some 49 s before its first test. Here the first worker to arrive migrates a
template database while the others wait on an advisory lock, and every worker then copies the template with
``CREATE DATABASE ... TEMPLATE`` (a file copy, about a second). pytest-django's usual set-up then runs on the
copy as with ``--reuse-db``: ``migrate`` finds nothing to apply, which also proves the copy is current.

The controller gives every worker the same run id; the template carries it as its comment, so a template
left by an earlier run (or by an earlier version of the migrations) is never used, and the controller drops
the template when the run ends. Anything else (SQLite, one process, ``--reuse-db``, ``--nomigrations``) keeps
pytest-django's own set-up.
"""

import uuid

RUN_ID_KEY = "aims_database_template_run"


def new_run_id() -> str:
    return uuid.uuid4().hex


def template_name(settings_dict) -> str:
    return f"test_{settings_dict['NAME']}_template"


def applies(config, *, use_migrations: bool, keepdb: bool) -> bool:
    from django.db import connection

    worker_input = getattr(config, "workerinput", None)
    return bool(
        worker_input
        and RUN_ID_KEY in worker_input
        and use_migrations
        and not keepdb
        and connection.vendor == "postgresql"
    )


def clone_for_worker(config, verbosity: int = 0) -> None:
    """Create this worker's test database as a copy of the run's template, migrating the template first if
    no worker has yet. Call with database access unblocked, before pytest-django's set-up."""
    from django.db import connection

    run_id = config.workerinput[RUN_ID_KEY]
    template = template_name(connection.settings_dict)
    worker_database = connection.creation._get_test_db_name()
    quote = connection.ops.quote_name
    # The lock is held by this maintenance connection until it closes: one worker at a time migrates or copies.
    with connection.creation._nodb_cursor() as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])
        lock.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        )
        row = lock.fetchone()
        if row is None or row[0] != run_id:
            _migrate_template(connection, template, verbosity)
            lock.execute(f"COMMENT ON DATABASE {quote(template)} IS %s", [run_id])
        lock.execute(f"DROP DATABASE IF EXISTS {quote(worker_database)} WITH (FORCE)")
        lock.execute(f"CREATE DATABASE {quote(worker_database)} WITH TEMPLATE {quote(template)}")
    config.aims_database_template = template


def _migrate_template(connection, template: str, verbosity: int) -> None:
    """Django's own test-database creation, under the template's name; the connection's settings are put back
    afterwards (create_test_db points them at the database it made)."""
    from django.conf import settings

    saved_settings = dict(settings.DATABASES[connection.alias])
    saved_connection = dict(connection.settings_dict)
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": template}
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, keepdb=False)
    finally:
        connection.close()
        # Usually one dict, but restored in place either way: other code holds references to both.
        for current, saved in (
            (settings.DATABASES[connection.alias], saved_settings),
            (connection.settings_dict, saved_connection),
        ):
            current.clear()
            current.update(saved)


def drop_template() -> None:
    """Drop the run's template (the controller, once every worker is done)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template_name(connection.settings_dict))}")
