"""Object-level access control (issue 10): ownership, read-only and revoked tokens, expired and idle sessions,
session key rotation, lockout on the sign-in page, cookie flags in production."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts import services
from registry.models import AISystem
from registry.tests.factories import AISystemFactory

# --- Ownership: a contributor changes what they own, not others' ----------------------------------------------


@pytest.fixture
def systems(org, members):
    contributor = members["contributor"]
    return {
        "own": AISystemFactory(organisation=org, name="Own system", business_owner=contributor),
        "technical": AISystemFactory(organisation=org, name="Technically owned", technical_owner=contributor),
        "other": AISystemFactory(organisation=org, name="Someone else's", business_owner=members["officer"]),
    }


def test_contributor_changes_own_system_through_the_api(api_for, members, org, systems):
    api = api_for(members["contributor"], org)

    own = api.patch(f"/api/v1/ai-systems/{systems['own'].pk}/", {"name": "Renamed"}, format="json")
    technical = api.patch(f"/api/v1/ai-systems/{systems['technical'].pk}/", {"name": "Renamed too"}, format="json")
    other = api.patch(f"/api/v1/ai-systems/{systems['other'].pk}/", {"name": "Hijacked"}, format="json")
    delete_other = api.delete(f"/api/v1/ai-systems/{systems['other'].pk}/")

    assert own.status_code == 200 and technical.status_code == 200
    assert other.status_code == 403 and delete_other.status_code == 403
    systems["other"].refresh_from_db()
    assert systems["other"].name == "Someone else's"


def test_contributor_cannot_edit_or_delete_others_system_in_the_ui(client_for, members, systems):
    client = client_for(members["contributor"])

    assert client.get(reverse("registry:aisystem-update", args=[systems["own"].pk])).status_code == 200
    assert client.get(reverse("registry:aisystem-update", args=[systems["other"].pk])).status_code == 403
    assert client.post(reverse("registry:aisystem-delete", args=[systems["other"].pk])).status_code == 403
    assert AISystem.objects.filter(pk=systems["other"].pk).exists()


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_read_only_roles_change_nothing_even_their_own(api_for, members, org, role):
    system = AISystemFactory(organisation=org, business_owner=members[role])
    response = api_for(members[role], org).patch(f"/api/v1/ai-systems/{system.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403


# --- Tokens ---------------------------------------------------------------------------------------------------


def test_read_only_token_reads_but_never_writes(api_for, members, org, systems):
    api = api_for(members["officer"], org, read_only=True)

    assert api.get(f"/api/v1/ai-systems/{systems['own'].pk}/").status_code == 200
    assert api.patch(f"/api/v1/ai-systems/{systems['own'].pk}/", {"name": "x"}, format="json").status_code == 403
    assert api.post("/api/v1/ai-systems/", {"name": "New"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/ai-systems/{systems['own'].pk}/").status_code == 403


def test_revoked_token_is_refused_at_the_next_request(members, org):
    token, key = services.api_token_create(user=members["officer"], organisation=org)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/ai-systems/").status_code == 200

    services.api_token_revoke(actor=members["admin"], token=token)

    assert api.get("/api/v1/ai-systems/").status_code == 401


def test_token_of_a_removed_member_is_refused(members, org):
    from accounts.models import Membership

    _, key = services.api_token_create(user=members["contributor"], organisation=org)
    membership = Membership.objects.get(user=members["contributor"], organisation=org)
    services.membership_remove(actor=members["admin"], membership=membership)

    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401


# --- Sessions -------------------------------------------------------------------------------------------------


def _sign_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": "aims-demo"})
    assert response.status_code == 302
    return response


def test_session_key_changes_at_sign_in(client, officer):
    client.get("/login/")
    client.session["probe"] = 1
    before = client.session.session_key or client.cookies.get(settings.SESSION_COOKIE_NAME)
    _sign_in(client, officer)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_idle_session_is_signed_out(officer):
    client = Client()
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    idle = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    with time_machine.travel(start, tick=False):
        _sign_in(client, officer)
    with time_machine.travel(start + idle - dt.timedelta(seconds=30), tick=False):
        assert client.get("/").status_code == 200  # activity restarts the clock
    with time_machine.travel(start + 2 * idle - dt.timedelta(seconds=60), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + 3 * idle + dt.timedelta(seconds=60), tick=False):
        response = client.get("/risks/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"])
        assert "without activity" in page.content.decode()


def test_expired_session_is_signed_out(officer):
    client = Client()
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _sign_in(client, officer)
    # Active every quarter of an hour, right up to the absolute session age: still signed in ...
    step = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2)
    end = start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    moment = start
    while moment + step <= end:
        moment += step
        with time_machine.travel(moment, tick=False):
            assert client.get("/").status_code == 200
    # ... and past it, signed out however active the session was.
    with time_machine.travel(end + dt.timedelta(seconds=60), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert "session ended" in client.get(response["Location"]).content.decode()


def test_api_session_idle_gets_401(officer):
    client = Client()
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _sign_in(client, officer)
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 120), tick=False):
        response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "without activity" in response.json()["detail"]


def test_sign_in_page_locks_out_with_a_clear_message(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": officer.username, "password": "wrong"})

    locked = client.post("/login/", {"username": officer.username, "password": "aims-demo"})

    assert response.status_code in (200, 429)
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "_auth_user_id" not in client.session
    # Another person from another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/login/", {"username": officer.username, "password": "aims-demo"}).status_code == 302


def test_lockout_ends_after_the_cool_off(client, officer):
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/login/", {"username": officer.username, "password": "wrong"})
        assert client.post("/login/", {"username": officer.username, "password": "aims-demo"}).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1), tick=False):
        assert client.post("/login/", {"username": officer.username, "password": "aims-demo"}).status_code == 302


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.SESSION_IDLE_TIMEOUT]))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("AIMS_TESTING", "DEBUG")},
        "DJANGO_SETTINGS_MODULE": "aims.settings",
        "SECRET_KEY": "x" * 60,
        "AIMS_DATA_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    assert json.loads(out) == [True, True, "Lax", True, "Lax", 1800]


def test_password_validators_refuse_weak_passwords(client_for, officer):
    response = client_for(officer).post(
        "/account/password/",
        {"old_password": "aims-demo", "new_password1": "password1234", "new_password2": "password1234"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    short = client_for(officer).post(
        "/account/password/", {"old_password": "aims-demo", "new_password1": "Xk3!short", "new_password2": "Xk3!short"}
    )
    assert "at least 12 characters" in short.content.decode()
