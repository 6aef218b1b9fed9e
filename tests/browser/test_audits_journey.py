"""The improvement chain in a browser: the auditor records a minor nonconformity in an audit checklist; the officer
plans a corrective action, verifies it, closes the nonconformity and finds it among the inputs of a new management
review."""

import contextlib
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-audits-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


def _plan_audit():
    """An audit of two Annex A controls, led by the demo auditor (who owns none of the work audited)."""
    from accounts.models import User
    from audits import services
    from controls.models import Requirement

    officer, auditor = User.objects.get(username="officer"), User.objects.get(username="auditor")
    criteria = list(
        Requirement.objects.filter(
            framework__key="iso42001", framework__organisation__isnull=True, identifier__in=["A.6.2.4", "A.6.2.5"]
        ).order_by("sort_order")
    )
    return services.audit_create(
        actor=officer,
        organisation=officer.memberships.get().organisation,
        data={"title": "Verification and deployment of AI systems", "lead_auditor": auditor, "criteria": criteria},
    )


@pytest.mark.browser
def test_auditor_records_a_nonconformity_and_officer_carries_it_to_the_management_review(
    page, live_server, transactional_db
):
    call_command("seed_demo")
    audit = _plan_audit()

    # The auditor records a minor nonconformity on the first requirement of the checklist.
    login(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audits/internal/{audit.pk}/?tab=checklist")
    page.get_by_role("link", name="Record the result for A.6.2.4").click()
    page.get_by_label("Minor nonconformity", exact=True).check()
    page.get_by_label("Notes").fill("Two of five releases sampled went live without a signed validation report.")
    page.get_by_label("Sampled records").fill("Releases 2.1 to 2.5 of the triage assistant")
    page.get_by_test_id("save-result").click()
    row = page.get_by_test_id("checklist-row-A.6.2.4")
    expect(row).to_contain_text("Minor nonconformity")
    nc_reference = row.get_by_role("link", name=re.compile(r"^NC-\d{3}$")).inner_text()
    _screenshot(page, "checklist")

    # The officer takes it over.
    page.context.clear_cookies()
    login(page, live_server, "officer")
    page.goto(f"{live_server.url}/audits/nonconformities/?q={nc_reference}")
    page.get_by_role("link", name=nc_reference).first.click()
    expect(page.get_by_test_id("nc-banner")).to_contain_text("Minor")
    expect(page.get_by_test_id("closure-problems")).to_contain_text("verified effective")

    # Root cause.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Root-cause method").select_option(label="Free text")
    page.get_by_label("Root cause", exact=True).fill("The release checklist lets a release go without a signed report.")
    page.get_by_role("button", name="Save").click()

    # Plan the corrective action, mark it done, verify it.
    page.get_by_test_id("tab-actions").click()
    form = page.get_by_test_id("action-form")
    form.get_by_label("Title").fill("Block releases without a signed validation report")
    form.get_by_label("Owner").select_option(label="Chen Wei")
    form.get_by_label("Due date").fill(timezone.localdate().isoformat())
    form.get_by_test_id("plan-action").click()
    actions = page.get_by_test_id("nc-actions")
    expect(actions).to_contain_text("Block releases without a signed validation report")
    action_reference = actions.get_by_role("link", name=re.compile(r"^CA-\d{3}$")).first.inner_text()
    page.get_by_role("button", name=f"Mark {action_reference} done").click()
    page.get_by_role("link", name=f"Verify {action_reference}").click()
    verify = page.get_by_test_id("verify-form")
    verify.get_by_label("Effective", exact=True).check()
    verify.get_by_label("How effectiveness was checked").fill("The pipeline refused a test release without a report.")
    verify.get_by_test_id("verify").click()
    expect(page.get_by_text("Effective").first).to_be_visible()

    # Close the nonconformity.
    page.get_by_role("link", name=nc_reference).first.click()
    page.get_by_test_id("close-nc").click()
    expect(page.get_by_test_id("nc-closed")).to_contain_text("Closed on")
    _screenshot(page, "nc-closed")

    # A new management review: its inputs list the closed nonconformity.
    page.goto(f"{live_server.url}/audits/reviews/new/")
    page.get_by_label("Title").fill("AIMS management review, fourth quarter")
    page.get_by_label("Meeting date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("prepare-pack").click()
    inputs = page.get_by_test_id("pack-ncs")
    expect(inputs).to_contain_text(nc_reference)
    expect(inputs.locator("tr", has_text=nc_reference)).to_contain_text("Closed")
    _screenshot(page, "review-inputs")
