"""The governance journey in a browser: the AIMS officer makes Victor a data steward, sees the competence gap
this opens in the matrix, records his data-protection training from the gap, and sees the gap disappear."""

import contextlib

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-governance-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


@pytest.mark.browser
def test_officer_assigns_a_role_records_training_and_the_competence_gap_closes(page, live_server, transactional_db):
    call_command("seed_demo")
    login(page, live_server, "officer")

    # Roles and RACI, from the Reviews menu: open the data steward role and assign Victor to it.
    page.get_by_role("button", name="Reviews").click()
    page.get_by_role("link", name="Roles and RACI").click()
    expect(page.get_by_test_id("reporting-lines")).to_contain_text("Olivia Bennett")
    page.get_by_role("link", name="Data steward", exact=True).click()
    page.get_by_test_id("tab-holders").click()
    form = page.get_by_test_id("assign-form")
    form.get_by_label("Member").select_option(label="Victor Lindqvist")
    form.get_by_label("Note").fill("Covers the imaging datasets")
    form.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("role-holders")).to_contain_text("Victor Lindqvist")
    expect(page.get_by_test_id("role-holders")).to_contain_text("Covers the imaging datasets")

    # The competence matrix now shows his gap: data protection for AI is missing.
    page.goto(f"{live_server.url}/governance/competence-matrix/")
    victor = page.locator("[data-testid=competence-matrix] tr[data-member=viewer]")
    expect(victor.locator("td[data-competence=CMP-004]")).to_have_attribute("data-state", "missing")
    gap = page.locator("[data-testid=competence-gaps] tr[data-gap='viewer:CMP-004']")
    expect(gap).to_contain_text("Missing")
    missing_before = int(page.get_by_test_id("missing-count").inner_text())
    _screenshot(page, "matrix-gap")

    # Record the training straight from the gap: member and course are filled in.
    gap.get_by_role("link", name="Record training").click()
    assert page.get_by_label("Member").locator("option:checked").inner_text() == "Victor Lindqvist"
    assert "Data protection for AI practitioners" in page.get_by_label("Course").locator("option:checked").inner_text()
    page.get_by_label("Result").select_option(label="Passed")
    page.get_by_label("Score").fill("88%")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-testid=certificate]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Victor Lindqvist")

    # The gap has gone: the cell is met, and one fewer competence is missing.
    page.goto(f"{live_server.url}/governance/competence-matrix/")
    victor = page.locator("[data-testid=competence-matrix] tr[data-member=viewer]")
    expect(victor.locator("td[data-competence=CMP-004]")).to_have_attribute("data-state", "met")
    expect(page.locator("[data-testid=competence-gaps] tr[data-gap='viewer:CMP-004']")).to_have_count(0)
    assert int(page.get_by_test_id("missing-count").inner_text()) == missing_before - 1
    _screenshot(page, "matrix-closed")
