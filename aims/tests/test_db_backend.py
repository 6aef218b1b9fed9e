"""The PostgreSQL backend's health check of a reused connection (aims/db/postgresql/base.py): no round trip while
the server has said nothing, Django's ``SELECT 1`` once it has (here: it terminated the connection)."""

import time

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend")


def _terminate_from_elsewhere(pid: int) -> None:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_the_server_closed_is_found_unusable_and_replaced(transactional_db, monkeypatch):
    asked = []
    usual = django_postgresql.DatabaseWrapper.is_usable
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(1) or usual(self))
    assert type(connections["default"]).__module__ == "aims.db.postgresql.base"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    assert connection.is_usable() and asked == []  # nothing to read: usable, without a query

    _terminate_from_elsewhere(pid)
    for _ in range(50):  # the server's FATAL reaches the socket
        if not connection.is_usable():
            break
        time.sleep(0.05)
    assert asked, "something arrived on the socket: Django's own check was asked"
    assert not connection.is_usable()

    # What a request does first: the dead connection is replaced, the request's query answers.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
