"""Enqueueing tasks from web requests and services.

Tasks are sent after the transaction commits (so a worker never sees rows that do not exist yet),
and a broker that is down makes the send fail fast with ``BrokerUnavailable`` instead of hanging
the request: the caller turns that into a clear message.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """The task queue could not be reached; the work was not queued."""


def send_now(task, *args, **kwargs):
    """Send ``task`` immediately; raise ``BrokerUnavailable`` quickly when the broker is down."""
    try:
        return task.apply_async(args=args, kwargs=kwargs, retry=False)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.error("Could not queue %s: %s", task.name, exc)
        raise BrokerUnavailable(
            _("The background job queue is unavailable right now; the job was not started. Try again shortly.")
        ) from exc


def enqueue_on_commit(task, *args, on_error: Callable[[BrokerUnavailable], None] | None = None, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits (at once outside a transaction)."""

    def _send():
        try:
            send_now(task, *args, **kwargs)
        except BrokerUnavailable as exc:
            if on_error is None:
                raise
            on_error(exc)

    transaction.on_commit(_send)
