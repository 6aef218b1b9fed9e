"""Query budgets shared by every app's tests: no N+1.

Every list page and endpoint must cost the same number of queries with 5 rows as with 50. Building 50 linked
rows of everything is the slow part of such a test, so one test builds them once and counts every URL of its
module, instead of one parametrised test per URL building its own. Data too large to build twice (the scale
data set) is read at a small and a large page size instead, each request within a fixed budget.
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


def _counts(requests: list[tuple], warm_up: bool = True) -> dict[str, int]:
    """Queries of each request, by a label naming its URL and parameters; first a round of warm-up (the first use
    of a token or session, per-process caches)."""
    if warm_up:
        for client, url, params in requests:
            count_get(client, url, params)
    return {_label(url, params): count_get(client, url, params) for client, url, params in requests}


def _requests(requests: Iterable[tuple]) -> list[tuple]:
    """``(client, url)`` or ``(client, url, params)`` as ``(client, url, params)``; each listed once."""
    requests = [(r[0], r[1], r[2] if len(r) > 2 else None) for r in requests]
    labels = [_label(url, params) for _, url, params in requests]
    assert len(set(labels)) == len(labels), f"a request is listed twice: {labels}"
    return requests


def _label(url: str, params: dict | None) -> str:
    return f"{url} {params}" if params else url


def _clock_standing_still():
    """An API token records its use at most once a minute; on a slow machine that write would otherwise land
    inside one count and not the other."""
    return time_machine.travel(timezone.now(), tick=False)


def assert_queries_do_not_grow(
    grow: Callable[[int], object], requests: Iterable[tuple], max_queries: int | None = None
) -> None:
    """``grow(n)`` adds ``n`` rows of everything; each request is ``(client, url)`` or ``(client, url, params)``.

    Counts every request with FEW_ROWS rows and again with MANY_ROWS, with the clock standing still, and names
    each request whose count grew (and, given ``max_queries``, each that ran more than that at either size).
    """
    requests = _requests(requests)
    with _clock_standing_still():
        grow(FEW_ROWS)
        few = _counts(requests)
        grow(MANY_ROWS - FEW_ROWS)
        many = _counts(requests, warm_up=False)
    grown = {key: f"{few[key]} -> {many[key]} queries" for key in few if few[key] != many[key]}
    assert not grown, f"query counts grew from {FEW_ROWS} to {MANY_ROWS} rows: {grown}"
    if max_queries is not None:
        _assert_within(few, max_queries)


def assert_queries_at_most(max_queries: int, requests: Iterable[tuple]) -> None:
    """Each request (as above) runs at most ``max_queries`` queries, counted with the clock standing still; for
    data too large to build twice (the scale data set), where the page size is what varies."""
    requests = _requests(requests)
    with _clock_standing_still():
        _assert_within(_counts(requests), max_queries)


def _assert_within(counts: dict[str, int], max_queries: int) -> None:
    over = {key: count for key, count in counts.items() if count > max_queries}
    assert not over, f"more than {max_queries} queries: {over}"
