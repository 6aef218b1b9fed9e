"""Platform foundation: health check, the task queue and the error pages (the demo data: test_demo_data.py)."""

import time

import pytest
from celery import Celery
from django.db import transaction
from kombu.exceptions import OperationalError

from aims import jobs, tasks
from aims.roles import Role

# --- Health --------------------------------------------------------------------------------------------


def test_health_reports_database_and_broker(client, db):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert body["version"]


def test_health_needs_no_sign_in_and_reveals_no_detail(client, db):
    body = client.get("/health/").content.decode()

    assert "password" not in body.lower()
    assert "redis://" not in body and "postgres" not in body


def test_health_is_503_when_the_broker_is_down(client, db, monkeypatch):
    from aims import celery as celery_module

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(celery_module.app, "connection_for_write", refuse)

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "OperationalError"


# --- Tasks and the queue -------------------------------------------------------------------------------


def test_ping_task_runs():
    assert tasks.ping.apply().get() == "pong"


def test_heartbeat_task_records_in_cache():
    from django.core.cache import cache

    cache.delete(tasks.HEARTBEAT_CACHE_KEY)

    stamp = tasks.heartbeat.apply().get()

    assert cache.get(tasks.HEARTBEAT_CACHE_KEY) == stamp


def test_platform_tasks_are_registered_and_scheduled():
    from django.conf import settings

    from aims.celery import app

    assert "aims.tasks.ping" in app.tasks
    assert "aims.tasks.heartbeat" in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] in app.tasks


def test_send_now_queues_the_task(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.ping, "apply_async", lambda **kwargs: sent.append(kwargs) or "queued")

    assert jobs.send_now(tasks.ping, 1, flag=True) == "queued"
    assert sent == [{"args": (1,), "kwargs": {"flag": True}, "retry": False}]


@pytest.mark.parametrize("error", [OperationalError("broker down"), ConnectionRefusedError(111, "refused")])
def test_send_now_raises_broker_unavailable(monkeypatch, error):
    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(tasks.ping, "apply_async", refuse)

    started = time.monotonic()
    with pytest.raises(jobs.BrokerUnavailable) as info:
        jobs.send_now(tasks.ping)

    assert time.monotonic() - started < 1
    assert "unavailable" in str(info.value)
    assert info.value.__cause__ is error


def test_send_now_fails_fast_against_an_unreachable_broker():
    # A real Redis broker on a port where nothing listens: no retries, so it fails in seconds, not minutes.
    app = Celery("unreachable", broker="redis://127.0.0.1:1/0", set_as_current=False)
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_retry = False

    @app.task(name="unreachable.noop")
    def noop():
        return None

    started = time.monotonic()
    with pytest.raises(jobs.BrokerUnavailable):
        jobs.send_now(noop)

    assert time.monotonic() - started < 10


def test_enqueue_on_commit_sends_only_after_commit(db, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.ping, "apply_async", lambda **kwargs: sent.append(kwargs))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            jobs.enqueue_on_commit(tasks.ping, "a", key="b")
            assert sent == []
        assert sent == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [{"args": ("a",), "kwargs": {"key": "b"}, "retry": False}]


def test_enqueue_on_commit_sends_nothing_on_rollback(transactional_db, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.ping, "apply_async", lambda **kwargs: sent.append(kwargs))

    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue_on_commit(tasks.ping)
        raise RuntimeError("rolled back")

    assert sent == []

    with transaction.atomic():
        jobs.enqueue_on_commit(tasks.ping)
    assert len(sent) == 1


def test_enqueue_on_commit_reports_broker_failure_to_on_error(db, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(**kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(tasks.ping, "apply_async", refuse)
    errors = []

    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(tasks.ping, on_error=errors.append)

    assert len(errors) == 1
    assert isinstance(errors[0], jobs.BrokerUnavailable)


def test_enqueue_on_commit_without_on_error_raises(db, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(**kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(tasks.ping, "apply_async", refuse)

    with pytest.raises(jobs.BrokerUnavailable), django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(tasks.ping)


def test_broker_unavailable_in_the_api_is_503_json():
    from rest_framework.test import APIRequestFactory

    from aims.api.exceptions import exception_handler

    request = APIRequestFactory().get("/api/v1/anything/")
    response = exception_handler(jobs.BrokerUnavailable("queue down"), {"request": request, "view": None})

    assert response.status_code == 503
    assert response.data == {"detail": "queue down"}


# --- Error pages ---------------------------------------------------------------------------------------


def test_404_for_a_signed_in_user_is_in_the_product_layout(client_for, officer, org, settings):
    assert settings.DEBUG is False

    response = client_for(officer).get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="h4">Not found</h1>' in html
    assert "aims-navbar" in html
    assert f'<span data-testid="current-organisation">{org.name}</span>' in html
    assert 'href="/static/css/aims.css"' in html


def test_404_for_an_anonymous_visitor_has_no_navigation(client, db):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert "aims-navbar" not in html


def test_403_is_in_the_product_layout(client_for, members, org):
    response = client_for(members["viewer"]).post(
        "/account/members/", {"username": members["officer"].username, "role": Role.ADMIN}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="h4">Not allowed</h1>' in html
    assert "aims-navbar" in html


def test_500_page_renders_without_a_request_context(rf, db):
    from aims.views import error_500

    response = error_500(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
