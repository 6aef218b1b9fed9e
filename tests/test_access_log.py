"""The access log (issue 10): what is recorded, who may read it (page and API), filters and CSV export."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.access import record_access
from accounts.models import AccessKind, AccessLog, Membership
from accounts.tests.factories import MembershipFactory
from aims.roles import Role
from controls import services as control_services
from controls.tests.conftest import MINIMAL_PDF, upload


def _kinds(**filters) -> list[str]:
    return list(AccessLog.objects.filter(**filters).order_by("at").values_list("kind", flat=True))


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_sign_in_failure_and_sign_out_are_recorded_for_each_organisation(officer, org, other_org):
    MembershipFactory(user=officer, organisation=other_org, role=Role.VIEWER)
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="pytest-browser")

    client.post("/login/", {"username": officer.username, "password": "wrong"})
    client.post("/login/", {"username": officer.username, "password": "aims-demo"})
    client.post("/logout/")

    for organisation in (org, other_org):
        assert _kinds(organisation=organisation) == [AccessKind.LOGIN_FAILED, AccessKind.LOGIN, AccessKind.LOGOUT]
    failed = AccessLog.objects.filter(kind=AccessKind.LOGIN_FAILED).first()
    assert failed.ip_address == "203.0.113.9"
    assert failed.user_agent == "pytest-browser"
    assert failed.username == officer.username


def test_failed_sign_in_for_an_unknown_name_is_kept_without_organisation(client, db):
    client.post("/login/", {"username": "ghost", "password": "nope"})

    row = AccessLog.objects.get()
    assert row.organisation is None and row.username == "ghost" and row.kind == AccessKind.LOGIN_FAILED


def test_token_creation_use_and_revocation_are_recorded(officer, org):
    token, key = services.api_token_create(user=officer, organisation=org, name="pipeline")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    api.get("/api/v1/me/")
    api.get("/api/v1/me/")  # a second use within the minute is not written again
    services.api_token_revoke(actor=officer, token=token)

    assert _kinds(organisation=org) == [AccessKind.TOKEN_CREATED, AccessKind.TOKEN_USED, AccessKind.TOKEN_REVOKED]
    used = AccessLog.objects.get(kind=AccessKind.TOKEN_USED)
    assert used.path == "/api/v1/me/" and used.user == officer and "pipeline" in used.detail


def test_role_change_is_recorded(members, org):
    membership = Membership.objects.get(user=members["viewer"], organisation=org)
    services.membership_change_role(actor=members["admin"], membership=membership, role=Role.CONTRIBUTOR)

    row = AccessLog.objects.get(kind=AccessKind.ROLE_CHANGED)
    assert row.user == members["admin"] and row.organisation == org
    assert "Viewer → Contributor" in row.detail


def test_exports_and_evidence_downloads_are_recorded(client_for, officer, members, org, api_for):
    evidence = control_services.evidence_create(
        actor=officer, organisation=org, data={"title": "Bias report"}, upload=upload("bias.pdf", MINIMAL_PDF)
    )
    viewer = client_for(members["viewer"])

    assert viewer.get(reverse("controls:evidence-download", args=[evidence.current_revision_id])).status_code == 200
    assert viewer.get("/inventory/systems/?export=csv").status_code == 403  # viewers may not export
    assert client_for(members["auditor"]).get("/inventory/systems/?export=csv").status_code == 200
    api = api_for(members["auditor"], org)
    assert api.get(f"/api/v1/evidence/{evidence.pk}/download/").status_code == 200

    downloads = AccessLog.objects.filter(kind=AccessKind.DOWNLOAD, organisation=org)
    assert downloads.filter(user=members["viewer"], detail__contains="bias.pdf").exists()
    assert downloads.filter(user=members["auditor"], path__startswith="/api/v1/evidence/").exists()
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT, user=members["viewer"]).exists()
    export = AccessLog.objects.get(kind=AccessKind.EXPORT, user=members["auditor"])
    assert export.organisation == org and "CSV" in export.detail and export.path.startswith("/inventory/systems/")


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_admins_and_officers_read_the_log(client_for, members, role, org):
    record_access(AccessKind.EXPORT, user=members["viewer"], organisation=org, detail="risks as CSV")

    response = client_for(members[role]).get("/account/access-log/")

    assert response.status_code == 200
    assert "risks as CSV" in response.content.decode()


@pytest.mark.parametrize("role", ["contributor", "auditor", "viewer"])
def test_other_roles_do_not_see_the_log(client_for, api_for, members, role, org):
    assert client_for(members[role]).get("/account/access-log/").status_code == 404
    assert api_for(members[role], org).get("/api/v1/access-log/").status_code == 403


def test_the_log_shows_only_the_own_organisation(client_for, officer, org, other_org):
    record_access(AccessKind.EXPORT, organisation=other_org, detail="globex-secret-export")
    record_access(AccessKind.EXPORT, organisation=org, detail="acme export")

    html = client_for(officer).get("/account/access-log/").content.decode()

    assert "acme export" in html and "globex-secret-export" not in html


def test_filters_and_csv_export(client_for, officer, members, org):
    record_access(AccessKind.EXPORT, user=members["viewer"], organisation=org, detail="viewer export")
    record_access(AccessKind.LOGIN, user=members["contributor"], organisation=org, detail="contributor login")
    old = record_access(AccessKind.LOGIN, user=members["viewer"], organisation=org, detail="old login")[0]
    AccessLog.objects.filter(pk=old.pk).update(at=old.at - dt.timedelta(days=40))
    client = client_for(officer)

    by_kind = client.get("/account/access-log/", {"kind": "export"}).content.decode()
    assert "viewer export" in by_kind and "contributor login" not in by_kind
    by_user = client.get("/account/access-log/", {"q": "contributor"}).content.decode()
    assert "contributor login" in by_user and "viewer export" not in by_user
    old.refresh_from_db()
    # The page counts days in the reader's time zone (here the organisation's).
    since = (old.at.astimezone(ZoneInfo(org.time_zone)) + dt.timedelta(days=1)).date().isoformat()
    recent = client.get("/account/access-log/", {"since": since}).content.decode()
    assert "old login" not in recent and "viewer export" in recent

    export = client.get("/account/access-log/", {"kind": "login", "export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export["Content-Disposition"].startswith('attachment; filename="access-log-')
    assert body.splitlines()[0].startswith("When,Event,User,IP address")
    assert "contributor login" in body and "viewer export" not in body
    # Exporting the log is itself recorded.
    assert AccessLog.objects.filter(kind=AccessKind.EXPORT, user=officer, detail__startswith="access-log").exists()


def test_api_lists_and_filters_the_log(api_for, officer, members, org):
    record_access(AccessKind.EXPORT, user=members["viewer"], organisation=org, detail="viewer export")
    record_access(AccessKind.LOGIN, user=members["viewer"], organisation=org)
    api = api_for(officer, org)

    response = api.get("/api/v1/access-log/", {"kind": "export"})
    bad = api.get("/api/v1/access-log/", {"since": "not-a-date"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["detail"] for row in results] == ["viewer export"]
    assert results[0]["kind_label"] == "Export"
    assert bad.status_code == 400 and "since" in bad.json()
