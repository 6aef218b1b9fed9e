"""Getting started and being trusted, in a browser.

1. A signed-in user with no organisation creates one (becoming its administrator) and walks the guided setup
   from empty to a roadmap: scope and an interested party, a first AI system, its EU AI Act classification,
   a section of the gap questionnaire, the roadmap with a pilot. The setup's readiness figure equals the gap
   analysis's.
2. An officer publishes a trust page with one AI system; an anonymous visitor sees only what was published and
   reports a concern, which the officer finds in the product.
"""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-onboarding-{}.png"


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
def test_new_organisation_from_empty_to_a_roadmap(page, live_server, shipped_catalogue, settings, tmp_path):
    from accounts.tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    founder = UserFactory(username="founder", email="founder@example.org")
    founder.set_password("aims-demo")
    founder.save()
    login(page, live_server, "founder")

    page.goto(f"{live_server.url}/organisations/new/")
    page.get_by_label("Organisation name").fill("Fresh Start Insurance")
    page.get_by_test_id("create-organisation").click()
    page.wait_for_url(f"{live_server.url}/setup/")
    expect(page.get_by_test_id("current-organisation")).to_have_text("Fresh Start Insurance")
    expect(page.get_by_test_id("setup-readiness-percent")).to_have_text("0%")
    _screenshot(page, "0-overview")

    # 1. Scope and context.
    page.get_by_test_id("step-scope").click()
    page.get_by_label("What does the AIMS cover?").fill(
        "All AI systems of the claims department, design to retirement."
    )
    page.get_by_label("Organisational units").fill("Claims; Data science")
    page.get_by_label("Your roles for AI").fill("Deployer of bought models; developer of the triage model.")
    page.get_by_test_id("save-scope").click()
    expect(page.get_by_text("Scope saved as a draft.")).to_be_visible()
    page.get_by_label("Name").fill("Policy holders")
    page.get_by_label("What they expect of your AI").fill("Fair and explainable claim decisions.")
    page.get_by_test_id("add-party").click()
    expect(page.get_by_test_id("parties")).to_contain_text("Policy holders")
    expect(page.get_by_test_id("step-scope").locator(".badge")).to_be_visible()  # done
    _screenshot(page, "1-scope")

    # 2. A first AI system.
    page.get_by_test_id("step-systems").click()
    page.get_by_label("Name").fill("Claims triage")
    page.get_by_label("Intended purpose").fill("Rank incoming claims by urgency for the handlers.")
    page.get_by_label("Scope justification").fill("Core claims process.")
    page.get_by_test_id("add-system").click()
    expect(page.get_by_test_id("systems")).to_contain_text("Claims triage")
    _screenshot(page, "2-systems")

    # 3. EU AI Act classification through the registry's questionnaire, back to the setup.
    page.get_by_test_id("step-classify").click()
    page.get_by_test_id("classify-AIS-001").click()
    page.get_by_test_id("classify-submit").click()
    page.wait_for_url(f"{live_server.url}/setup/classify/")
    expect(page.get_by_test_id("classify-table")).not_to_contain_text("Not classified")
    _screenshot(page, "3-classify")

    # 4. The first gap analysis: clause 4, two requirements in place with a link as evidence.
    page.get_by_test_id("step-gap").click()
    expect(page.get_by_test_id("question-4.1")).to_be_visible()
    for identifier in ("4.1", "4.2"):
        page.get_by_label(f"In place? {identifier}", exact=True).select_option("yes")
        page.get_by_label(f"Where is the evidence? {identifier}", exact=True).fill(
            f"https://intranet.example/aims/{identifier}"
        )
    page.get_by_label("In place? 4.3", exact=True).select_option("partly")
    page.get_by_label("Where is the evidence? 4.3", exact=True).fill("Draft scope on the shared drive")
    _screenshot(page, "4-gap")
    page.get_by_test_id("save-answers").click()
    expect(page.get_by_text("3 answers saved.")).to_be_visible()
    setup_percent = page.get_by_test_id("setup-readiness-percent").inner_text()
    assert setup_percent != "0%"

    # 5. The roadmap, with the system as pilot.
    page.get_by_test_id("step-roadmap").click()
    page.get_by_label("Pilot system").select_option(index=1)
    page.get_by_test_id("generate-roadmap").click()
    # Some sixty actions are written, each with its history: allow a slow shared machine its time.
    expect(page.get_by_text(re.compile(r"Roadmap generated: \d+ new actions"))).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("roadmap-phases")).to_contain_text("Pilot the AIMS on AIS-001 Claims triage")
    expect(page.get_by_test_id("step-roadmap").locator(".badge")).to_be_visible()
    _screenshot(page, "5-roadmap")

    # The figure is the gap analysis's own.
    page.goto(f"{live_server.url}/controls/gap-analysis/?framework=iso42001")
    assert page.get_by_test_id("readiness-percent").inner_text() == setup_percent

    # And the AI policy starts from its template.
    page.goto(f"{live_server.url}/templates/01-ai-policy/")
    page.get_by_test_id("instantiate").click()
    expect(page.get_by_text("drafted from the template")).to_be_visible()
    expect(page.locator("main")).to_contain_text("AI policy of Fresh Start Insurance")


