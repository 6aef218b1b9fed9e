"""TOTP two-factor: enrolment with a QR code, the second step at sign-in, recovery codes, the organisation's
requirement for administrators, officers and external auditors, and the API token exchange."""

import re
import time

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security
from accounts.models import AccessKind, AccessLog


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app would show (``steps_ahead`` for the next 30-second window)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> list[str]:
    device = security.pending_totp_device(user)
    _, codes = security.confirm_totp(user, code_for(device))
    return codes


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "aims-demo"})
    assert response.status_code == 302
    return client


def test_enrolment_page_shows_a_qr_code_and_confirms_with_a_code(client_for, officer):
    client = client_for(officer)

    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'data-testid="totp-qr"' in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert security.totp_secret(device) == secret

    wrong = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not security.has_two_factor(officer)

    done = client.post("/account/two-factor/", {"action": "confirm", "code": code_for(device)})
    html = done.content.decode()
    assert security.has_two_factor(officer)
    codes = re.findall(r'<li class="col">([a-z2-7]+)</li>', html)
    assert len(codes) == security.RECOVERY_CODE_COUNT
    assert AccessLog.objects.filter(kind=AccessKind.TWO_FACTOR, user=officer).exists()


def test_sign_in_asks_for_the_code_before_anything_else(officer):
    enrol(officer)
    client = sign_in(officer.username)

    blocked = client.get("/risks/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/account/two-factor/verify/?next=")
    assert client.get("/api/v1/me/").status_code == 403  # the session cannot use the API either

    device = TOTPDevice.objects.get(user=officer)
    wrong = client.post("/account/two-factor/verify/", {"code": "123456", "next": "/risks/"})
    assert "That code is not right" in wrong.content.decode()
    # A wrong code slows the next try down (django-otp's throttling): the user waits a few seconds.
    with time_machine.travel(time.time() + 5):
        ok = client.post("/account/two-factor/verify/", {"code": code_for(device, steps_ahead=1), "next": "/risks/"})
    assert ok.status_code == 302 and ok["Location"] == "/risks/"
    assert client.get("/").status_code == 200


def test_a_code_works_once(officer):
    enrol(officer)
    device = TOTPDevice.objects.get(user=officer)
    code = code_for(device, steps_ahead=1)
    first = sign_in(officer.username)
    assert first.post("/account/two-factor/verify/", {"code": code}).status_code == 302

    second = sign_in(officer.username)
    again = second.post("/account/two-factor/verify/", {"code": code})

    assert again.status_code == 200  # refused: a replayed code


def test_a_recovery_code_signs_in_once(officer):
    codes = enrol(officer)
    client = sign_in(officer.username)

    assert client.post("/account/two-factor/verify/", {"code": codes[0]}).status_code == 302
    assert security.recovery_codes_left(officer) == security.RECOVERY_CODE_COUNT - 1
    again = sign_in(officer.username)
    assert again.post("/account/two-factor/verify/", {"code": codes[0]}).status_code == 200


def test_organisation_requirement_sends_officers_to_enrol_but_not_viewers(org, members):
    org.require_two_factor = True
    org.save()

    officer = sign_in(members["officer"].username)
    response = officer.get("/risks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/?next=")

    viewer = sign_in(members["viewer"].username)
    assert viewer.get("/risks/").status_code == 200


def test_required_two_factor_cannot_be_turned_off(org, officer):
    enrol(officer)
    org.require_two_factor = True
    org.save()

    with pytest.raises(Exception, match="requires two-factor"):
        security.disable_two_factor(officer)


def test_api_token_exchange_needs_the_code_of_a_user_with_two_factor(officer):
    enrol(officer)
    device = TOTPDevice.objects.get(user=officer)
    api = Client()

    without = api.post(
        "/api/v1/auth/token/", {"username": officer.username, "password": "aims-demo"}, content_type="application/json"
    )
    with_code = api.post(
        "/api/v1/auth/token/",
        {"username": officer.username, "password": "aims-demo", "otp": code_for(device, steps_ahead=1)},
        content_type="application/json",
    )

    assert without.status_code == 400
    assert "otp" in without.json()
    assert with_code.status_code == 201


def test_demo_style_users_without_two_factor_sign_in_as_before(members):
    client = sign_in(members["contributor"].username)
    assert client.get("/").status_code == 200
