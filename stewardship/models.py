"""A request to delete an organisation, carried out when its grace period ends unless cancelled.

The request belongs to the organisation and disappears with it: after deletion nothing of the
organisation remains, not even the request.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class DeletionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(cancelled_at__isnull=True)


class DeletionRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(help_text=_("When the organisation and all its data are deleted."))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DeletionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(cancelled_at__isnull=True),
                name="stewardship_one_pending_deletion",
            )
        ]

    def __str__(self) -> str:
        return f"Deletion of {self.organisation_id} due {self.due_at:%Y-%m-%d}"
