"""Issue 9: server-side prepared statements for the API's token and page queries (aims/prepared.py).

The PostgreSQL tests run outside a transaction (``transactional_db``): inside one, ``run_prepared`` binds on the
client as every other query does, so the ordinary API tests never reach the prepared path."""

import uuid

import pytest
from django.db import connection, transaction

from aims import prepared
from aims.prepared import run_prepared
from tests.scale_seed import seed_scale

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _select(sql, params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_without_prepared_statements_the_query_runs_as_usual(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)
    calls = []
    assert run_prepared("default", lambda: calls.append(1) or "answer") == "answer"
    assert calls == [1]
    assert not prepared.prepared_statements_enabled(connection)


@postgresql
def test_postgresql_settings_turn_prepared_statements_on(db):
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 1
    assert prepared.prepared_statements_enabled(connection)


@postgresql
def test_a_repeated_query_is_prepared_outside_a_transaction_only(transactional_db):
    marker = "SELECT %s::int + 40 AS aims_prepared_marker"
    for _ in range(3):
        with transaction.atomic():
            assert run_prepared("default", _select(marker, [2])) == [(42,)]
    assert not any("aims_prepared_marker" in sql for sql in _prepared_statements())
    for value in (2, 3, 4):
        assert run_prepared("default", _select(marker, [value])) == [(value + 40,)]
    assert [sql for sql in _prepared_statements() if "aims_prepared_marker" in sql] == [
        "SELECT $1::int + 40 AS aims_prepared_marker"
    ]
    # Every other query keeps client-side parameters (psycopg never prepares those).
    assert connection.connection.cursor_factory.__name__ == "Cursor"


@postgresql
def test_a_query_postgresql_refuses_with_server_parameters_runs_again_as_usual(transactional_db, caplog):
    # A parameter whose type nothing in the query tells: PostgreSQL cannot plan it as $1 (Django #20516).
    refused = _select("SELECT %s IS NULL", [None])
    assert run_prepared("default", refused) == [(True,)]
    assert "ran again with client-side ones" in caplog.text
    assert connection.connection.cursor_factory.__name__ == "Cursor"
    assert run_prepared("default", _select("SELECT %s::int", [7])) == [(7,)]  # the connection is still usable


@pytest.fixture
def scale(transactional_db, settings):
    # Every request must build its page: a page answered again from memory would run no query to prepare.
    settings.API_PAGE_CACHE_MB = 0
    return seed_scale(history=20)


URLS = [
    ("/api/v1/ai-systems/", {}),
    ("/api/v1/ai-systems/", {"page_size": 5}),
    ("/api/v1/ai-systems/", {"lifecycle_stage": "deployment"}),
    ("/api/v1/ai-systems/", {"search": "AIS-0000", "ordering": "-name", "page_size": 5}),
    ("/api/v1/risks/", {"status": "assessed", "ordering": "-title"}),
    ("/api/v1/risks/", {"level": "high", "overdue": "false", "page": 1, "page_size": 10}),
    ("/api/v1/risks/", {"overdue": "false", "page": 2, "page_size": 10}),
    ("/api/v1/risks/", {"ordering": "-inherent_rank"}),
    ("/api/v1/controls/", {"page_size": 7}),
    ("/api/v1/evidence/", {"page_size": 20}),
    ("/api/v1/findings/", {"ordering": "-title"}),
    ("/api/v1/findings/", {}),
]


@postgresql
def test_api_lists_answer_the_same_with_prepared_statements(scale, api_for, monkeypatch):
    user, org = scale
    api = api_for(user, org)

    def answer(url, query=None):
        response = api.get(url, query)
        assert response.status_code == 200, (url, query, response.content[:200])
        return response

    prepared_answers, queries = {}, {"": None}
    for url, query in URLS:
        queries[str(query)] = query
        # Enough runs for psycopg to prepare the page query and for PostgreSQL to settle on a generic plan.
        prepared_answers[url, str(query)] = {answer(url, query).content for _ in range(8)}
        follow = answer(url, query).json().get("next")
        if follow:
            prepared_answers[follow, ""] = {answer(follow).content for _ in range(3)}
    tables = {"registry_aisystem", "risk_risk", "controls_control", "controls_evidence", "audits_finding"}
    statements = _prepared_statements()
    assert all(any(f'FROM "{table}"' in sql for sql in statements) for table in tables)
    # Filtered, searched or otherwise ordered pages are planned for the organisation at hand, never prepared.
    markers = ('"lifecycle_stage" = $', '"status" = $', "LIKE", "CASE WHEN")
    assert not any(marker in sql for sql in statements for marker in markers)
    monkeypatch.setattr("aims.api.fast.run_prepared", lambda using, run: run())
    for (url, query), answers in prepared_answers.items():
        usual = answer(url, queries[query]).content
        assert answers == {usual}, (url, query)
        assert b'"results":[{' in usual, (url, query)


@postgresql
def test_one_prepared_page_query_serves_each_organisation_its_own_rows(scale, api_for, make_member):
    """The organisation is a parameter of the prepared statement, never part of what is prepared: the same
    statement, run for two organisations in turn on one connection, gives each only its own records."""
    from accounts.models import Organisation
    from aims.roles import Role
    from registry.models import AISystem

    user, org = scale
    other = Organisation.objects.exclude(pk=org.pk).get(slug__startswith="scale-")
    other_officer = make_member(other, Role.OFFICER, username="other-officer")
    apis = {org.pk: api_for(user, org), other.pk: api_for(other_officer, other)}
    expected = {
        pk: {str(system) for system in AISystem.objects.filter(organisation_id=pk).values_list("pk", flat=True)}
        for pk in apis
    }
    assert expected[org.pk] and expected[other.pk] and expected[org.pk].isdisjoint(expected[other.pk])
    for _ in range(6):  # alternating, past the point where psycopg prepares and PostgreSQL plans generically
        for pk, api in apis.items():
            seen = {row["id"] for row in api.get("/api/v1/ai-systems/").json()["results"]}
            assert seen == expected[pk]
    pages = [sql for sql in _prepared_statements() if 'FROM "registry_aisystem"' in sql and "LIMIT 51" in sql]
    assert len(pages) == 1 and str(org.pk) not in pages[0] and org.pk.hex not in pages[0]


def test_a_compiled_query_binds_each_requests_keys_and_reads_as_values(db):
    from accounts.tests.factories import OrganisationFactory, UserFactory
    from aims.prepared import CompiledQuery
    from controls.models import StatementOfApplicability

    built = []

    def build(organisation):
        built.append(organisation)
        return StatementOfApplicability.objects.filter(organisation_id=organisation).values(
            "version", "approved_by__username", "approved_at", "id"
        )

    soas = CompiledQuery(build, "organisation")
    approver = UserFactory(username="approver")
    first, second = OrganisationFactory(), OrganisationFactory()
    one = StatementOfApplicability.objects.create(organisation=first, version=3, approved_by=approver)
    StatementOfApplicability.objects.create(organisation=second)
    expected = list(build(first.pk))
    assert (
        soas.rows(organisation=first.pk)
        == expected
        == [{"version": 3, "approved_by__username": "approver", "approved_at": None, "id": one.pk}]
    )
    assert soas.rows(organisation=str(second.pk))[0]["version"] == 1  # a key given as text
    assert soas.rows(organisation=OrganisationFactory().pk) == []
    assert len(built) == 2  # the expected rows' and the compiled one's: compiled once for every request


def test_a_compiled_query_needs_every_key_in_its_sql(db):
    from aims.prepared import CompiledQuery
    from controls.models import StatementOfApplicability

    unused = CompiledQuery(lambda organisation: StatementOfApplicability.objects.values("id"), "organisation")
    with pytest.raises(ValueError, match="reach its SQL"):
        unused.rows(organisation=uuid.uuid4())
