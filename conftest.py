"""Fixtures shared by every app's tests: two organisations with one member per role.

alice.. are members of "acme" (one per role); mallory is the officer of "globex", the other tenant,
used to prove that nothing of acme's is visible to another organisation.
"""

import pytest

from aims.roles import Role

ROLES = [role.value for role in Role]


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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached values live in the cache (Redis in CI): start every test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
