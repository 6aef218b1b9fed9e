"""The controls journey in a browser: as the officer, exclude an Annex A control from the Statement of
Applicability with a justification, approve the new version, upload evidence for another control and see the
ISO/IEC 42001 readiness rise in the gap analysis."""

import contextlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

SCREENSHOTS = "/tmp/aims-controls-{}.png"


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=SCREENSHOTS.format(name), full_page=True)


def _readiness(page, live_server) -> tuple[int, int, int]:
    """(percent, ready, applicable) of ISO/IEC 42001 on the gap analysis page."""
    page.goto(f"{live_server.url}/controls/gap-analysis/?framework=iso42001")
    percent = int(page.get_by_test_id("readiness-percent").inner_text().rstrip("%"))
    counts = page.get_by_test_id("readiness-counts").inner_text()
    ready, applicable = map(int, re.match(r"(\d+) of (\d+)", counts).groups())
    return percent, ready, applicable


@pytest.mark.browser
def test_officer_excludes_a_control_approves_the_soa_uploads_evidence_and_sees_readiness_rise(
    page, live_server, transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    login(page, live_server, "officer")

    before = _readiness(page, live_server)
    expect(page.get_by_test_id("gap-A.7.6")).to_be_visible()  # a gap today
    expect(page.get_by_test_id("gap-A.7.3")).to_contain_text("No evidence")

    # 1. Exclude A.7.6 from the SoA, with its justification.
    page.goto(f"{live_server.url}/controls/soa/")
    expect(page.get_by_test_id("soa-status")).to_contain_text("Version 1")
    page.get_by_test_id("edit-A.7.6").click()
    page.get_by_label("Not applicable").check()
    page.get_by_label("Exclusion reason").select_option(label="Carried out and controlled by a supplier")
    page.get_by_label("Exclusion justification").fill(
        "Imaging and text data reach us already prepared and labelled by MediData under contract; we do no data "
        "preparation of our own."
    )
    page.get_by_role("button", name="Save").click()
    row = page.get_by_test_id("soa-line-A.7.6")
    expect(row).to_contain_text("Not applicable")
    expect(row).to_contain_text("we do no data preparation of our own")
    expect(page.get_by_test_id("soa-status")).to_contain_text("Version 2")
    expect(page.get_by_test_id("soa-status")).to_contain_text("Draft")

    # 2. Approve version 2.
    page.get_by_label("Approval note (optional)").fill("Reviewed at the AI governance board.")
    page.get_by_test_id("approve-soa").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 2 of the Statement of Applicability approved.")
    expect(page.get_by_test_id("soa-status")).to_contain_text("Approved")
    expect(page.get_by_test_id("soa-versions")).to_contain_text("Version 2")
    _screenshot(page, "soa")

    # 3. Upload evidence for another control: the data acquisition review (A.7.3), which has none yet.
    page.goto(f"{live_server.url}/controls/controls/?q=Data+acquisition")
    page.get_by_role("link", name="CTL-019").click()
    page.get_by_test_id("tab-evidence").click()
    page.get_by_test_id("add-evidence").click()
    page.get_by_label("Title").fill("Licence review: MediData imaging dataset")
    page.get_by_label("File", exact=True).set_input_files(
        {
            "name": "licence-review.txt",
            "mimeType": "text/plain",
            "buffer": b"Licence and lawful basis checked by procurement and the DPO.\n",
        }
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("evidence-banner")).to_contain_text("Current")
    expect(page.get_by_test_id("sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))

    # 4. Readiness rises: A.7.6 no longer counts against it and A.7.3 is ready.
    after = _readiness(page, live_server)
    _screenshot(page, "gap-analysis")
    assert after[2] == before[2] - 1, (before, after)
    assert after[1] == before[1] + 1, (before, after)
    assert after[0] > before[0], (before, after)
    expect(page.get_by_test_id("gap-A.7.3")).to_have_count(0)
    expect(page.get_by_test_id("gap-A.7.6")).to_have_count(0)
