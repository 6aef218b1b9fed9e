"""The demo organisations: seeding is idempotent, keeps what users changed, and every demo user can sign in.

The module's tests share one seeding (the ``seeded_demo`` fixture); each test's changes are rolled back.
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from accounts.models import Membership, Organisation, User
from aims.demo import CONTOSO_USERS, DEMO_PASSWORD, NORTHWIND_USERS
from aims.roles import Role


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_seed_demo_is_idempotent(seeded_demo):
    after_first = _row_counts()

    _seed()
    after_second = _row_counts()

    assert after_first == after_second
    assert after_first["accounts.Organisation"] == 2
    # One user per role in each organisation at least; later registers add more Northwind members.
    assert after_first["accounts.User"] >= len(NORTHWIND_USERS) + len(CONTOSO_USERS)
    assert any(label.startswith("accounts.Historical") for label in after_first), "history models are counted"


def test_seed_demo_keeps_changes_made_since(seeded_demo):
    officer = User.objects.get(username="officer")
    officer.set_password("changed-by-the-user")
    officer.save()
    Membership.objects.filter(user__username="viewer").update(role=Role.AUDITOR)

    _seed()

    officer.refresh_from_db()
    assert officer.check_password("changed-by-the-user")
    assert Membership.objects.get(user__username="viewer").role == Role.AUDITOR


def test_a_change_made_by_one_test_is_gone_in_the_next(seeded_demo):
    """The shared seeding is rolled back to the seeded state after every test (the test above changed these)."""
    assert User.objects.get(username="officer").check_password(DEMO_PASSWORD)
    assert Membership.objects.get(user__username="viewer").role == Role.VIEWER


def test_seed_demo_reports_success(seeded_demo):
    assert "Demo data is in place" in _seed()


@pytest.mark.parametrize(("username", "role"), [(u, r) for u, _, _, r in NORTHWIND_USERS])
def test_northwind_demo_users(seeded_demo, username, role):
    client = Client()

    assert client.login(username=username, password=DEMO_PASSWORD)
    northwind = Organisation.objects.get(slug="northwind")
    assert northwind.name == "Northwind Health"
    memberships = Membership.objects.filter(user__username=username)
    assert [(m.organisation.slug, m.role) for m in memberships] == [("northwind", role)]
    page = client.get("/").content.decode()
    assert '<span data-testid="current-organisation">Northwind Health</span>' in page


def test_contoso_demo_officer(seeded_demo):
    client = Client()

    assert client.login(username="officer2", password=DEMO_PASSWORD)
    contoso = Organisation.objects.get(slug="contoso")
    assert contoso.name == "Contoso Lending"
    memberships = Membership.objects.filter(user__username="officer2")
    assert [(m.organisation.slug, m.role) for m in memberships] == [("contoso", Role.OFFICER)]
    assert '<span data-testid="current-organisation">Contoso Lending</span>' in client.get("/").content.decode()


def test_demo_organisations_keep_their_members_apart(seeded_demo):
    client = Client()
    client.login(username="officer", password=DEMO_PASSWORD)

    assert client.post("/account/switch/contoso/").status_code == 404
    members = client.get("/account/members/").content.decode()
    assert "officer2" not in members
    assert "contributor" in members
