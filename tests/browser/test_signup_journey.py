"""The issue's "Done when" journey for one person who signs up a new organisation, in a browser.

A new visitor opens the sign-in page, follows "Sign up a new organisation", creates their account and organisation
(becoming its owner: administrator and AIMS officer in one), registers a first AI system in the guided setup and
generates the roadmap, drafts the AI policy from its template, publishes the trust page with the system listed,
then, as an anonymous visitor, reports a concern there; back in the product the owner finds the concern and
invites an external auditor. Each step is one the administrator of a new organisation could not take alone before
owners existed (they could not write the registers).
"""

import contextlib
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

SCREENSHOTS = "/tmp/aims-signup-{}.png"
PASSWORD = "Founding-Day-2026-ok"  # noqa: S105 — a test password


def _screenshot(page, name):
    with contextlib.suppress(OSError):
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


@pytest.fixture
def shipped_catalogue(transactional_db):
    from controls.catalogue import load_catalogue
    from controls.models import Framework

    if Framework.objects.shipped().count() < 5:
        load_catalogue()


@pytest.mark.browser
def test_a_new_person_signs_up_and_runs_their_organisation_alone(
    page, browser, live_server, shipped_catalogue, settings, tmp_path
):
    from accounts.models import Membership
    from trust.models import Concern

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AIMS_SIGNUP_OPEN = True
    settings.AIMS_SIGNUP_MIN_FILL_SECONDS = 0
    settings.TRUST_CONCERN_MIN_FILL_SECONDS = 0

    # Sign up from the sign-in page.
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign up a new organisation").click()
    page.get_by_label("Your name").fill("Nora Field")
    page.get_by_label("Email address").fill("nora@fieldrobotics.example")
    page.get_by_label("Username").fill("nora")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_label("Organisation").fill("Field Robotics")
    _screenshot(page, "0-signup")
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url(f"{live_server.url}/setup/")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Field Robotics")
    assert Membership.objects.get(user__username="nora").role == "owner"
    _screenshot(page, "1-setup")

    # The guided setup to a roadmap: a first AI system, then the roadmap with it as pilot.
    page.get_by_test_id("step-systems").click()
    page.get_by_label("Name").fill("Picking robot vision")
    page.get_by_label("Intended purpose").fill("Recognise parcels on the conveyor for the picking arm.")
    page.get_by_label("Scope justification").fill("Our product.")
    page.get_by_test_id("add-system").click()
    expect(page.get_by_test_id("systems")).to_contain_text("Picking robot vision")
    page.get_by_test_id("step-roadmap").click()
    page.get_by_label("Pilot system").select_option(index=1)
    page.get_by_test_id("generate-roadmap").click()
    # Some sixty actions are written, each with its history: allow a slow shared machine its time.
    expect(page.get_by_text(re.compile(r"Roadmap generated: \d+ new actions"))).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("roadmap-phases")).to_contain_text("Pilot the AIMS on AIS-001 Picking robot vision")
    _screenshot(page, "2-roadmap")

    # The AI policy from its template.
    page.goto(f"{live_server.url}/templates/01-ai-policy/")
    page.get_by_test_id("instantiate").click()
    expect(page.get_by_text("drafted from the template")).to_be_visible()
    expect(page.locator("main")).to_contain_text("AI policy of Field Robotics")

    # Publish the trust page with the system listed.
    page.goto(f"{live_server.url}/trust-centre/")
    form = page.get_by_test_id("trust-form")
    form.get_by_label("Published").check()
    form.get_by_label("AI policy summary").fill(
        "Our robots see parcels, never people; an engineer reviews every model."
    )
    form.get_by_label("Publish policy summary").check()
    page.get_by_test_id("save-trust").click()
    expect(page.get_by_text("Trust page saved.")).to_be_visible()
    listing = page.get_by_test_id("listing-AIS-001")
    listing.get_by_label("Published").check()
    listing.get_by_label("Publish the intended purpose").check()
    listing.get_by_role("button", name="Save listing").click()
    expect(page.get_by_text("Listing of Picking robot vision saved.")).to_be_visible()
    public_url = page.get_by_test_id("public-link").get_attribute("href")
    _screenshot(page, "3-trust-settings")

    # A visitor reports a concern on the public page.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        public = visitor.new_page()
        public.goto(public_url if public_url.startswith("http") else f"{live_server.url}{public_url}")
        expect(public.get_by_test_id("policy-summary")).to_contain_text("never people")
        public.get_by_label("What happened?").fill("The robot arm stopped next to me and its camera followed me.")
        public.get_by_label("Which AI system?").select_option(label="Picking robot vision")
        public.get_by_test_id("submit-concern").click()
        expect(public.get_by_test_id("concern-reference")).to_have_text("CON-001")
        _screenshot(public, "4-concern-receipt")
    finally:
        visitor.close()
    assert Concern.objects.filter(organisation__slug="field-robotics").count() == 1
    page.goto(f"{live_server.url}/trust-centre/concerns/")
    expect(page.get_by_role("link", name="CON-001")).to_be_visible()

    # Invite an external auditor for every audit and evidence pack, for two weeks.
    page.goto(f"{live_server.url}/account/auditors/")
    page.get_by_label("Email").fill("lead@certbody.example")
    page.get_by_label("Name or certification body").fill("CertBody Ltd")
    until = (timezone.now() + timezone.timedelta(days=14)).date().isoformat()
    page.get_by_label("Access until").fill(until)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("invitation-row")).to_contain_text("lead@certbody.example")
    assert re.search(r"/account/invitation/\S+/", mail.outbox[-1].body)
    _screenshot(page, "5-auditor-invited")
