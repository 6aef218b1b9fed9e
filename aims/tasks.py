"""Platform tasks: a health probe for the worker and a heartbeat for the scheduler."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_CACHE_KEY = "aims:worker-heartbeat"


@shared_task(name="aims.tasks.ping")
def ping() -> str:
    """Answer ``pong``: lets ``/health/`` and operators check that a worker consumes the queue."""
    return "pong"


@shared_task(name="aims.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Record when beat last reached a worker, so operators can see the scheduler is alive."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    logger.info("AIMS heartbeat at %s", now)
    return now
