"""Fault: Redis (cache and job broker) stops. The web UI and API keep serving, a job is refused with a
clear message while it is down, and once Redis is back a job is queued and a worker runs it.

Uses a private redis-server on a free port (the machine's Redis is shared and never touched).
"""

import os
import shutil
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from aims import jobs, tasks
from aims.celery import app as celery_app

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def _reset_connections():
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture
def redis(tmp_path):
    from tests.faults.helpers import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "broker_transport_options")}
    celery_app.conf.update(broker_url=f"{server.url}/0", result_backend=None, broker_transport_options={})
    _reset_connections()
    caches = {
        "default": {
            "BACKEND": "aims.cache.TolerantRedisCache",
            "LOCATION": f"{server.url}/0",  # as in production: REDIS_URL serves the cache and the broker
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=caches):
        yield server
    server.stop()
    celery_app.conf.update(saved)
    _reset_connections()


def _start_worker(redis, folder):
    """A real Celery worker process of our own, with the production settings pointed at the private Redis."""
    env = {
        **os.environ,
        "REDIS_URL": f"{redis.url}/0",
        "DJANGO_SETTINGS_MODULE": "aims.settings",
        "AIMS_TESTING": "1",
        "AIMS_DATA_DIR": str(folder),
        "DATABASE_URL": "",
    }
    return subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "aims",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_redis_stopped_then_back(redis, org, members, client_for, api_for, tmp_path):
    from registry.tests.factories import AISystemFactory

    AISystemFactory(organisation=org, name="Triage model")
    web = client_for(members["officer"])
    api = api_for(members["officer"], org)
    list_url = reverse("registry:aisystem-list")
    api_url = "/api/v1/ai-systems/"
    assert web.get(list_url).status_code == 200
    assert api.get(api_url).status_code == 200
    cache.set("probe", "here")
    assert cache.get("probe") == "here"

    redis.stop()
    # Pages and the API keep serving: the cache is a miss, not an error.
    assert cache.get("probe") is None
    page = web.get(list_url)
    assert page.status_code == 200 and "Triage model" in page.text
    assert web.get(reverse("dashboard")).status_code == 200
    listed = api.get(api_url)
    # The large registers answer keyset pages (no ``count``; see aims/api/pagination.py): check the rows.
    assert listed.status_code == 200 and [row["name"] for row in listed.json()["results"]] == ["Triage model"]
    created = api.post(api_url, {"name": "Written while Redis is down", "intended_purpose": "x"}, format="json")
    assert created.status_code in (201, 400), created.content  # served (a validation answer is still an answer)
    health = web.get(reverse("health"))
    assert health.status_code == 503 and health.json()["checks"]["broker"] != "ok"
    # A job is refused at once with a message a person can act on; nothing hangs.
    with pytest.raises(jobs.BrokerUnavailable, match="job queue is unavailable right now"):
        jobs.send_now(tasks.heartbeat)

    redis.start()
    assert cache.get("probe") is None  # Redis came back empty (no persistence); the cache refills
    cache.delete(tasks.HEARTBEAT_CACHE_KEY)
    jobs.send_now(tasks.heartbeat)  # queued: the first send after the outage reconnects
    worker = _start_worker(redis, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while cache.get(tasks.HEARTBEAT_CACHE_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert cache.get(tasks.HEARTBEAT_CACHE_KEY), "the job queued after Redis returned was not run"
    assert web.get(reverse("health")).json()["checks"]["broker"] == "ok"
