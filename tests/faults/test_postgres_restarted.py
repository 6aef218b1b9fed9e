"""Fault: PostgreSQL restarts under a running app. Requests fail cleanly (503 page or JSON, no traceback)
while it is away, and the same app process serves again as soon as it is back.

The app runs in this process behind Django's real WSGI handler (persistent connections with health
checks, as in production) and reaches PostgreSQL through a TCP proxy of the test's own: cutting the
proxy is what the app sees when the server restarts. The machine's PostgreSQL is shared and never stopped.
"""

import json
import threading
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import Client

from tests.faults.helpers import TcpProxy


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _get(url, headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — http to our own test server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def app_behind_proxy(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (SQLite has no server to restart)")
    database = connections.settings["default"]
    proxy = TcpProxy(database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432))
    proxy.restore()
    saved = {key: database.get(key) for key in ("HOST", "PORT", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.ensure_connection()  # the test's own connection stays direct; only the app's goes through the proxy
    # New connections (the server thread's) go through the proxy, persistent and health-checked.
    database.update(HOST="127.0.0.1", PORT=str(proxy.port), CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield proxy, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    proxy.cut()
    database.update(saved)
    if not connection.is_usable():
        connection.close()


def test_postgres_restart_fails_cleanly_and_recovers(app_behind_proxy, org, members, api_for):
    from registry.tests.factories import AISystemFactory

    proxy, base = app_behind_proxy
    AISystemFactory(organisation=org, name="Triage model")
    browser = Client()
    browser.force_login(members["officer"])
    web = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    from accounts import services

    _, key = services.api_token_create(user=members["officer"], organisation=org)
    api = {"Authorization": f"Token {key}", "Accept": "application/json"}
    page_url, api_url = f"{base}/inventory/systems/", f"{base}/api/v1/ai-systems/"

    status, _, body = _get(page_url, web)
    assert status == 200 and "Triage model" in body
    assert _get(api_url, api)[0] == 200

    proxy.cut()  # PostgreSQL goes away: open connections drop, new ones are refused
    for _ in range(2):  # the dropped persistent connection, then a refused new one
        status, headers, body = _get(page_url, web)
        assert status == 503, body[:500]
        assert "temporarily unavailable" in body and "Traceback" not in body
        assert headers["Retry-After"]
        status, headers, body = _get(api_url, api)
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert "temporarily unavailable" in json.loads(body)["detail"]
    assert _get(f"{base}/health/", {})[0] == 503

    proxy.restore()  # back: the same app process serves again, no restart
    status, _, body = _get(page_url, web)
    assert status == 200 and "Triage model" in body
    status, _, body = _get(api_url, api)
    # The large registers answer keyset pages (no ``count``; see aims/api/pagination.py): check the rows.
    assert status == 200 and [row["name"] for row in json.loads(body)["results"]] == ["Triage model"]
