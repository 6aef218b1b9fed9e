"""Webhook endpoints and deliveries: registering endpoints, fanning an event out, signing and sending.

A delivery body is JSON ``{"id", "type", "created_at", "organisation", "data"}``. It is signed with the
endpoint's secret: ``X-AIMS-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` with the Unix
timestamp in ``X-AIMS-Timestamp`` (receivers reject old timestamps to stop replays). A failed attempt
(network error, timeout, any answer but 2xx) is retried with exponential backoff up to
``WEBHOOKS_MAX_ATTEMPTS``; every attempt updates the delivery log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from aims.events import EVENT_TYPES
from aims.services import ServiceError, create_record, delete_with_history, update_record
from integrations.models import TEST_EVENT, DeliveryStatus, WebhookDelivery, WebhookEndpoint, new_secret
from integrations.services.http import UnsafeDestination, post, resolve_checked

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AIMS-Signature"
TIMESTAMP_HEADER = "X-AIMS-Timestamp"
ENDPOINT_FIELDS = ("name", "url", "event_types", "active")


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 6))


def backoff_seconds(attempt: int) -> int:
    """Wait before attempt ``attempt + 1``: 30 s, 1 min, 2 min, 4 min ... capped at an hour."""
    base = int(getattr(settings, "WEBHOOKS_BACKOFF_SECONDS", 30))
    return min(3600, base * 2 ** max(0, attempt - 1))


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (the README shows the same in a few lines)."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature or "")


# --- Endpoints ------------------------------------------------------------------------------------------


def _check_endpoint(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in ENDPOINT_FIELDS}
    unknown = [t for t in data.get("event_types", []) if t not in EVENT_TYPES]
    if unknown:
        raise ServiceError(
            gettext("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)}, field="event_types"
        )
    if "event_types" in data:
        data["event_types"] = sorted(set(data["event_types"]))
    if "url" in data:
        try:
            resolve_checked(data["url"])
        except UnsafeDestination as exc:
            raise ServiceError(str(exc), field="url") from None
    return data


@transaction.atomic
def endpoint_create(*, actor, organisation, data: dict) -> WebhookEndpoint:
    return create_record(
        WebhookEndpoint, actor=actor, organisation=organisation, data=_check_endpoint(data), reason="Registered"
    )


@transaction.atomic
def endpoint_update(*, actor, endpoint: WebhookEndpoint, data: dict, reason: str = "Edited") -> WebhookEndpoint:
    update_record(endpoint, actor=actor, data=_check_endpoint(data), reason=reason)
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = new_secret()
    endpoint._history_user, endpoint._change_reason = actor, "Secret rotated"
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    delete_with_history(endpoint, actor=actor, reason="Deleted")


# --- Deliveries -----------------------------------------------------------------------------------------


def _enqueue(delivery: WebhookDelivery, countdown: int = 0) -> None:
    from integrations.tasks import deliver_webhook

    def _send():
        try:
            deliver_webhook.apply_async(args=[str(delivery.pk)], countdown=countdown or None, retry=False)
        except Exception as exc:  # the broker is down: the sweep task queues it again later
            logger.warning("Webhook delivery %s not queued: %s", delivery.pk, exc)

    transaction.on_commit(_send)


def fan_out(organisation, event_type: str, payload: dict, *, endpoints=None) -> list[WebhookDelivery]:
    """Record one delivery per endpoint that wants ``event_type`` and queue them (after the commit)."""
    if endpoints is None:
        endpoints = WebhookEndpoint.objects.filter(organisation=organisation, active=True)
    event_id = uuid.uuid4()
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        if not endpoint.wants(event_type):
            continue
        delivery = WebhookDelivery.objects.create(
            organisation=organisation,
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            next_attempt_at=now,
        )
        _enqueue(delivery)
        deliveries.append(delivery)
    return deliveries


def on_event(sender, *, organisation, event_type, payload, **kwargs) -> None:
    """Receiver of ``aims.events.event``."""
    fan_out(organisation, event_type, payload)


@transaction.atomic
def send_test_event(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    payload = {"message": "A test event sent from AIMS.", "sent_by": actor.get_username()}
    return fan_out(endpoint.organisation, TEST_EVENT, payload, endpoints=[endpoint])[0]


def delivery_body(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "organisation": {"id": str(delivery.organisation_id), "slug": delivery.organisation.slug},
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def attempt(delivery: WebhookDelivery) -> int | None:
    """Send ``delivery`` once and log the outcome; returns the seconds to wait before a retry, or None."""
    if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
        return None
    endpoint = delivery.endpoint
    body = delivery_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"AIMS-Webhooks/{getattr(settings, 'AIMS_VERSION', '1')}",
        "X-AIMS-Event": delivery.event_type,
        "X-AIMS-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.response_status = delivery.response_ms = None
    try:
        result = post(endpoint.url, body, headers)
    except UnsafeDestination as exc:
        delivery.error, retry = str(exc)[:500], False  # retrying would not change the address
    except (OSError, ValueError) as exc:  # refused, timed out, TLS, bad answer
        delivery.error, retry = (f"{type(exc).__name__}: {exc}")[:500], True
    else:
        delivery.response_status, delivery.response_ms = result.status, result.elapsed_ms
        ok = 200 <= result.status < 300
        delivery.error = "" if ok else f"The receiver answered HTTP {result.status}."
        retry = not ok
        if ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED,
                timezone.now(),
                None,
            )
            delivery.save()
            return None
    wait = backoff_seconds(delivery.attempts) if retry and delivery.attempts < max_attempts() else None
    delivery.status = DeliveryStatus.RETRYING if wait else DeliveryStatus.FAILED
    delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=wait) if wait else None
    delivery.save()
    return wait


def stale_deliveries(now=None):
    """Deliveries whose queued task never ran (the broker was down): the sweep queues them again."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING), next_attempt_at__lt=now - dt.timedelta(minutes=10)
    )


def requeue(delivery: WebhookDelivery) -> None:
    _enqueue(delivery)
