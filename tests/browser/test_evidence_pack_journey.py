"""An evidence pack in a browser: the demo auditor requests a pack as of last month, watches the progress bar
(htmx polling) reach 100%, downloads the ZIP, and the test checks its manifest against the files.

The worker here is in process: the queue send is captured, and the test thread runs the build (``build.run``,
the body of the Celery task) while the browser polls the live server; the real worker is tested against Redis
in ``reports/tests/test_worker.py``.
"""

import contextlib
import datetime as dt
import hashlib
import json
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login


def _screenshot(page, name):
    with contextlib.suppress(OSError):
        page.screenshot(path=f"/tmp/aims-packs-{name}.png", full_page=True)


@pytest.mark.browser
def test_auditor_builds_and_downloads_an_evidence_pack(
    page, live_server, transactional_db, monkeypatch, tmp_path, settings
):
    from reports import build
    from reports.models import ReportJob

    settings.REPORTS_DIR = tmp_path / "reports"
    queued = []
    monkeypatch.setattr("aims.jobs.send_now", lambda task, *args, **kwargs: queued.append(args[0]))
    call_command("seed_demo", verbosity=0)
    # The demo is seeded today; date its records two months back, as if its AIMS had been running since.
    from accounts.models import Organisation
    from reports.tests.factories import age_history

    age_history(Organisation.objects.get(slug="northwind"), 60)
    last_month = timezone.localdate() - dt.timedelta(days=30)

    login(page, live_server, "auditor")
    page.goto(f"{live_server.url}/reports/packs/")
    expect(page.get_by_role("heading", name="Evidence packs")).to_be_visible()
    page.get_by_label("EU AI Act").check()
    page.get_by_test_id("as-of").fill(last_month.isoformat())
    _screenshot(page, "request")
    page.get_by_test_id("request-pack").click()

    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    assert len(queued) == 1
    job = ReportJob.objects.get(pk=queued[0])
    assert job.as_of.date() == last_month and job.frameworks == ["iso42001", "eu_ai_act"]

    assert build.run(job.pk) == "complete"  # the in-process worker
    expect(page.get_by_test_id("progress-bar")).to_have_text("100%", timeout=20_000)
    expect(progress).to_have_attribute("data-status", "complete")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    _screenshot(page, "complete")

    with page.expect_download() as info:
        page.get_by_test_id("download-pack").click()
    path = tmp_path / "pack.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["as_of"].startswith(last_month.isoformat())
        assert manifest["organisation"]["slug"] == "northwind"
        assert manifest["frameworks"] == ["iso42001", "eu_ai_act"]
        for entry in manifest["files"]:
            content = archive.read(entry["path"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["path"]
            assert len(content) == entry["size"]
        kinds = {entry["kind"] for entry in manifest["files"]}
        assert {"pdf", "csv", "evidence"} <= kinds

    page.reload()
    expect(page.get_by_test_id("downloads")).to_contain_text("Aisha Okafor (web)")  # the demo auditor
    assert job.downloads.get().user.username == "auditor"
