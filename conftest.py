"""Fixtures shared by every app's tests: two organisations with one member per role.

alice.. are members of "acme" (one per role); mallory is the officer of "globex", the other tenant,
used to prove that nothing of acme's is visible to another organisation.
"""

import io

import pytest

from aims.roles import Role
from tests import database_template

ROLES = [role.value for role in Role]


# --- Test databases: one migration per run under pytest-xdist on PostgreSQL (tests/database_template.py) ----
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """In the xdist controller: the same run id for every worker."""
    node.config._aims_database_template_run = getattr(node.config, "_aims_database_template_run", None) or (
        database_template.new_run_id()
    )
    node.workerinput[database_template.RUN_ID_KEY] = node.config._aims_database_template_run


def pytest_sessionfinish(session):
    """In the xdist controller, once every worker is done: drop the run's template database."""
    if getattr(session.config, "_aims_database_template_run", None):
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            database_template.drop_template()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's own fixture, except that an xdist worker on PostgreSQL starts from a copy of the run's
    migrated template database (tests/database_template.py) and so has nothing to migrate."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    keep_for_setup = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if database_template.applies(request.config, use_migrations=django_db_use_migrations, keepdb=keep_for_setup):
            database_template.clone_for_worker(request.config, verbosity=max(verbosity - 1, 0))
            keep_for_setup = True
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keep_for_setup,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


@pytest.fixture
def org(db):
    from accounts.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Acme AI", slug="acme", time_zone="Europe/London")


@pytest.fixture
def other_org(db):
    from accounts.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Globex", slug="globex", time_zone="Europe/Berlin")


@pytest.fixture
def make_member(db):
    from accounts.tests.factories import MembershipFactory, UserFactory

    def _make(organisation, role, username=None):
        user = UserFactory(username=username or f"{role}-{organisation.slug}")
        MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return _make


@pytest.fixture
def members(org, make_member):
    """One user per role in ``org``: members["officer"] etc."""
    return {role: make_member(org, role) for role in ROLES}


@pytest.fixture
def officer(members):
    return members["officer"]


@pytest.fixture
def outsider(other_org, make_member):
    """The officer of another organisation."""
    return make_member(other_org, Role.OFFICER, username="mallory")


@pytest.fixture
def client_for(client):
    """A Django test client signed in as ``user`` (its only organisation becomes current)."""
    from django.test import Client

    def _client(user):
        c = Client()
        c.force_login(user)
        return c

    return _client


@pytest.fixture
def api_for(db):
    """A DRF APIClient authenticated with a fresh token of ``user`` in ``organisation``."""
    from rest_framework.test import APIClient

    from accounts import services

    def _api(user, organisation, read_only=False):
        _, key = services.api_token_create(user=user, organisation=organisation, read_only=read_only)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return _api


# --- The demo organisations, seeded once per module -------------------------------------------------------
# Seeding Northwind and Contoso runs some 11,000 queries. A module whose tests read or change the demo data
# seeds it once, in a transaction that stays open until the module's last test and is then rolled back;
# pytest-django's ``db`` runs each test in a savepoint inside it, so whatever a test writes is undone before
# the next one starts from the freshly seeded state (Django's TestCase.setUpTestData, as a fixture).
_seeded_transaction_open = False


@pytest.fixture(scope="module")
def _demo_seeded_for_module(django_db_setup, django_db_blocker):
    global _seeded_transaction_open
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        _seeded_transaction_open = True
        try:
            call_command("seed_demo", stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            _seeded_transaction_open = False
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)
        _seeded_transaction_open = False


@pytest.fixture
def seeded_demo(_demo_seeded_for_module, db):
    """Database access with the demo organisations in place (``seed_demo``), as seeded before the module's first
    test: changes a test makes are rolled back after it. Returns the demo context: its organisations and users
    fetched afresh for this test.

    Not for transactional tests (``transactional_db``, ``live_server``): they would run inside the module's
    open transaction. Keep them in another module.
    """
    from accounts.models import Organisation, User
    from aims.demo import CONTOSO_USERS, NORTHWIND_USERS, DemoContext

    usernames = [username for username, *_ in NORTHWIND_USERS + CONTOSO_USERS]
    return DemoContext(
        northwind=Organisation.objects.get(slug="northwind"),
        contoso=Organisation.objects.get(slug="contoso"),
        users=User.objects.in_bulk(usernames, field_name="username"),
    )


@pytest.fixture(autouse=True)
def _no_transactional_test_inside_the_seeded_demo(request):
    """A transactional test that ran inside a module's seeded transaction would commit nothing and flush the
    demo data under the next test: say so instead of failing somewhere else."""
    if _seeded_transaction_open:
        marker = request.node.get_closest_marker("django_db")
        transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
            pytest.fail(
                "a transactional test runs in a module that uses the seeded_demo fixture; move it to another module"
            )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached values live in the cache (Redis in CI): start every test clean."""
    from django.core.cache import cache

    from aims.api.page_cache import PAGES

    cache.clear()
    PAGES.clear()  # the API's pages kept in this process (aims/api/page_cache.py)
    yield


# --- API security: figures printed at the end of a run ----------------------------------------------------
# Tests record figures with ``record_property(name, number)``; they travel from pytest-xdist workers with the
# reports and are summed here (the isolation matrix's requests, schemathesis's requests and failures).
_FIGURES = {
    "isolation_requests": "Tenant isolation matrix: requests tried (another organisation's object, every role)",
    "isolation_schema_operations": "Tenant isolation matrix: OpenAPI operations with a path parameter checked",
    "schemathesis_operations": "Schemathesis: API operations fuzzed",
    "schemathesis_requests": "Schemathesis: requests sent",
    "schemathesis_failures": "Schemathesis: failures (server errors or answers not matching the schema)",
    "race_pairs": "Concurrency: racing update pairs run (none lost)",
}


def pytest_terminal_summary(terminalreporter):
    totals: dict[str, int] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()) or ():
                if name in _FIGURES and getattr(report, "when", "call") == "call":
                    totals[name] = totals.get(name, 0) + int(value)
    if totals:
        terminalreporter.section("API security figures")
        for name, label in _FIGURES.items():
            if name in totals:
                terminalreporter.write_line(f"{label}: {totals[name]}")
