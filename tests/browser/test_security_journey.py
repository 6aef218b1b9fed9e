"""Sign-in security in a browser: an officer turns on TOTP two-factor and signs in with a code; repeated wrong
passwords lock the sign-in with a clear message; an invited external auditor accepts the invitation and reads the
audits, read-only."""

import base64
import contextlib
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-security-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


@pytest.fixture
def acme(transactional_db):
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
    from aims.roles import Role
    from audits.tests.factories import AuditFactory

    org = OrganisationFactory(name="Acme AI", slug="acme")
    officer = UserFactory(username="officer")
    MembershipFactory(user=officer, organisation=org, role=Role.OFFICER)
    audits = [
        AuditFactory(organisation=org, title="Stage 1 certification audit"),
        AuditFactory(organisation=org, title="Internal audit of HR screening"),
    ]
    return org, officer, audits


@pytest.mark.browser
def test_officer_enrols_totp_and_signs_in_with_a_code(page, live_server, acme):
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/account/two-factor/")
    expect(page.get_by_test_id("totp-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    _screenshot(page, "enrol")

    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.get_by_test_id("two-factor-status")).to_have_text("On")
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    _screenshot(page, "recovery-codes")

    page.get_by_role("button", name=re.compile(r"officer")).click()
    page.get_by_test_id("logout").click()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("aims-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/two-factor/verify/"))
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    _screenshot(page, "verify")
    # The first code was used at enrolment; the app shows the next one half a minute later.
    page.get_by_label("Code").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Acme AI")


@pytest.mark.browser
def test_repeated_wrong_passwords_lock_the_sign_in(page, live_server, acme, settings):
    page.goto(f"{live_server.url}/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        if page.get_by_test_id("lockout-message").count():
            break
        expect(page.locator(".alert-danger")).to_contain_text("correct username and password")
    expect(page.get_by_test_id("lockout-message")).to_contain_text("Too many failed sign-in attempts")
    _screenshot(page, "locked")

    # Even the right password does not get in now.
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("aims-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("lockout-message")).to_be_visible()


@pytest.mark.browser
def test_invited_external_auditor_reads_the_named_audit_only(page, context, live_server, acme):
    org, officer, audits = acme
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/account/auditors/")
    page.get_by_label("Email").fill("lead@certbody.example")
    page.get_by_label("Name or certification body").fill("CertBody Ltd")
    until = (timezone.now() + timezone.timedelta(days=14)).date().isoformat()
    page.get_by_label("Access until").fill(until)
    page.get_by_label(re.compile("Stage 1 certification audit")).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("invitation-row")).to_contain_text("lead@certbody.example")
    expect(page.get_by_test_id("invitation-row")).to_contain_text("Pending")
    _screenshot(page, "invited")

    link = re.search(r"https?://\S+/account/invitation/\S+/", mail.outbox[-1].body).group(0)
    auditor = context.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        guest = auditor.new_page()
        guest.goto(link)
        expect(guest.get_by_role("heading", name=re.compile("Auditor access to Acme AI"))).to_be_visible()
        guest.get_by_label("Username").fill("certbody")
        guest.locator("input[name=password1]").fill("Certification-Body-2026")
        guest.locator("input[name=password2]").fill("Certification-Body-2026")
        guest.get_by_role("button", name="Accept and sign in").click()
        guest.wait_for_url(re.compile(r"/audits/internal/"))
        expect(guest.get_by_text("Stage 1 certification audit")).to_be_visible()
        expect(guest.get_by_text("Internal audit of HR screening")).to_have_count(0)
        expect(guest.get_by_role("link", name=re.compile(r"^New audit"))).to_have_count(0)
        _screenshot(guest, "auditor-list")
        guest.get_by_role("link", name=re.compile("Stage 1 certification audit")).first.click()
        expect(guest.get_by_role("heading", name=re.compile("Stage 1 certification audit"))).to_be_visible()
        expect(guest.get_by_role("link", name=re.compile(r"^Edit"))).to_have_count(0)
        _screenshot(guest, "auditor-detail")
        # Anything outside the scope is simply not there.
        response = guest.goto(f"{live_server.url}/risks/")
        assert response.status == 404
    finally:
        auditor.close()

    # The officer sees the auditor's visits in the access log.
    page.goto(f"{live_server.url}/account/access-log/?kind=page_view")
    expect(page.locator("tbody tr").first).to_contain_text("certbody")
    _screenshot(page, "access-log")
