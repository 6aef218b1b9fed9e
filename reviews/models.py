"""Review tasks, in-app notifications, per-organisation review settings and the scheduler's run ledger.

A ``ReviewTask`` asks one member (or, when the object has no owner, the organisation's officers) to review one
object whose review date, or expiry, has come. There is at most one task per object and due date (a database
constraint), so the daily job can run twice, or on two workers at once, and create nothing twice.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from aims.models import OrganisationQuerySet, OrganisationScopedModel, ReferencedModel
from reviews.constants import (
    DEFAULT_ESCALATION_DAYS,
    DEFAULT_LEAD_DAYS,
    DEFAULT_QUIET_DAYS,
    NotificationKind,
    Outcome,
    TaskState,
)

USER = settings.AUTH_USER_MODEL


def _default_quiet_days():
    return list(DEFAULT_QUIET_DAYS)


class ReviewSettings(OrganisationScopedModel):
    """How an organisation runs its reviews: when reminders go out, when they escalate, which days stay quiet,
    and how often each kind of object is reviewed."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    lead_days = models.PositiveSmallIntegerField(
        _("reminder lead time (days)"),
        default=DEFAULT_LEAD_DAYS,
        validators=[MaxValueValidator(90)],
        help_text=_("A review task is created, and its owner reminded, this many days before the review is due."),
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("escalation delay (days)"),
        default=DEFAULT_ESCALATION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A task still open this many days after its due date is escalated to the AIMS officers (once)."),
    )
    quiet_days = models.JSONField(
        default=_default_quiet_days,
        blank=True,
        help_text=_(
            "Weekdays (0 = Monday … 6 = Sunday) on which no reminder or escalation is sent; they wait for "
            "the next working day."
        ),
    )
    cadences = models.JSONField(
        _("review cadence per kind (months)"),
        default=dict,
        blank=True,
        help_text=_("Months between reviews per kind of object; a kind not listed uses the product default."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="reviews_settings_one_per_organisation")]

    def __str__(self) -> str:
        return gettext("Review settings")

    @property
    def reference(self) -> str:
        return gettext("Review settings")


class ReviewTaskQuerySet(OrganisationQuerySet):
    def open(self):
        return self.filter(state=TaskState.OPEN)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def for_member(self, user, *, include_officer_queue: bool):
        """Tasks assigned to ``user``; with ``include_officer_queue``, also those for the officers (no owner)."""
        condition = Q(assignee=user)
        if include_officer_queue:
            condition |= Q(assignee__isnull=True)
        return self.filter(condition)


class ReviewTask(ReferencedModel):
    """A review of one object due on ``due_date`` (``REV-012``), with its outcome once completed."""

    REFERENCE_PREFIX = "REV"
    OWNER_FIELDS = ("assignee",)
    CONTRIBUTOR_MAY_ADD = False

    kind = models.CharField(max_length=30)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.UUIDField()
    target = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField(_("object"), max_length=300)
    due_date = models.DateField()
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the object has no owner and the AIMS officers review it."),
    )
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.OPEN)
    notified_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    comment = models.TextField(blank=True)
    next_due = models.DateField(_("next review set to"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ReviewTaskQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        ordering = ["due_date", "reference"]
        constraints = [
            *ReferencedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["content_type", "object_id", "due_date"], name="reviews_task_one_per_object_and_due_date"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state", "due_date"]),
            models.Index(fields=["organisation", "assignee", "state"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return gettext("%(reference)s Review of %(object)s") % {
            "reference": self.reference,
            "object": self.object_label,
        }

    @property
    def name(self) -> str:
        return gettext("Review of %(object)s") % {"object": self.object_label}

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN

    def days_overdue(self, today=None) -> int:
        today = today or timezone.localdate()
        return max((today - self.due_date).days, 0) if self.is_open else 0

    @property
    def overdue(self) -> bool:
        return self.days_overdue() > 0

    @property
    def kind_label(self) -> str:
        from reviews.kinds import get_kind

        kind = get_kind(self.kind)
        return kind.label if kind else self.kind


class NotificationQuerySet(OrganisationQuerySet):
    def visible_to(self, user, organisation):
        """A member's own notifications only: nobody reads another member's inbox."""
        return super().visible_to(user, organisation).filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(OrganisationScopedModel):
    """An in-app message to one member, with a link to what it is about; read or unread."""

    OWNER_FIELDS = ("recipient",)

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices, default=NotificationKind.INFO)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    task = models.ForeignKey(ReviewTask, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "recipient", "kind"],
                condition=Q(task__isnull=False),
                name="reviews_notification_once_per_task_recipient_kind",
            )
        ]
        indexes = [models.Index(fields=["recipient", "organisation", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ScheduledRun(models.Model):
    """One run of a scheduled job for one organisation and period (a local day): the scheduler's lock.

    The row is inserted before the job does anything; a second beat process, or the same tick delivered twice,
    finds the row and does nothing. A run that started but never finished (a killed worker) may be claimed
    again after ``STALE_AFTER``.
    """

    job = models.CharField(max_length=100)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-period", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "organisation", "period"], name="reviews_scheduledrun_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period} ({self.organisation_id})"
