"""Celery tasks: sending a webhook delivery (with exponential backoff), the sweep, and expiring evidence."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="integrations.deliver_webhook", bind=True, ignore_result=True, max_retries=None)
def deliver_webhook(self, delivery_id: str) -> None:
    from integrations.models import WebhookDelivery
    from integrations.services.webhooks import attempt

    delivery = WebhookDelivery.objects.select_related("endpoint", "organisation").filter(pk=delivery_id).first()
    if delivery is None:
        return
    wait = attempt(delivery)
    if wait is not None and not self.request.is_eager:
        raise self.retry(countdown=wait)


@shared_task(name="integrations.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> int:
    """Queue again the deliveries whose task never ran (the broker was down when they were recorded)."""
    from integrations.services.webhooks import requeue, stale_deliveries

    count = 0
    for delivery in stale_deliveries()[:500]:
        requeue(delivery)
        count += 1
    return count


@shared_task(name="integrations.announce_expiring_evidence", ignore_result=True)
def announce_expiring_evidence() -> int:
    """Emit ``evidence.expiring`` once for each evidence item that entered its expiry window."""
    from integrations.services.expiry import announce_expiring

    return announce_expiring()
