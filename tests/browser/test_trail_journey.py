"""The audit trail and the organisation's data in a browser: the officer verifies the chain; the administrator
downloads the export, schedules the organisation's deletion and cancels it."""

import contextlib
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login


def _screenshot(page, name):
    with contextlib.suppress(OSError):  # an unwritable /tmp must not fail the journey
        page.screenshot(path=f"/tmp/aims-trail-{name}.png", full_page=True)


@pytest.mark.browser
def test_officer_verifies_the_trail_and_admin_exports_and_schedules_deletion(
    page, live_server, transactional_db, org, members, tmp_path
):
    from registry.tests.factories import AISystemFactory

    AISystemFactory(organisation=org, name="Triage model")

    login(page, live_server, members["officer"].username)
    page.goto(f"{live_server.url}/trail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    page.get_by_role("button", name="Verify the chain now").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("The chain is intact")
    _screenshot(page, "status")
    page.context.clear_cookies()

    login(page, live_server, members["admin"].username)
    page.goto(f"{live_server.url}/stewardship/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert "manifest.json" in archive.namelist()
        assert b"Triage model" in archive.read("data/registry.aisystem.json")

    page.get_by_label("Type the organisation's short name to confirm").fill(org.slug)
    page.get_by_role("button", name="Schedule deletion").click()
    expect(page.get_by_test_id("deletion-pending")).to_contain_text("Deletion is scheduled for")
    _screenshot(page, "deletion")
    page.get_by_role("button", name="Cancel the deletion").click()
    expect(page.get_by_text("The deletion was cancelled")).to_be_visible()
    expect(page.get_by_role("button", name="Schedule deletion")).to_be_visible()
