"""API list pages answered again from memory while the database has not changed (PostgreSQL, token requests).

Integrations poll the registers: an MLOps pipeline or a GRC tool reads the same list pages again and again, and
most of the time nothing has changed in between. Building a page costs its query, the SQL compiled for it and its
rows rendered; this module keeps each page as the bytes it was answered with (per process, the most recently
used pages within ``API_PAGE_CACHE_MB``) and answers them again for as long as the database is provably the same.

"The same" is PostgreSQL's own word, not a version we would have to bump: the token query of every API request
also reads ``pg_current_snapshot()``, the set of transactions committed at that moment (``xmin:xmax:xip``, across
the whole cluster). Two snapshots are equal only if no transaction committed between them: a transaction that
commits either had its id listed as in progress (it leaves the list) or had none below ``xmax`` (``xmax`` moves
past it). So whatever writes (a service, a bulk ``update()``, an import, the admin site, SQL typed in psql, another
organisation, a migration), the next request sees another snapshot and builds its page afresh; there is no write
path that can forget to invalidate. The page is stored under the snapshot read *before* its query ran, so its data
is at least as new as that snapshot, and it is answered only to a request that found the same snapshot, when
nothing has committed since.

What else a page depends on is in the key: the absolute URL (path, query, host: the ``next`` links), the media
type negotiated, the user, the organisation, the membership and its role, the language, the time zone and today's
date in it (evidence expiry).
Requests within a transaction get no snapshot (its own uncommitted writes would not change it), nor do browser
sessions and SQLite: they are answered as before. Requests are still authenticated, checked against the role and
throttled before a page is looked up. The cost of a hit is the request's token query and a dictionary lookup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings
from django.db import connections
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation

# A page larger than this share of the budget is answered afresh, so that one page cannot empty the memory.
LARGEST_SHARE = 8


class PageCache:
    """The most recently used pages of one process, as the bytes and content type they were answered with, within
    a budget of bytes (a lock, for threaded servers)."""

    def __init__(self):
        self._pages: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, content: bytes, content_type: str, budget: int) -> None:
        if len(content) * LARGEST_SHARE > budget:
            return
        with self._lock:
            if key in self._pages:
                self._bytes -= len(self._pages.pop(key)[0])
            self._pages[key] = (content, content_type)
            self._bytes += len(content)
            while self._bytes > budget:
                _, (dropped, _) = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


PAGES = PageCache()


def _budget() -> int:
    return settings.API_PAGE_CACHE_MB * 1024 * 1024


def page_key(request, view, using: str) -> tuple | None:
    """The key of this request's page, or None when it may not be reused (see the module's docstring)."""
    snapshot = getattr(request._request, "database_snapshot", None)
    if snapshot is None or not _budget() or request.method not in ("GET", "HEAD"):
        return None
    if connections[using].in_atomic_block:
        return None
    membership = getattr(request._request, "membership", None)
    return (
        snapshot,
        f"{type(view).__module__}.{type(view).__qualname__}",
        getattr(view, "action", None),
        request.build_absolute_uri(),
        request.accepted_media_type,
        request.user.pk,
        request.organisation.pk,
        getattr(membership, "pk", None),
        getattr(membership, "role", None),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate(),
    )


def answer(request, view, using: str, build):
    """The page ``build()`` would answer: from memory when this request found the database as it was when the
    same page was built; else built, and kept once rendered when it is a success."""
    key = page_key(request, view, using)
    if key is None:
        return build()
    page = PAGES.get(key)
    if page is not None:
        content, content_type = page
        return HttpResponse(content, content_type=content_type)
    response = build()
    if response.status_code == 200 and isinstance(response, SimpleTemplateResponse):
        response.add_post_render_callback(lambda rendered: _keep(key, rendered))
    return response


def _keep(key, response) -> None:
    if response.status_code == 200:
        PAGES.put(key, response.content, response["Content-Type"], _budget())
