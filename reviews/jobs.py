"""The scheduled jobs: what beat triggers and what the ``run_daily_jobs`` command runs by hand."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from audits.constants import SnapshotSource
from audits.services import kpi_snapshot_take
from reviews.scheduling import run_daily
from reviews.services import reviews_run_daily

REVIEWS_JOB = "reviews.daily"
KPI_JOB = "kpi_snapshots.daily"


def _reviews(organisation, day: dt.date) -> dict:
    return reviews_run_daily(organisation=organisation, today=day)


def _kpis(organisation, day: dt.date) -> dict:
    with transaction.atomic():
        taken = kpi_snapshot_take(organisation=organisation, source=SnapshotSource.JOB, job="snapshot_kpis")
    return {"snapshots": len(taken)}


def daily_reviews(*, now: dt.datetime | None = None, force: bool = False) -> dict:
    return run_daily(REVIEWS_JOB, _reviews, now=now, force=force)


def daily_kpi_snapshots(*, now: dt.datetime | None = None, force: bool = False) -> dict:
    return run_daily(KPI_JOB, _kpis, now=now, force=force)
