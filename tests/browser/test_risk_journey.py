"""The risk journey in a browser: an officer assesses the CV-screening system, adds a bias risk, plans its
treatment, records the residual risk, accepts it as its owner and sees the heat map change."""

import contextlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-risk-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


def _cell_count(page, kind, cell) -> int:
    return int(page.locator(f"[data-testid=heat-map-{kind}] [data-cell='{cell}']").get_attribute("data-count"))


@pytest.mark.browser
def test_officer_assesses_cv_screening_adds_treats_and_accepts_a_bias_risk(page, live_server, transactional_db):
    call_command("seed_demo")
    login(page, live_server, "officer")

    # The heat map before: where the new risk will land.
    page.goto(f"{live_server.url}/risks/heat-map/")
    inherent_before = _cell_count(page, "inherent", "4,4")
    residual_before = _cell_count(page, "residual", "2,3")
    total_before = int(page.get_by_test_id("heat-total-inherent").inner_text().split()[0])

    # From the inventory to the CV-screening system's Risks tab, and start an assessment.
    page.goto(f"{live_server.url}/inventory/systems/?q=TalentScreen")
    page.get_by_role("link", name="TalentScreen CV ranking").click()
    page.get_by_test_id("tab-risks").click()
    expect(page.get_by_test_id("system-risks")).to_contain_text("Gender bias in CV ranking")
    page.get_by_test_id("assess-risks").click()
    expect(page.get_by_label("AI systems")).to_have_values([re.compile(".+")])
    page.get_by_role("button", name="Save").click()

    # Step 1, identify: the system's open risks are carried forward; add a new bias risk.
    expect(page.get_by_test_id("step-identify")).to_have_attribute("aria-current", "step")
    expect(page.get_by_test_id("workflow-risks")).to_contain_text("Gender bias in CV ranking")
    page.get_by_label("Title").fill("Age bias against applicants with long career gaps")
    page.get_by_label("Category").select_option(label="Bias and discrimination")
    page.get_by_label("Cause").fill("Career gaps correlate with age and caring responsibilities.")
    page.get_by_label("Event").fill("Applicants with gaps are ranked lower than equally able peers.")
    page.get_by_label("Consequence").fill("Older applicants and carers are screened out unfairly.")
    page.get_by_label("Risk source (Annex C)").select_option(label="Risk sources related to machine learning")
    page.get_by_label("Fairness").check()
    page.get_by_role("button", name="Add risk").click()
    row = page.get_by_test_id("workflow-risks").locator("tr", has_text="Age bias against applicants")
    expect(row).to_be_visible()
    reference = row.locator("td").first.inner_text().strip()
    assert re.fullmatch(r"RSK-\d{3}", reference)

    # Step 2, analyse: likelihood and impact before treatment.
    page.get_by_test_id("next-step").click()
    card = page.get_by_test_id(f"analyse-{reference}")
    card.get_by_label("Likelihood").select_option(label="4 Likely")
    card.get_by_label("Impact").select_option(label="4 Major")
    card.get_by_label("Existing controls").fill("A recruiter reviews each shortlist.")
    card.get_by_role("button", name=f"Save analysis of {reference}").click()
    expect(page.get_by_test_id(f"analyse-{reference}").locator("[data-level=high]")).to_be_visible()

    # Step 3, evaluate: above the appetite, so modify it.
    page.get_by_test_id("next-step").click()
    card = page.get_by_test_id(f"evaluate-{reference}")
    expect(card).to_contain_text("above appetite")
    card.get_by_label("Treatment option").select_option(label="Modify (reduce the risk)")
    card.get_by_label("Rationale").fill("Remove gap-length features and test adverse impact by age band.")
    card.get_by_role("button", name=f"Save treatment of {reference}").click()

    # Step 4, treat: plan an action and record the residual risk.
    page.get_by_test_id("next-step").click()
    card = page.get_by_test_id(f"treat-{reference}")
    card.get_by_label(re.compile(r"^Action")).fill("Remove career-gap length features and retrain")
    card.get_by_label("Due date").fill("2030-06-30")
    card.get_by_role("button", name=f"Add action to {reference}").click()
    card = page.get_by_test_id(f"treat-{reference}")
    expect(card).to_contain_text("Remove career-gap length features and retrain")
    card.get_by_label("Likelihood").select_option(label="2 Unlikely")
    card.get_by_label("Impact").select_option(label="3 Moderate")
    card.get_by_role("button", name=f"Save residual risk of {reference}").click()
    expect(page.get_by_test_id(f"treat-{reference}").locator("[data-level=medium]")).to_be_visible()
    _screenshot(page, "workflow-treat")

    # Accept it as its owner, on the risk's Acceptance tab.
    page.get_by_test_id(f"accept-link-{reference}").click()
    expect(page.get_by_test_id("risk-banner")).to_contain_text("Olivia Bennett")
    page.get_by_label("Why the risk is accepted").fill("Within appetite once the features are removed.")
    page.get_by_role("button", name="Accept the risk").click()
    expect(page.get_by_test_id("acceptance-record")).to_contain_text("Within appetite once the features are removed.")
    expect(page.get_by_test_id("acceptance-summary")).to_contain_text("Accepted at medium")
    expect(page.get_by_test_id("residual-level")).to_contain_text("Medium")

    # The heat map has changed: one more risk in each cell the new risk occupies.
    page.goto(f"{live_server.url}/risks/heat-map/")
    assert _cell_count(page, "inherent", "4,4") == inherent_before + 1
    assert _cell_count(page, "residual", "2,3") == residual_before + 1
    expect(page.get_by_test_id("heat-total-inherent")).to_contain_text(f"{total_before + 1} risks")
    _screenshot(page, "heat-map")

    # A cell links to the register filtered on it, where the new risk is listed.
    page.locator("[data-testid=heat-map-residual] a[data-cell='2,3']").click()
    page.wait_for_url(re.compile(r"/risks/\?.*residual_likelihood=2.*residual_impact=3"))
    expect(page.get_by_test_id("heat-cell-filter")).to_be_visible()
    expect(page.get_by_test_id("register-table")).to_contain_text(reference)
