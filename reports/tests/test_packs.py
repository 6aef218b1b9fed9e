"""Evidence packs built in process: as-of reading, PDF content, ZIP and manifest, verification, idempotence and
the lease that keeps a presumed-dead build from completing a job."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from aims.roles import Role
from controls.tests.factories import ControlFactory
from registry.tests.factories import AISystemFactory
from reports import build, services
from reports.models import JobKind, JobStatus, ReportJob
from reports.sections import PackContext, gather_controls, gather_soa
from reports.tests.factories import age_history
from trail.models import ZERO_HASH, TrailLink

pytestmark = pytest.mark.django_db

DAYS_AGO = 20


def _job(org, user, **kwargs):
    kwargs.setdefault("as_of", timezone.now())
    job = ReportJob(organisation=org, requested_by=user, frameworks=["iso42001"], **kwargs)
    job.assign_reference()
    job.save()
    return job


def test_past_as_of_excludes_a_later_control_and_shows_the_old_soa_justification(org, small_org):
    age_history(org, DAYS_AGO)
    later = ControlFactory(organisation=org, title="Control added later")
    line = small_org["line"]
    line.business_need = "New reason: a contract requires it."
    line.save()
    past = PackContext(organisation=org, as_of=timezone.now() - dt.timedelta(days=DAYS_AGO // 2))
    now = PackContext(organisation=org, as_of=timezone.now())

    past_controls = {c.reference for c in gather_controls(past)["controls"]}
    assert small_org["control"].reference in past_controls
    assert later.reference not in past_controls
    assert later.reference in {c.reference for c in gather_controls(now)["controls"]}

    (past_line,) = gather_soa(past)["lines"]
    (now_line,) = gather_soa(now)["lines"]
    assert past_line.business_need == "Old reason: the board asked for it."
    assert now_line.business_need == "New reason: a contract requires it."
    assert [c.reference for c in past_line.control_list] == [small_org["control"].reference]


def test_deleted_objects_are_out_of_a_later_pack_but_in_an_earlier_one(org, small_org):
    age_history(org, DAYS_AGO)
    small_org["control"].delete()
    past = PackContext(organisation=org, as_of=timezone.now() - dt.timedelta(days=1))
    assert small_org["control"].reference in {c.reference for c in gather_controls(past)["controls"]}
    now = PackContext(organisation=org, as_of=timezone.now())
    assert small_org["control"].reference not in {c.reference for c in gather_controls(now)["controls"]}


def test_pack_builds_pdf_zip_and_manifest(org, small_org, officer):
    age_history(org, DAYS_AGO)
    as_of = timezone.now() - dt.timedelta(days=3)
    job = _job(org, officer, as_of=as_of)
    assert build.run(job.pk) == "complete"
    job.refresh_from_db()
    assert (job.status, job.percent, job.attempts) == (JobStatus.COMPLETE, 100, 1)
    path = services.file_of(job)
    assert path.is_file() and path.suffix == ".zip"
    assert services.sha256_of(path) == (job.sha256, job.size)
    assert not list(path.parent.glob("*.part")), "no temporary file is left behind"

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        for entry in manifest["files"]:
            content = archive.read(entry["path"])
            assert services.hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["size"]
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf_name))).pages)
    assert {e["path"] for e in manifest["files"]} | {"manifest.json"} == names
    assert manifest["as_of"].startswith(timezone.localtime(as_of).date().isoformat())
    assert manifest["software_version"] and manifest["generated_at"]
    # The trail's head as it stood at the as-of date, not today's.
    last_link = TrailLink.objects.filter(organisation=org, created_at__lte=as_of).order_by("-seq").first()
    expected_head = (last_link.seq, last_link.hash) if last_link else (0, ZERO_HASH)
    assert (manifest["trail_head"]["seq"], manifest["trail_head"]["hash"]) == expected_head
    assert TrailLink.objects.filter(organisation=org).count() > expected_head[0]
    revision = small_org["revision"]
    evidence_entry = next(e for e in manifest["files"] if e["kind"] == "evidence")
    assert evidence_entry["sha256"] == revision.sha256
    assert {"registers/risks.csv", "registers/controls.csv", "registers/ai-systems.csv"} <= names

    for heading in (
        "Contents",
        "Scope and context of the AIMS",
        "AI policy and its approval",
        "Risk criteria, heat maps and risk register",
        "Statement of Applicability",
        "Controls and evidence index",
        "Documented-information index",
        "Change history for the period",
    ):
        assert heading in text, heading
    assert f"As of {as_of:%-d %B %Y}" in text
    assert small_org["control"].reference in text and revision.sha256[:20] in text
    assert job.page_count >= 10


def test_verify_reports_a_tampered_file(org, small_org, officer, tmp_path, capsys):
    job = _job(org, officer)
    build.run(job.pk)
    job.refresh_from_db()
    call_command("verify_pack", str(job.pk))
    assert "all" in capsys.readouterr().out

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(services.file_of(job)) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("registers/risks"):
                data += b"forged row\n"
            target.writestr(item, data)
    with pytest.raises(CommandError):
        call_command("verify_pack", str(tampered))
    assert "registers/risks.csv: SHA-256 mismatch" in capsys.readouterr().err


def test_deleting_a_job_removes_its_file(org, small_org, officer):
    job = _job(org, officer)
    build.run(job.pk)
    job.refresh_from_db()
    path = services.file_of(job)
    assert path.is_file()
    job.delete()
    assert not path.exists()


def test_building_twice_builds_once(org, small_org, officer):
    job = _job(org, officer)
    assert build.run(job.pk) == "complete"
    first = ReportJob.objects.get(pk=job.pk)
    assert build.run(job.pk) == "skipped"
    again = ReportJob.objects.get(pk=job.pk)
    assert (again.attempts, again.sha256, again.finished_at) == (first.attempts, first.sha256, first.finished_at)


def test_a_build_that_lost_its_lease_never_completes_the_job(org, small_org, officer, settings):
    job = _job(org, officer)
    token = services.claim(job.pk)
    assert services.claim(job.pk) is None, "a live build holds the job"
    # Its worker dies: no heartbeat for longer than the stale limit, and a new attempt takes over.
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert job.pk in set(services.stale_jobs().values_list("pk", flat=True))
    assert build.run(job.pk) == "complete"
    temp = services.job_folder(job) / f"{job.pk}.{token}.part"
    temp.write_bytes(b"half a zip")
    assert services.finish(job, token, temp, "late.zip", page_count=1) is False
    assert not temp.exists()
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETE and job.attempts == 2 and job.file_name != "late.zip"
    with pytest.raises(services.LeaseLost):
        services.progress(job.pk, token, "late", 50)


def test_a_failing_build_leaves_no_file_and_shows_the_error(org, small_org, officer, monkeypatch):
    from reports.tasks import build_report

    job = _job(org, officer)

    def boom(*args, **kwargs):
        raise RuntimeError("the layout engine ran out of paper")

    monkeypatch.setattr(build.layout, "render", boom)
    monkeypatch.setattr(build_report, "max_retries", 0)
    assert build_report.apply(args=[str(job.pk)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "ran out of paper" in job.error
    assert not list(services.job_folder(job).iterdir())


def test_dossier_of_one_system(org, small_org, members):
    other = AISystemFactory(organisation=org, name="Rostering optimiser")
    job = services.request_dossier(user=members[Role.AUDITOR], organisation=org, system=small_org["system"])
    assert build.run(job.pk) == "complete"
    job.refresh_from_db()
    assert job.kind == JobKind.DOSSIER and job.file_name.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(services.file_of(job)).pages)
    assert "Triage assistant" in text and "Unfair triage" in text and "Bias testing before release" in text
    assert other.name not in text
    for heading in ("Purpose and use", "EU AI Act classification", "Models and evaluation", "History of the system"):
        assert heading in text


def test_user_text_is_escaped_in_the_pdf(org, small_org, officer):
    """Markup typed into a record is printed as text, and can never make the renderer load a file."""
    ControlFactory(organisation=org, title='<img src="file:///etc/passwd"> <b>bold</b>')
    job = _job(org, officer)
    build.run(job.pk)
    job.refresh_from_db()
    with zipfile.ZipFile(services.file_of(job)) as archive:
        pdf = next(n for n in archive.namelist() if n.endswith(".pdf"))
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(pdf))).pages)
    assert '<img src="file:///etc/passwd">' in text
    assert "root:x:" not in text


def test_requeue_sends_again_only_builds_without_a_live_worker(org, officer, monkeypatch):
    from reports.tasks import requeue_stale_jobs

    sent = []
    monkeypatch.setattr("aims.jobs.send_now", lambda task, *args, **kwargs: sent.append(args[0]))
    dead, alive, done = (_job(org, officer) for _ in range(3))
    for job in (dead, alive):
        services.claim(job.pk)
    ReportJob.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    ReportJob.objects.filter(pk=done.pk).update(status=JobStatus.COMPLETE)
    assert requeue_stale_jobs() == 1
    assert sent == [str(dead.pk)]
