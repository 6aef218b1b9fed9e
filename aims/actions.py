"""Actions with an owner, a due date and a status.

Risk treatment actions, corrective actions and management-review actions are tracked the same way, so
that lists, KPIs and reminders agree on what "open" and "overdue" mean.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ActionStateMixin:
    """Read-only state of a model with ``title``, ``status`` and ``due_date`` fields."""

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())
