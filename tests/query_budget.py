"""Query budgets shared by every app's tests: no N+1.

Every list page and endpoint must cost the same number of queries with 5 rows as with 50. Building 50 linked
rows of everything is the slow part of such a test, so one test builds them once and counts every URL of its
module, instead of one parametrised test per URL building its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

FEW_ROWS = 5
MANY_ROWS = 50


def count_get(client, url: str, params: dict | None = None) -> int:
    """Queries of one GET (a streamed answer is read to its end); the answer must be a 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code == 200, (url, params, getattr(response, "content", b"")[:300])
    return len(ctx.captured_queries)


def assert_queries_do_not_grow(grow: Callable[[int], object], requests: Iterable[tuple]) -> None:
    """``grow(n)`` adds ``n`` rows of everything; each request is ``(client, url)`` or ``(client, url, params)``.

    Counts every request with FEW_ROWS rows and again with MANY_ROWS, and names each request whose count grew.
    The clock stands still meanwhile: an API token records its use at most once a minute, and on a slow machine
    that write would otherwise land inside one count and not the other.
    """
    requests = [(r[0], r[1], r[2] if len(r) > 2 else None) for r in requests]

    def label(url, params):
        return f"{url} {params}" if params else url

    with time_machine.travel(timezone.now(), tick=False):
        grow(FEW_ROWS)
        for client, url, params in requests:
            count_get(client, url, params)  # warm up: first use of a token or session, per-process caches
        few = {label(url, params): count_get(client, url, params) for client, url, params in requests}
        grow(MANY_ROWS - FEW_ROWS)
        many = {label(url, params): count_get(client, url, params) for client, url, params in requests}
    grown = {key: f"{few[key]} -> {many[key]} queries" for key in few if few[key] != many[key]}
    assert not grown, f"query counts grew from {FEW_ROWS} to {MANY_ROWS} rows: {grown}"
