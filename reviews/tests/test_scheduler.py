"""Exactly one scheduler: however many beat processes tick, each daily job runs once per organisation and local day."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from audits.constants import KPIKind, SnapshotSource
from audits.models import KPISnapshot
from audits.services import kpi_add_builtin
from registry.tests.factories import AISystemFactory
from reviews import jobs
from reviews.models import ScheduledRun
from reviews.scheduling import STALE_AFTER, claim_run, run_daily

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("UTC"))


def _counting_work(calls):
    def work(organisation, day):
        calls.append((organisation.slug, day))
        return {"ok": 1}

    return work


def test_a_second_tick_the_same_day_does_nothing(org, other_org):
    calls = []
    first = run_daily("test.job", _counting_work(calls), now=MORNING)
    second = run_daily("test.job", _counting_work(calls), now=MORNING + dt.timedelta(minutes=15))
    assert set(first) == {"acme", "globex"} and second == {}
    assert sorted(calls) == [("acme", dt.date(2026, 3, 4)), ("globex", dt.date(2026, 3, 4))]
    assert ScheduledRun.objects.filter(job="test.job", finished_at__isnull=False).count() == 2

    run_daily("test.job", _counting_work(calls), now=MORNING + dt.timedelta(days=1))
    assert len(calls) == 4  # the next day runs again


def test_the_day_is_the_organisations_and_starts_at_six_local_time(org, other_org):
    calls = []
    # 05:30 UTC is 05:30 in London (winter) and 06:30 in Berlin.
    run_daily("test.job", _counting_work(calls), now=dt.datetime(2026, 1, 14, 5, 30, tzinfo=ZoneInfo("UTC")))
    assert calls == [("globex", dt.date(2026, 1, 14))]


def test_an_unfinished_run_is_taken_over_only_when_stale(org):
    run = claim_run("test.job", org, MORNING.date(), now=MORNING)
    assert run is not None
    assert claim_run("test.job", org, MORNING.date(), now=MORNING + dt.timedelta(minutes=30)) is None
    taken = claim_run("test.job", org, MORNING.date(), now=MORNING + STALE_AFTER + dt.timedelta(minutes=1))
    assert taken is not None and taken.attempts == 2
    assert claim_run("test.job", org, MORNING.date(), now=MORNING + STALE_AFTER + dt.timedelta(minutes=2)) is None


def test_a_failing_run_stays_unfinished_for_a_retry(org):
    def broken(organisation, day):
        raise RuntimeError("boom")

    assert run_daily("test.job", broken, now=MORNING) == {}
    run = ScheduledRun.objects.get(job="test.job")
    assert run.finished_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent writers")
def test_two_beat_processes_at_once_produce_one_run(org, other_org):
    calls, errors = [], []
    contenders = 4
    barrier = threading.Barrier(contenders)

    def beat():
        try:
            barrier.wait()
            run_daily("test.job", _counting_work(calls), now=MORNING)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(calls) == [("acme", MORNING.date()), ("globex", MORNING.date())]
    assert ScheduledRun.objects.filter(job="test.job").count() == 2


def test_the_kpi_job_takes_one_snapshot_per_builtin_kpi_and_day(org, officer):
    AISystemFactory(organisation=org)
    kpis = [
        kpi_add_builtin(actor=officer, organisation=org, key=key)
        for key in ("systems_risk_assessed", "systems_impact_approved")
    ]
    assert all(kpi.kind == KPIKind.BUILTIN for kpi in kpis)
    now = dt.datetime.now(tz=ZoneInfo("UTC")).replace(hour=12)

    assert jobs.daily_kpi_snapshots(now=now)["acme"] == {"snapshots": 2}
    assert jobs.daily_kpi_snapshots(now=now) == {}  # the lock
    # Even when the lock is bypassed (a run forced by hand), the snapshot is idempotent per KPI and day.
    ScheduledRun.objects.all().delete()
    jobs.daily_kpi_snapshots(now=now)
    assert KPISnapshot.objects.filter(source=SnapshotSource.JOB).count() == 2


def test_beat_schedules_both_daily_jobs():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reviews.tasks.run_reviews", "reviews.tasks.snapshot_kpis"} <= tasks
    from aims.celery import app

    app.loader.import_default_modules()
    assert {"reviews.tasks.run_reviews", "reviews.tasks.snapshot_kpis"} <= set(app.tasks)
