"""Real Celery workers against Redis: one evidence pack end to end, and a worker killed with SIGKILL in the middle
of a build — the job is taken over by the next worker and completes exactly once, with no half-written file.

The workers are separate processes sharing the test database, so these tests need PostgreSQL and Redis (as in
CI); without REDIS_URL or on SQLite they are skipped with the reason.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from aims.roles import Role
from reports import services
from reports.models import JobStatus, ReportJob

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 180

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI does)"),
]


@pytest.fixture
def worker_env(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share an SQLite test database: run on PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REPORTS_DIR": str(settings.REPORTS_DIR),  # the same data folder (and media) as this process
        "AIMS_TESTING": "1",
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-" + uuid.uuid4().hex,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


class Worker:
    """A ``celery worker`` process (solo pool: the build runs in the process we kill)."""

    def __init__(self, env, log: Path, **extra):
        self.log = log
        self.handle = open(log, "wb")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aims",
                "worker",
                "-Q",
                "celery,pdf",
                "--pool",
                "solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"packs-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env={**env, **{k: str(v) for k, v in extra.items()}},
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_for(job, predicate, worker, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if predicate(job):
            return job
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{worker.output()}")
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what} (job {job.status} {job.stage} {job.percent}%):\n{worker.output()}")


def _check_pack(job):
    folder = services.job_folder(job)
    assert sorted(p.name for p in folder.iterdir()) == [job.file_name], "exactly one file, no partial left"
    verification = services.sha256_of(services.file_of(job))
    assert verification == (job.sha256, job.size)
    with zipfile.ZipFile(services.file_of(job)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["pack"] == job.reference and len(manifest["files"]) > 3
        assert {"pdf", "csv", "evidence"} <= {entry["kind"] for entry in manifest["files"]}


def test_a_real_worker_builds_a_pack_end_to_end(org, members, small_org, worker_env, tmp_path):
    worker = Worker(worker_env, tmp_path / "worker.log")
    try:
        job = services.request_pack(user=members[Role.AUDITOR], organisation=org, frameworks=["nist_ai_rmf"])
        _wait_for(job, lambda j: j.status == JobStatus.COMPLETE, worker, "the pack")
    finally:
        worker.stop()
    assert job.attempts == 1 and job.percent == 100 and job.page_count > 5
    _check_pack(job)


def test_a_worker_killed_mid_build_leaves_the_job_to_the_next_one_which_completes_it_once(
    org, members, small_org, worker_env, tmp_path
):
    # The first worker sleeps after each section, so the test can kill it in the middle of the build.
    first = Worker(worker_env, tmp_path / "first.log", REPORTS_STAGE_DELAY=1.5)
    try:
        job = services.request_pack(user=members[Role.OFFICER], organisation=org)
        _wait_for(job, lambda j: j.status == JobStatus.RUNNING and j.percent >= 15, first, "the build to start")
        first.kill()
    finally:
        first.stop()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    assert not job.file_path and not job.sha256, "a killed build never marks the job complete"

    # The next worker finds the build without a heartbeat (stale after 2 s) when it starts, and takes it over.
    time.sleep(2.5)
    second = Worker(worker_env, tmp_path / "second.log", REPORTS_STALE_SECONDS=2)
    try:
        _wait_for(job, lambda j: j.status == JobStatus.COMPLETE, second, "the retried pack")
        time.sleep(3)  # any duplicate delivery would run now; it must find the job complete
    finally:
        second.stop()
    done = ReportJob.objects.get(pk=job.pk)
    assert done.attempts == 2
    assert (done.finished_at, done.sha256) == (job.finished_at, job.sha256), "completed exactly once"
    _check_pack(done)
