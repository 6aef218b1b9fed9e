"""Domain events: what happened in an organisation, announced once the transaction commits.

Services call ``emit(organisation, "risk.level_changed", {"risk": risk, "from": "high", "to": "medium"})``.
Nothing is sent when the transaction rolls back. Receivers (the webhooks of ``integrations``) connect to
``event`` and never run inside the service's transaction; a lower app never imports them.

Model instances in the payload are described on commit as ``{"id", "reference", "name"}`` (so a record
created in the same transaction has its reference by then); other values must be JSON-serialisable.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Sent with organisation=, event_type=, payload= (plain JSON data), after the commit.
event = Signal()

EVENT_TYPES: dict[str, str] = {
    "ai_system.created": _("An AI system was registered"),
    "ai_system.updated": _("An AI system was edited"),
    "model_version.registered": _("A model version was registered"),
    "risk.level_changed": _("A risk's inherent or residual level changed"),
    "nonconformity.opened": _("A nonconformity was opened"),
    "nonconformity.closed": _("A nonconformity was closed"),
    "incident.serious_reported": _("An incident was reported or flagged as serious"),
    "evidence.expiring": _("Evidence enters its expiry window"),
    "evidence_pack.ready": _("An evidence pack is ready to download"),
}


def describe(value):
    """A payload value as JSON data: records become ``{"id", "reference", "name"}``."""
    if isinstance(value, models.Model):
        data = {"id": str(value.pk), "type": value._meta.label_lower}
        if getattr(value, "reference", ""):
            data["reference"] = value.reference
        data["name"] = str(value)
        return data
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [describe(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def emit(organisation, event_type: str, payload: dict | None = None) -> None:
    """Announce ``event_type`` in ``organisation`` once the current transaction commits (at once outside one)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {event_type!r}")

    def _send():
        try:
            event.send(sender=None, organisation=organisation, event_type=event_type, payload=describe(payload or {}))
        except Exception:  # a receiver must never break the change that already committed
            logger.exception("A receiver of %s failed", event_type)

    transaction.on_commit(_send)
