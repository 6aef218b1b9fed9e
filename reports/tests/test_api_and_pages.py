"""The evidence-pack API and pages: who may request, see and download; isolation; rate limits; the dossier button."""

import pytest
from django.urls import reverse

from aims.roles import Role
from registry.tests.factories import AISystemFactory
from reports import build
from reports.models import JobStatus, PackDownload, ReportJob

pytestmark = pytest.mark.django_db

URL = "/api/v1/evidence-packs/"


@pytest.fixture
def queued(monkeypatch):
    """Capture the jobs sent to the queue instead of sending them."""
    sent = []
    monkeypatch.setattr("aims.jobs.send_now", lambda task, *args, **kwargs: sent.append(args))
    return sent


def test_auditor_requests_a_pack_and_gets_202_with_a_status_url(
    org, members, api_for, queued, django_capture_on_commit_callbacks
):
    system = AISystemFactory(organisation=org)
    api = api_for(members[Role.AUDITOR], org)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            URL, {"frameworks": ["eu_ai_act"], "ai_systems": [system.reference], "as_of": "2026-01-31"}, format="json"
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["status_url"] == f"{URL}{body['id']}/"
    assert body["frameworks"] == ["iso42001", "eu_ai_act"]
    assert body["ai_systems"] == [str(system.pk)]
    assert body["as_of"].startswith("2026-01-31")
    assert body["status"] == "queued" and body["download_url"] is None
    assert queued == [(body["id"],)]

    status = api.get(body["status_url"]).json()
    assert (status["status"], status["percent"]) == ("queued", 0)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.VIEWER, Role.ADMIN])
def test_only_officers_and_auditors_request_packs(role, org, members, api_for, queued):
    response = api_for(members[role], org).post(URL, {}, format="json")
    assert response.status_code == 403


def test_bad_input_is_a_400_with_field_errors(org, officer, api_for, queued):
    api = api_for(officer, org)
    response = api.post(URL, {"frameworks": ["iso9001"], "as_of": "3000-01-01"}, format="json")
    assert response.status_code == 400
    assert "frameworks" in response.json()
    response = api.post(URL, {"as_of": "3000-01-01"}, format="json")
    assert response.status_code == 400 and "as_of" in response.json()
    response = api.post(URL, {"ai_systems": ["AIS-999"]}, format="json")
    assert response.status_code == 400 and "ai_systems" in response.json()
    assert not ReportJob.objects.exists()


def test_requests_are_rate_limited_per_organisation(org, other_org, officer, outsider, api_for, settings, queued):
    settings.REPORTS_MAX_PER_HOUR = 2
    settings.REPORTS_MAX_ACTIVE = 10
    api = api_for(officer, org)
    assert [api.post(URL, {}, format="json").status_code for _ in range(3)] == [202, 202, 429]
    assert "packs in the last hour" in api.post(URL, {}, format="json").json()["detail"]
    assert api_for(outsider, other_org).post(URL, {}, format="json").status_code == 202  # per organisation


def test_contoso_auditor_gets_404_on_a_northwind_pack(org, other_org, officer, make_member, api_for, client_for):
    from reports.services import request_pack

    job = request_pack(user=officer, organisation=org)
    build.run(job.pk)
    contoso_auditor = make_member(other_org, Role.AUDITOR, username="contoso-auditor")
    api = api_for(contoso_auditor, other_org)
    for method, url in (
        ("get", f"{URL}{job.pk}/"),
        ("get", f"{URL}{job.pk}/download/"),
        ("post", f"{URL}{job.pk}/verify/"),
    ):
        response = getattr(api, method)(url)
        assert response.status_code == 404, url
        assert job.reference not in response.content.decode()
    assert job.reference not in api.get(URL).content.decode()
    client = client_for(contoso_auditor)
    for name in ("reports:pack-detail", "reports:pack-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert not PackDownload.objects.exists()


def test_download_and_verify_through_the_api_are_recorded(org, members, api_for):
    from reports.services import request_pack

    auditor = members[Role.AUDITOR]
    job = request_pack(user=auditor, organisation=org)
    api = api_for(auditor, org)
    assert api.get(f"{URL}{job.pk}/download/").status_code == 409  # not built yet
    build.run(job.pk)
    response = api.get(f"{URL}{job.pk}/download/", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert PackDownload.objects.get().user == auditor
    verification = api.post(f"{URL}{job.pk}/verify/").json()
    assert verification["ok"] is True and verification["files_checked"] > 3 and verification["problems"] == []
    # A viewer sees the pack but may not download it.
    viewer_api = api_for(members[Role.VIEWER], org)
    assert viewer_api.get(f"{URL}{job.pk}/").status_code == 200
    assert viewer_api.get(f"{URL}{job.pk}/download/").status_code == 404


def test_request_page_progress_and_download(org, members, client_for, queued, django_capture_on_commit_callbacks):
    client = client_for(members[Role.AUDITOR])
    page = client.get(reverse("reports:pack-list"))
    assert page.status_code == 200 and b"ISO/IEC 42001 (always)" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:pack-list"), {"frameworks": ["nist_ai_rmf"], "as_of": "2026-01-15"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in partial.content and b'data-status="queued"' in partial.content
    build.run(job.pk)
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content and b"100%" in partial.content
    download = client.get(reverse("reports:pack-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert PackDownload.objects.filter(job=job, via="web").count() == 1


def test_future_date_is_a_field_error_on_the_page(org, officer, client_for):
    response = client_for(officer).post(reverse("reports:pack-list"), {"as_of": "3000-01-01"})
    assert response.status_code == 200 and b"cannot be in the future" in response.content
    assert not ReportJob.objects.exists()


def test_failed_pack_shows_its_error_to_the_requester(org, officer, client_for):
    from reports.services import request_pack

    job = request_pack(user=officer, organisation=org)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="The layout engine stopped.")
    page = client_for(officer).get(job.get_absolute_url())
    assert b"The layout engine stopped." in page.content and b'data-testid="job-error"' in page.content


def test_dossier_button_on_the_system_page(org, members, client_for, queued, django_capture_on_commit_callbacks):
    system = AISystemFactory(organisation=org)
    client = client_for(members[Role.OFFICER])
    tab = client.get(reverse("registry:aisystem-detail", args=[system.pk]) + "?tab=dossier")
    assert b'data-testid="build-dossier"' in tab.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:system-dossier", args=[system.pk]))
    job = ReportJob.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.ai_system == system and job.kind == "dossier"
    assert len(queued) == 1
    viewer_tab = client_for(members[Role.VIEWER]).get(
        reverse("registry:aisystem-detail", args=[system.pk]) + "?tab=dossier"
    )
    assert b'data-testid="build-dossier"' not in viewer_tab.content
