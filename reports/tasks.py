"""Celery tasks of the reports app: building packs and dossiers in the ``pdf`` queue, and re-queueing builds
whose worker died. See ``reports.services`` for how a build stays correct when killed."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
# PDF jobs have their own time limits, below the broker's visibility timeout (see settings).
SOFT_TIME_LIMIT = 15 * 60
TIME_LIMIT = 16 * 60


@shared_task(
    bind=True,
    name="reports.build_report",
    queue="pdf",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def build_report(self, job_id: str) -> str:
    """Build one pack or dossier. Idempotent: a complete job, or one a live build holds, is left alone."""
    from reports import build, services
    from reports.models import ReportJob

    try:
        return build.run(job_id)
    except ReportJob.DoesNotExist:
        return "gone"
    except SoftTimeLimitExceeded:
        services.fail(
            job_id, None, gettext("The pack took too long to build and was stopped. Narrow it to fewer systems.")
        )
        return "failed"
    except Exception as exc:
        logger.exception("Building report %s failed (attempt %s)", job_id, self.request.retries + 1)
        job = ReportJob.objects.filter(pk=job_id).only("lease").first()
        token = job.lease if job else ""
        if self.request.retries >= self.max_retries:
            services.fail(
                job_id,
                token,
                gettext("The build failed after %(attempts)s attempts: %(error)s")
                % {"attempts": self.max_retries + 1, "error": exc},
            )
            return "failed"
        services.release(job_id, token, str(exc))
        raise self.retry(exc=exc, countdown=min(60, 5 * 2**self.request.retries)) from exc


@shared_task(name="reports.requeue_stale_jobs", ignore_result=True)
def requeue_stale_jobs() -> int:
    """Send again the builds whose worker stopped showing signs of life (killed, out of memory ...)."""
    from aims.jobs import BrokerUnavailable, send_now
    from reports.services import stale_jobs

    sent = 0
    for job_id in stale_jobs().values_list("pk", flat=True):
        try:
            send_now(build_report, str(job_id))
            sent += 1
        except BrokerUnavailable:
            break
    if sent:
        logger.info("Re-queued %s report build(s) whose worker stopped", sent)
    return sent


@worker_ready.connect
def _requeue_on_start(sender=None, **kwargs):
    """A worker that starts (perhaps after one was killed) picks up builds left without a live worker."""
    try:
        requeue_stale_jobs.delay()
    except Exception:  # noqa: BLE001 — a broker hiccup must not stop the worker from starting
        logger.warning("Could not re-queue stale report builds at worker start", exc_info=True)
