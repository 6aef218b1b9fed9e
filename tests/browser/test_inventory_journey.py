"""The AI system inventory through a browser: register a system, classify it under the EU AI Act, find it."""

import contextlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOT = "/tmp/aims-classification.png"


def _screenshot(page, path):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=path, full_page=True)


@pytest.mark.browser
def test_officer_registers_classifies_and_finds_a_high_risk_system(page, live_server, transactional_db):
    from registry.models import AISystem, Classification

    call_command("seed_demo")
    login(page, live_server, "officer")

    # Register a new AI system through the form.
    page.goto(f"{live_server.url}/inventory/systems/new/")
    page.get_by_role("textbox", name="Name", exact=True).fill("TalentMatch CV ranking")
    page.get_by_label("Intended purpose").fill("Rank job applications for recruiters.")
    page.get_by_label("Scope justification").fill("Screens applicants for our own vacancies: decides about people.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/inventory/systems/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("TalentMatch CV ranking")
    expect(page.get_by_test_id("eu-tier")).to_have_text("Not classified")

    # Classify it as an Annex III point 4(a) employment system, as its provider.
    page.get_by_test_id("classify-action").click()
    page.wait_for_url(re.compile(r"/classify/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("under the EU AI Act")
    page.get_by_label("Provider", exact=True).check()
    expect(page.get_by_label("None of these", exact=True)).to_be_checked()
    page.get_by_label("Is the system intended for one of these uses? (Annex III)").select_option("4(a)")
    page.get_by_test_id("classify-submit").click()

    # The classification tab shows the tier, the basis, the obligations and why.
    page.wait_for_url(re.compile(r"\?tab=classification$"))
    expect(page.get_by_role("alert")).to_contain_text("classified: High-risk (Art. 6)")
    expect(page.get_by_test_id("classification-tier")).to_have_text("High-risk (Art. 6)")
    expect(page.get_by_test_id("eu-tier")).to_have_text("High-risk (Art. 6)")
    expect(page.get_by_test_id("classification-basis")).to_have_text("Art. 6(2) and Annex III point 4(a)")
    obligations = page.get_by_test_id("obligations")
    expect(obligations.get_by_role("rowheader", name="Art. 9", exact=True)).to_be_visible()
    expect(obligations.get_by_role("rowheader", name="Art. 43", exact=True)).to_be_visible()
    expect(obligations).to_contain_text("Risk management system")
    expect(obligations).to_contain_text("2026-08-02")
    expect(page.get_by_test_id("classification-reasons")).to_contain_text("High-risk use (Annex III): 4(a).")
    expect(page.get_by_test_id("classify-button")).to_have_text(re.compile("Reclassify"))
    _screenshot(page, SCREENSHOT)

    system = AISystem.objects.get(name="TalentMatch CV ranking")
    assert Classification.objects.get(ai_system=system).classified_by.username == "officer"

    # The inventory, filtered by tier and searched, lists it.
    page.goto(f"{live_server.url}/inventory/systems/")
    page.get_by_label("EU AI Act tier").select_option("high")
    page.get_by_label("Search").fill("TalentMatch")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"eu_tier=high"))
    table = page.get_by_test_id("register-table")
    expect(table.get_by_role("link", name="TalentMatch CV ranking")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text(system.reference)
    expect(table.locator("tbody tr")).to_contain_text("High-risk (Art. 6)")
