"""Choices of the reviews app."""

from django.db import models


class TaskState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Outcome(models.TextChoices):
    NO_CHANGE = "no_change", "Reviewed, no change needed"
    UPDATED = "updated", "Reviewed and updated"
    RETIRE = "retire", "Retire it"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Review due"
    ESCALATION = "escalation", "Review overdue"
    INFO = "info", "Information"


WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]

DEFAULT_LEAD_DAYS = 14
DEFAULT_ESCALATION_DAYS = 7
DEFAULT_QUIET_DAYS = [5, 6]
# The local hour from which the daily jobs run for an organisation (beat ticks every 15 minutes).
DAILY_RUN_HOUR = 6
