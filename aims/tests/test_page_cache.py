"""Issue 9: API list pages answered again from memory while the database is unchanged (aims/api/page_cache.py).

The PostgreSQL tests run outside a transaction (``transactional_db``): a request within one gets no snapshot,
which is why the ordinary API tests (each in a transaction) always build their pages."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.api.page_cache import PAGES
from aims.roles import Role

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the snapshot is PostgreSQL's")
URL = "/api/v1/ai-systems/"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["name"] for row in response.json()["results"]]


def _read(api, url=URL):
    """The page and the number of queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    return response, len(queries)


def _warm(api, url=URL):
    """Read until the page comes from memory, and return that answer. The token's first use writes its
    ``last_used_at`` (a commit, so a new snapshot): the second read builds the page again, the third is the first
    one answered from memory. The snapshot is the whole cluster's, so a test running meanwhile in another process
    (pytest-xdist) also makes a read build its page: hence a few tries."""
    for _ in range(30):
        response, queries = _read(api, url)
        if queries == 1:  # the token query only: answered from memory
            return response
    pytest.fail("a page read again with nothing changed never came from memory")


@pytest.fixture
def systems(transactional_db, org, members):
    from registry.tests.factories import AISystemFactory

    return [AISystemFactory(organisation=org, name=name) for name in ("Credit scoring", "Triage model")]


@postgresql
def test_a_page_read_again_while_nothing_changed_is_the_same_page(systems, org, members, api_for):
    api = api_for(members["officer"], org)
    built = api.get(URL)
    again = _warm(api)
    assert again.content == built.content
    headers = ("Content-Type", "Content-Length", "Vary", "Allow", "X-Frame-Options", "Content-Security-Policy")
    assert {name: again.get(name) for name in headers} == {name: built.get(name) for name in headers}
    assert _names(again) == ["Credit scoring", "Triage model"]
    assert len(PAGES) >= 1


@postgresql
@pytest.mark.parametrize("write", ["orm_update", "raw_sql", "new_row"])
def test_any_committed_write_is_seen_by_the_next_read(systems, org, members, api_for, write):
    """No write path has to invalidate anything: a bulk ``update()``, SQL the ORM never saw, a new row."""
    from registry.models import AISystem
    from registry.tests.factories import AISystemFactory

    api = api_for(members["officer"], org)
    _warm(api)
    first = systems[0]
    if write == "orm_update":
        AISystem.objects.filter(pk=first.pk).update(name="Credit scoring v2")
        expected = ["Credit scoring v2", "Triage model"]
    elif write == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_aisystem SET name = %s WHERE id = %s", ["Renamed", first.pk])
        expected = ["Renamed", "Triage model"]
    else:
        AISystemFactory(organisation=org, name="Chatbot")
        expected = ["Credit scoring", "Triage model", "Chatbot"]
    response, queries = _read(api)
    assert queries == 2  # the token query and the page's own: built again
    assert sorted(_names(response)) == sorted(expected)


@postgresql
def test_a_page_is_never_answered_to_another_organisation_or_user(
    systems, org, members, other_org, make_member, api_for
):
    from registry.tests.factories import AISystemFactory

    AISystemFactory(organisation=other_org, name="Globex forecaster")
    outsider = make_member(other_org, Role.OFFICER, username="globex-officer")
    acme = api_for(members["officer"], org)
    globex = api_for(outsider, other_org)
    auditor = api_for(members["auditor"], org)
    _warm(acme)
    _warm(globex)  # the same URL, in another organisation
    assert _names(_warm(acme)) == ["Credit scoring", "Triage model"]
    assert _names(_warm(globex)) == ["Globex forecaster"]
    response, queries = _read(auditor)  # another user of the same organisation builds their own page
    assert queries >= 2 and _names(response) == ["Credit scoring", "Triage model"]


@postgresql
def test_today_is_part_of_the_key(systems, org, members, api_for):
    """Evidence turns expired at midnight without any write: a page built on another day is another page."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from aims.api.page_cache import page_key
    from registry.api.views import AISystemViewSet

    request = Request(APIRequestFactory().get(URL))
    request._request.database_snapshot = "100:100:"
    request._request.organisation, request._request.membership = org, None
    request.user, request.accepted_media_type = members["officer"], "application/json"
    view = AISystemViewSet(action="list")
    keys = []
    for day in (1, 1, 2):
        with time_machine.travel(dt.datetime(2026, 12, day, 12, 0, tzinfo=dt.UTC), tick=False):
            keys.append(page_key(request, view, "default"))
    assert keys[0] == keys[1] != keys[2]
    assert None not in keys


@postgresql
def test_it_can_be_turned_off(systems, org, members, api_for, settings):
    settings.API_PAGE_CACHE_MB = 0
    api = api_for(members["officer"], org)
    api.get(URL)
    assert [_read(api)[1] for _ in range(3)] == [2, 2, 2]
    assert len(PAGES) == 0


def test_within_a_transaction_every_read_builds_its_page(db, org, members, api_for):
    """Its own uncommitted writes do not change the snapshot: no page is kept (nor on SQLite, which has none)."""
    from registry.tests.factories import AISystemFactory

    AISystemFactory(organisation=org, name="Credit scoring")
    api = api_for(members["officer"], org)
    assert _names(api.get(URL)) == ["Credit scoring"]
    AISystemFactory(organisation=org, name="Triage model")
    response, queries = _read(api)
    assert queries >= 2 and _names(response) == ["Credit scoring", "Triage model"]
    assert len(PAGES) == 0


def test_pages_are_kept_within_the_budget_most_recently_used_first():
    from aims.api.page_cache import PageCache

    pages, budget = PageCache(), 800
    for key in "abcdefgh":  # 8 pages of 100 bytes: the whole budget
        pages.put(key, key.encode() * 100, "application/json", budget)
    assert len(pages) == 8
    assert pages.get("a") == (b"a" * 100, "application/json")  # read: now the most recently used
    pages.put("i", b"i" * 100, "application/json", budget)
    assert pages.get("b") is None and pages.get("a") is not None and len(pages) == 8
    pages.put("huge", b"x" * 101, "application/json", budget)  # more than an eighth of the budget
    assert pages.get("huge") is None and len(pages) == 8
