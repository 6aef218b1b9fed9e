"""Under pytest-xdist on PostgreSQL each worker's test database is a copy of one template migrated per run."""

import pytest
from django.db import connection

from tests import database_template


def test_an_xdist_worker_on_postgresql_starts_from_this_runs_template(db, request):
    template = getattr(request.config, "aims_database_template", None)
    if not database_template.applies(
        request.config,
        use_migrations=not request.config.getvalue("nomigrations"),
        keepdb=bool(request.config.getvalue("reuse_db") and not request.config.getvalue("create_db")),
    ):
        assert template is None
        pytest.skip("only under pytest-xdist on PostgreSQL without --reuse-db")
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        )
        (comment,) = cursor.fetchone()
    assert comment == request.config.workerinput[database_template.RUN_ID_KEY]
    assert connection.settings_dict["NAME"] != template  # the worker works on its copy