@pytest.mark.browser
def test_officer_publishes_a_trust_page_and_a_visitor_reports_a_concern(
    page, context, browser, live_server, transactional_db, settings
):
    from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
    from registry.tests.factories import AISystemFactory
    from trust.models import Concern

    settings.TRUST_CONCERN_MIN_FILL_SECONDS = 0
    organisation = OrganisationFactory(name="Harbour Bank", slug="harbour")
    officer = UserFactory(username="hofficer", email="officer@harbour.example")
    officer.set_password("aims-demo")
    officer.save()
    MembershipFactory(user=officer, organisation=organisation, role="officer")
    AISystemFactory(
        organisation=organisation,
        name="Loan pre-check",
        intended_purpose="Pre-screen loan requests",
        human_oversight="A credit officer decides every refusal",
    )
    AISystemFactory(organisation=organisation, name="Internal fraud model")

    login(page, live_server, "hofficer")
    page.goto(f"{live_server.url}/trust-centre/")
    form = page.get_by_test_id("trust-form")
    form.get_by_label("Published").check()
    form.get_by_label("AI policy summary").fill("We use AI only where we can explain it, and a person decides.")
    form.get_by_label("Publish policy summary").check()
    page.get_by_test_id("save-trust").click()
    expect(page.get_by_text("Trust page saved.")).to_be_visible()
    listing = page.get_by_test_id("listing-AIS-001")
    listing.get_by_label("Published").check()
    listing.get_by_label("Publish the intended purpose").check()
    listing.get_by_label("Publish the EU AI Act tier").check()
    listing.get_by_role("button", name="Save listing").click()
    expect(page.get_by_text("Listing of Loan pre-check saved.")).to_be_visible()
    page.get_by_test_id("preview-link").click()
    expect(page.get_by_test_id("preview-banner")).to_be_visible()
    expect(page.get_by_test_id("public-system")).to_have_count(1)

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto(f"{live_server.url}/trust/harbour/")
    expect(public.get_by_test_id("policy-summary")).to_contain_text("a person decides")
    expect(public.get_by_test_id("public-system")).to_have_count(1)
    expect(public.get_by_test_id("trust-page")).to_contain_text("Pre-screen loan requests")
    expect(public.get_by_test_id("trust-page")).not_to_contain_text("A credit officer decides")  # not published
    expect(public.get_by_test_id("trust-page")).not_to_contain_text("Internal fraud model")
    public.screenshot(path=SCREENSHOTS.format("trust-page"), full_page=True)
    public.get_by_label("What happened?").fill("My loan request was refused within a second; nobody looked at it.")
    public.get_by_label("Which AI system?").select_option(label="Loan pre-check")
    public.get_by_test_id("submit-concern").click()
    expect(public.get_by_test_id("concern-reference")).to_have_text("CON-001")
    status_url = public.get_by_test_id("status-link").inner_text()
    public.goto(status_url)
    expect(public.get_by_test_id("concern-status")).to_contain_text("Received, not yet reviewed")
    visitor.close()
    assert Concern.objects.filter(organisation=organisation).count() == 1

    page.goto(f"{live_server.url}/trust-centre/concerns/")
    page.get_by_role("link", name="CON-001").click()
    expect(page.get_by_test_id("what-happened")).to_contain_text("nobody looked at it")
    page.get_by_label("Becomes").select_option("incident")
    page.get_by_test_id("triage-form").get_by_role("button", name="Triage").click()
    expect(page.get_by_text("CON-001 triaged.")).to_be_visible()
