"""Evidence files: checked before anything is written (size, type, content matching the extension), stored
privately with their SHA-256, revised without losing earlier files, and downloaded only through an
authorised view as an attachment."""

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from aims.services import ServiceError
from controls import services
from controls.constants import EvidenceKind, EvidenceState
from controls.models import Evidence, EvidenceRevision
from controls.tests.conftest import MINIMAL_PDF, PNG_1PX, upload
from controls.uploads import check_upload


def _files(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _docx(member="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def _create(org, officer, name, content, **data):
    return services.evidence_create(
        actor=officer, organisation=org, data={"title": "Bias test report", **data}, upload=upload(name, content)
    )


# --- Accepted files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", MINIMAL_PDF, "application/pdf"),
        ("chart.PNG", PNG_1PX, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("minutes.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (
            "register.xlsx",
            _docx("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("export.csv", b"name,owner\nRisk register,Olivia\n", "text/csv"),
        ("notes.txt", "Plain notes — with UTF-8 ✓\n".encode(), "text/plain"),
        ("card.md", b"# Model card\n", "text/markdown"),
    ],
)
def test_accepted_types_are_stored_with_hash_size_and_sniffed_type(org, officer, settings, name, content, content_type):
    evidence = _create(org, officer, name, content)
    revision = evidence.current_revision
    assert evidence.kind == EvidenceKind.FILE and evidence.reference == "EVD-001"
    assert revision.sha256 == hashlib.sha256(content).hexdigest()
    assert (revision.size, revision.content_type, revision.original_name, revision.number) == (
        len(content),
        content_type,
        name,
        1,
    )
    stored = Path(settings.MEDIA_ROOT) / revision.file.name
    assert stored.read_bytes() == content
    assert stored.parent == Path(settings.MEDIA_ROOT) / "evidence" / str(org.pk)
    assert Path(name).stem not in stored.name and len(stored.stem) == 32  # a random name, not the uploader's


def test_the_browser_claimed_type_is_not_trusted(org, officer):
    evidence = services.evidence_create(
        actor=officer, organisation=org, data={"title": "x"}, upload=upload("a.txt", b"hello", "application/pdf")
    )
    assert evidence.current_revision.content_type == "text/plain"


# --- Refused files: a clear message, and nothing partial remains ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("tool.exe", b"MZ\x90\x00", "Files .exe are not accepted"),
        ("noextension", b"hello", "Files without an extension are not accepted"),
        ("page.html", b"<script>alert(1)</script>", "Files .html are not accepted"),
        ("fake.pdf", b"just text pretending", "does not contain a PDF document"),
        ("fake.png", MINIMAL_PDF, "does not contain a PNG image"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "does not contain a Word document"),
        ("sheet.xlsx", _docx(), "does not contain an Excel workbook"),  # a Word file renamed
        ("binary.txt", b"\x00\x01\x02\xff", "does not contain a text file"),
        ("latin1.csv", "caf\xe9".encode("latin-1"), "does not contain a CSV file"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_refused_files_leave_no_row_and_no_file(org, officer, settings, name, content, expected):
    with pytest.raises(ServiceError) as refused:
        _create(org, officer, name, content)
    assert "file" in refused.value.message_dict
    assert expected in refused.value.message_dict["file"][0]
    assert not Evidence.objects.exists() and not EvidenceRevision.objects.exists()
    assert _files(settings.MEDIA_ROOT) == []


def test_a_file_over_the_size_limit_is_refused(org, officer, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ServiceError) as refused:
        _create(org, officer, "big.txt", b"a" * 1025)
    assert "limit for evidence files is 1.0\xa0KB" in refused.value.message_dict["file"][0]
    assert not Evidence.objects.exists() and _files(settings.MEDIA_ROOT) == []


def test_the_default_size_limit_is_20_mb(settings):
    del settings.EVIDENCE_MAX_BYTES
    from controls.uploads import max_bytes

    assert max_bytes() == 20 * 1024 * 1024


def test_a_database_failure_after_storing_removes_the_file(org, officer, settings, monkeypatch):
    evidence = services.evidence_create(actor=officer, organisation=org, data={"title": "x", "url": "https://e.org/x"})
    Evidence.objects.filter(pk=evidence.pk).update(kind=EvidenceKind.FILE, url="")
    evidence.refresh_from_db()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(EvidenceRevision, "save", broken)
    with pytest.raises(RuntimeError):
        services.evidence_add_revision(actor=officer, evidence=evidence, upload=upload("a.txt", b"hello"))
    assert _files(settings.MEDIA_ROOT) == []
    assert not EvidenceRevision.objects.exists()


def test_a_file_and_a_link_together_are_refused(org, officer):
    with pytest.raises(ServiceError) as refused:
        _create(org, officer, "a.txt", b"x", url="https://example.org/a")
    assert "url" in refused.value.message_dict


def test_evidence_needs_a_file_or_a_link(org, officer):
    with pytest.raises(ServiceError):
        services.evidence_create(actor=officer, organisation=org, data={"title": "x"})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/a", "file:///etc/passwd"])
def test_links_must_be_http_or_https(org, officer, url):
    with pytest.raises(ServiceError) as refused:
        services.evidence_create(actor=officer, organisation=org, data={"title": "x", "url": url})
    assert "url" in refused.value.message_dict
    assert not Evidence.objects.exists()


def test_expiry_before_the_effective_date_is_refused(org, officer):
    today = timezone.localdate()
    with pytest.raises(ServiceError) as refused:
        services.evidence_create(
            actor=officer,
            organisation=org,
            data={
                "title": "x",
                "url": "https://e.org",
                "effective_date": today,
                "expiry_date": today - dt.timedelta(1),
            },
        )
    assert "expiry_date" in refused.value.message_dict


# --- Revisions, review, state ---------------------------------------------------------------------------------


def test_a_new_file_is_a_new_revision_and_earlier_ones_stay(org, officer, settings):
    evidence = _create(org, officer, "v1.txt", b"first")
    services.evidence_review(actor=officer, evidence=evidence, status="accepted")
    second = services.evidence_add_revision(actor=officer, evidence=evidence, upload=upload("v2.txt", b"second"))
    evidence.refresh_from_db()
    assert second.number == 2 and evidence.current_revision == second
    assert evidence.review_status == "pending"  # a new file needs a new review
    first = evidence.revisions.get(number=1)
    assert (Path(settings.MEDIA_ROOT) / first.file.name).read_bytes() == b"first"
    assert len(_files(settings.MEDIA_ROOT)) == 2


def test_link_evidence_takes_no_revisions(org, officer):
    evidence = services.evidence_create(actor=officer, organisation=org, data={"title": "x", "url": "https://e.org"})
    with pytest.raises(ServiceError):
        services.evidence_add_revision(actor=officer, evidence=evidence, upload=upload("a.txt", b"x"))


def test_evidence_state_follows_the_dates_and_the_review(org, officer):
    today = timezone.localdate()
    evidence = services.evidence_create(actor=officer, organisation=org, data={"title": "x", "url": "https://e.org"})
    assert evidence.state == EvidenceState.CURRENT
    evidence.expiry_date = today + dt.timedelta(days=10)
    assert evidence.state == EvidenceState.EXPIRING
    evidence.expiry_date = today - dt.timedelta(days=1)
    assert evidence.state == EvidenceState.EXPIRED
    evidence.expiry_date, evidence.effective_date = None, today + dt.timedelta(days=3)
    assert evidence.state == EvidenceState.NOT_YET
    evidence.effective_date, evidence.review_status = None, "rejected"
    assert evidence.state == EvidenceState.REJECTED


def test_deleting_evidence_removes_its_files_after_commit(org, officer, settings, django_capture_on_commit_callbacks):
    evidence = _create(org, officer, "a.txt", b"x")
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=officer, evidence=evidence)
    assert not Evidence.objects.exists() and _files(settings.MEDIA_ROOT) == []


def test_check_upload_hashes_in_chunks(settings):
    content = b"x" * (3 * 1024 * 1024)
    checked = check_upload(upload("big.txt", content))
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


# --- Download: only through the authorised view ---------------------------------------------------------------


def test_download_is_an_attachment_that_must_not_be_sniffed(org, officer, members, client_for):
    evidence = _create(org, officer, "Report Q1.pdf", MINIMAL_PDF)
    url = reverse("controls:evidence-download", args=[evidence.current_revision_id])
    response = client_for(members["viewer"]).get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;") and "Report Q1.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_another_organisations_file_is_404_through_every_route(org, officer, outsider, client_for, api_for, other_org):
    evidence = _create(org, officer, "secret.pdf", MINIMAL_PDF)
    revision = evidence.current_revision
    client = client_for(outsider)
    for url in [
        reverse("controls:evidence-download", args=[revision.pk]),
        reverse("controls:evidence-detail", args=[evidence.pk]),
        reverse("controls:evidence-detail", args=[evidence.pk]) + "?tab=revisions",
        reverse("controls:evidence-update", args=[evidence.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("controls:evidence-upload", args=[evidence.pk]), {"file": upload("x.txt", b"x")}
        ).status_code
        == 404
    )
    api = api_for(outsider, other_org)
    for url in [
        f"/api/v1/evidence/{evidence.pk}/",
        f"/api/v1/evidence/{evidence.pk}/download/",
        f"/api/v1/evidence/{evidence.pk}/revisions/",
        f"/api/v1/evidence-revisions/{revision.pk}/",
        f"/api/v1/evidence-revisions/{revision.pk}/download/",
    ]:
        assert api.get(url).status_code == 404, url
    assert api.post(f"/api/v1/evidence/{evidence.pk}/revisions/", {"file": upload("x.txt", b"x")}).status_code == 404
    assert EvidenceRevision.objects.count() == 1


def test_media_is_never_served_by_url(client_for, officer, org):
    _create(org, officer, "a.txt", b"x")
    revision = EvidenceRevision.objects.get()
    assert client_for(officer).get("/media-not-served/" + revision.file.name).status_code == 404


# --- Pages -----------------------------------------------------------------------------------------------------


def test_upload_page_refuses_a_mismatched_file_with_its_reason(org, officer, client_for, settings):
    response = client_for(officer).post(
        reverse("controls:evidence-create"), {"title": "Fake", "file": upload("fake.pdf", b"not a pdf")}
    )
    assert response.status_code == 200
    assert "does not contain a PDF document" in response.content.decode()
    assert not Evidence.objects.exists() and _files(settings.MEDIA_ROOT) == []


def test_revision_upload_page_shows_the_refusal(org, officer, client_for, settings):
    evidence = _create(org, officer, "a.txt", b"x")
    response = client_for(officer).post(
        reverse("controls:evidence-upload", args=[evidence.pk]), {"file": upload("b.exe", b"MZ")}
    )
    assert response.status_code == 400
    assert "Files .exe are not accepted" in response.content.decode()
    assert evidence.revisions.count() == 1


def test_contributor_uploads_revisions_only_to_evidence_they_own(org, officer, members, client_for):
    evidence = _create(org, officer, "a.txt", b"x", owner=officer)
    response = client_for(members["contributor"]).post(
        reverse("controls:evidence-upload", args=[evidence.pk]), {"file": upload("b.txt", b"y")}
    )
    assert response.status_code == 403
    assert evidence.revisions.count() == 1
