"""Scheduled deletion of organisations whose grace period has ended (daily, from Celery beat)."""

from celery import shared_task

from stewardship.services import perform_due_deletions


@shared_task(name="stewardship.tasks.perform_due_deletions", acks_late=True)
def perform_due_deletions_task() -> list[str]:
    # Idempotent: a redelivered run finds nothing more to delete.
    return perform_due_deletions()
