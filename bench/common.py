"""Shared pieces of the benchmark scripts: Django setup, timing (median, p95), query counting, results.

Every ``bench/bench_*.py`` script is a standalone program that prints ONE JSON object on stdout:

    {"bench": "lists", "results": [{"name": ..., "value": ..., "unit": "ms", "floor": ..., "ratio": ...,
      "target": "<= 3x floor", "pass": true, "queries": 4, ...}, ...]}

``bench/run.py`` runs them all with the benchmark database in the environment and writes the table.
Nothing here asserts a time: pass/fail is reported, never raised.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = os.environ.get("BENCH_SMALL") == "1"
LARGE_SLUG = "scale-large"
OFFICER = "scale-officer"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    import django

    django.setup()
    # Each script is the server of the requests it times: settled as aims.wsgi settles a gunicorn worker.
    from aims.runtime import settle_after_startup

    settle_after_startup()


def repeat(fn, *, runs: int | None = None, warmup: int = 2) -> dict:
    """Run ``fn`` warm ``runs`` times; median and p95 in milliseconds."""
    return _series(fn, runs=runs, warmup=warmup)[0]


def repeat_pair(fn, floor_fn, *, runs: int | None = None, warmup: int = 2) -> tuple[dict, dict]:
    """``repeat`` of ``fn`` and of its floor, run alternately: whatever else the machine is doing meanwhile
    (another process, a CPU frequency step) falls on both alike, and the ratio of their p95s compares like
    with like. Timed one series after the other, the same floor query measured 0.9 and 2.2 ms p95 in two runs
    minutes apart on this 2-core machine."""
    timed, floor = _series(fn, floor_fn, runs=runs, warmup=warmup)
    return timed, floor


def _series(*fns, runs: int | None, warmup: int) -> list[dict]:
    """Each of ``fns`` warm ``runs`` times, taking turns; a summary per function."""
    runs = runs or (3 if SMALL else 15)
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list] = [[] for _ in fns]
    for _ in range(runs):
        for series, fn in zip(times, fns, strict=True):
            start = time.perf_counter()
            fn()
            series.append((time.perf_counter() - start) * 1000)
    return [_summary(series, runs) for series in times]


def _summary(times: list, runs: int) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, max(0, int(round(0.95 * len(times))) - 1))]
    return {"median": round(statistics.median(times), 2), "p95": round(p95, 2), "runs": runs}


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def result(name, value, unit, *, floor=None, target=None, ok=None, **extra) -> dict:
    ratio = round(value / floor, 2) if floor else None
    row = {"name": name, "value": value, "unit": unit, "floor": floor, "ratio": ratio, "target": target, "pass": ok}
    row.update(extra)
    return row


def emit(bench: str, results: list[dict], **extra) -> None:
    print(json.dumps({"bench": bench, "small": SMALL, "results": results, **extra}, default=str))


def peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def officer_and_org():
    from django.contrib.auth import get_user_model

    from accounts.models import Organisation

    return get_user_model().objects.get(username=OFFICER), Organisation.objects.get(slug=LARGE_SLUG)


def api_mix(org) -> list[str]:
    """The mixed read workload of the API load benchmark: lists, filtered lists, an object read."""
    from registry.models import AISystem

    system = AISystem.objects.filter(organisation=org).order_by("reference").values_list("pk", flat=True)[5]
    return [
        "/api/v1/ai-systems/",
        "/api/v1/risks/",
        "/api/v1/risks/?status=assessed&ordering=-title",
        f"/api/v1/ai-systems/{system}/",
        "/api/v1/controls/",
        "/api/v1/evidence/?page_size=20",
        "/api/v1/findings/",
        "/api/v1/ai-systems/?lifecycle_stage=deployment",
    ]


class WsgiClient:
    """GET requests made as a WSGI server makes them (gunicorn in ``bench_api_load``): the application called
    with an environ, the body joined, the response closed (``request_finished``: connections past their age are
    closed, as in production).

    For timing API requests in process instead of Django's test ``Client``, which instruments every response (its
    request, resolver match, templates, and ``response.json`` bound to the response itself) and so keeps each
    response, with its page of rows, in a reference cycle until the collector's next pass, which no server does:
    through the test client, risks page 1 met 59 collector passes in 1,000 requests, all among the slowest tenth
    (p95 3.97 ms against a 1.98 ms median)."""

    def __init__(self, application=None, **headers):
        if application is None:
            from django.core.handlers.wsgi import WSGIHandler

            application = WSGIHandler()
        self.application, self.headers = application, headers

    def get(self, url: str) -> WsgiResponse:
        status, result = self._call(url)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return WsgiResponse(status, body)

    def stream(self, url: str):
        """The body of a 200 answer chunk by chunk, as the server sends it (a streamed export), then closed."""
        status, result = self._call(url)
        try:
            if status != 200:
                raise RuntimeError(f"{url}: {status}")
            yield from result
        finally:
            if hasattr(result, "close"):
                result.close()

    def _call(self, url: str):
        """(status code, the application's iterable) for a GET of ``url``."""
        path, _, query = url.removeprefix("http://testserver").partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            **self.headers,
        }
        status = []
        result = self.application(environ, lambda line, headers, exc_info=None: status.append(line))
        return int(status[0].split()[0]), result


class WsgiResponse:
    def __init__(self, status_code: int, content: bytes):
        self.status_code, self.content = status_code, content

    def json(self):
        return json.loads(self.content)


def signed_in_client(user, organisation) -> WsgiClient:
    """A ``WsgiClient`` with the session of ``user`` signed in and working in ``organisation``: the browser's
    pages requested as a server requests them (the test client's reference cycles would weigh on their times)."""
    from django.conf import settings
    from django.test import Client

    from accounts.middleware import SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(organisation.pk)
    session.save()
    return WsgiClient(HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
