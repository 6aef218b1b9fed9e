"""Celery entry points of the daily jobs. Each is an interface: it claims its run through ``reviews.scheduling``
(so two beat processes produce one run per organisation and day) and calls the service."""

from celery import shared_task

from reviews import jobs


@shared_task(name="reviews.tasks.run_reviews", ignore_result=True, acks_late=True)
def run_reviews_task() -> dict:
    """Create due review tasks, send reminders and escalations, for every organisation whose day has begun."""
    return jobs.daily_reviews()


@shared_task(name="reviews.tasks.snapshot_kpis", ignore_result=True, acks_late=True)
def snapshot_kpis_task() -> dict:
    """Take today's snapshot of every active built-in KPI of every organisation (once per KPI and day)."""
    return jobs.daily_kpi_snapshots()
