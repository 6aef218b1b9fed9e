"""Exactly one run per scheduled job, organisation and local day, however many beat processes are running.

Beat sends the daily jobs every quarter of an hour. Each run claims a ``ScheduledRun`` row (job, organisation,
day) with a plain INSERT guarded by a unique constraint: whoever inserts first does the work; a second beat
process, a tick delivered twice or a worker retry finds the row and skips. A run that started and never finished
(its worker was killed) is re-claimed with a conditional UPDATE once it is older than ``STALE_AFTER``, so exactly
one of several contenders takes it over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation
from reviews.constants import DAILY_RUN_HOUR
from reviews.models import ScheduledRun

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=1)


def local_now(organisation, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(ZoneInfo(organisation.time_zone or "UTC"))


def claim_run(job: str, organisation, period: dt.date, *, now: dt.datetime | None = None) -> ScheduledRun | None:
    """Claim the run of ``job`` for ``organisation`` and ``period``; None when another process has it."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job, organisation=organisation, period=period, started_at=now)
    except IntegrityError:
        pass
    taken_over = ScheduledRun.objects.filter(
        job=job, organisation=organisation, period=period, finished_at__isnull=True, started_at__lt=now - STALE_AFTER
    ).update(started_at=now, attempts=F("attempts") + 1)
    if taken_over:
        logger.warning("Re-running %s for %s on %s: the previous run never finished", job, organisation, period)
        return ScheduledRun.objects.get(job=job, organisation=organisation, period=period)
    return None


def finish_run(run: ScheduledRun, result: dict) -> None:
    ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=result)


def run_daily(
    job: str, work: Callable[[Organisation, dt.date], dict], *, now: dt.datetime | None = None, force: bool = False
) -> dict[str, dict]:
    """Run ``work(organisation, local_day)`` once per organisation and local day, from ``DAILY_RUN_HOUR`` local
    time on (``force`` ignores the hour). Returns ``{organisation slug: result}`` for the runs done here."""
    done = {}
    for organisation in Organisation.objects.order_by("slug"):
        local = local_now(organisation, now)
        if not force and local.hour < DAILY_RUN_HOUR:
            continue
        run = claim_run(job, organisation, local.date(), now=now)
        if run is None:
            continue
        try:
            result = work(organisation, local.date())
        except Exception:
            # Leave the run unfinished: it is taken over after STALE_AFTER, or by the next day's run.
            logger.exception("%s failed for %s", job, organisation.slug)
            continue
        finish_run(run, result)
        done[organisation.slug] = result
    return done
