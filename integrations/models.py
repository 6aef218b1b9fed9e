"""Webhook endpoints an organisation's administrators register, and the log of every delivery to them."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.events import EVENT_TYPES
from aims.models import OrganisationQuerySet, OrganisationScopedModel

TEST_EVENT = "webhook.test"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class AdminOnlyQuerySet(OrganisationQuerySet):
    """Endpoints and deliveries carry secrets and URLs: only the organisation's administrators see them."""

    def visible_to(self, user, organisation):
        from aims.permissions import can

        if organisation is None or not can(user, "manage", self.model, organisation):
            return self.none()
        return self.filter(organisation=organisation)


class WebhookEndpoint(OrganisationScopedModel):
    """A URL that receives signed event notifications (admins only: the secret signs every delivery)."""

    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500, help_text=_("Where events are POSTed (https recommended)."))
    secret = models.CharField(max_length=100, default=new_secret, help_text=_("Signs every delivery (HMAC-SHA256)."))
    event_types = models.JSONField(default=list, blank=True, help_text=_("Event types sent here; empty sends none."))
    active = models.BooleanField(default=True)

    objects = AdminOnlyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["secret"])

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return self.active and (event_type == TEST_EVENT or event_type in self.event_types)

    def event_labels(self) -> list[str]:
        return [t for t in self.event_types if t in EVENT_TYPES]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(OrganisationScopedModel):
    """One event sent (or being sent) to one endpoint: the delivery log. A log, so it keeps no history."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text=_("The same for every endpoint the event goes to, and every retry."))
    event_type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True, help_text=_("Response time of the last attempt."))
    error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = AdminOnlyQuerySet.as_manager()

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["organisation", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"


class ExpiryNotice(models.Model):
    """``evidence.expiring`` was announced for this evidence and expiry date (so it is announced once)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    evidence = models.ForeignKey("controls.Evidence", on_delete=models.CASCADE, related_name="+")
    expiry_date = models.DateField()
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "expiry_date"], name="integrations_expiry_once")]

    def __str__(self) -> str:
        return f"{self.evidence_id} expires {self.expiry_date}"
