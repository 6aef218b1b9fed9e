"""Choices of the reviews app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    NO_CHANGE = "no_change", _("Reviewed, no change needed")
    UPDATED = "updated", _("Reviewed and updated")
    RETIRE = "retire", _("Retire it")


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Review due")
    ESCALATION = "escalation", _("Review overdue")
    INFO = "info", _("Information")


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

DEFAULT_LEAD_DAYS = 14
DEFAULT_ESCALATION_DAYS = 7
DEFAULT_QUIET_DAYS = [5, 6]
# The local hour from which the daily jobs run for an organisation (beat ticks every 15 minutes).
DAILY_RUN_HOUR = 6
