"""Every change to review tasks, notifications and review settings goes through these functions.

The daily job (``reviews_run_daily``) does four idempotent steps for one organisation and day:

1. ``reviews_generate``: a task for every reviewable object whose review falls due within the lead time. One
   task per object and due date is guaranteed by a unique constraint; each insert runs in its own savepoint, so a
   concurrent run that inserted first simply wins and nothing is created twice.
2. ``reviews_cancel_stale``: open tasks whose object was deleted, retired, or had its date moved outside the
   review are cancelled with a note.
3. ``reviews_send_reminders``: tasks not yet announced are claimed with ``select_for_update(skip_locked=True)``
   and their owners get an email and an in-app notification. Quiet days send nothing; the tasks wait.
4. ``reviews_escalate``: tasks open ``escalation_days`` after their due date are claimed by a conditional
   UPDATE (``escalated_at IS NULL``) and escalated to the officers, once.

``today`` can be passed to every step, which is how tests move through time without patching the clock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from accounts.locale import override_for
from accounts.models import Membership
from aims.permissions import ADMIN_ROLES, OFFICER_ROLES, can
from aims.services import ServiceError, model_errors_as_service_errors, save_with_history
from registry.services.inventory import add_months
from reviews.constants import NotificationKind, Outcome, TaskState
from reviews.kinds import ReviewableKind, all_kinds, get_kind, object_url
from reviews.models import Notification, ReviewSettings, ReviewTask
from reviews.scheduling import local_now

logger = logging.getLogger(__name__)


# --- Settings -----------------------------------------------------------------------------------------------------


def review_settings_for(organisation) -> ReviewSettings:
    """The organisation's settings; the defaults (unsaved) until an officer changes them."""
    found = ReviewSettings.objects.filter(organisation=organisation).first()
    return found or ReviewSettings(organisation=organisation)


def cadence_months(review_settings: ReviewSettings, kind: ReviewableKind) -> int:
    try:
        months = int((review_settings.cadences or {}).get(kind.key) or kind.default_cadence_months)
    except (TypeError, ValueError):
        months = kind.default_cadence_months
    return max(1, min(months, 60))


def _check_settings(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    quiet = data.get("quiet_days")
    if quiet is not None:
        try:
            quiet = sorted({int(day) for day in quiet})
        except (TypeError, ValueError):
            quiet = None
        if quiet is None or any(day < 0 or day > 6 for day in quiet):
            errors["quiet_days"] = [gettext("Choose weekdays from Monday (0) to Sunday (6).")]
        elif len(quiet) == 7:
            errors["quiet_days"] = [gettext("At least one day of the week must send reminders.")]
        else:
            data["quiet_days"] = quiet
    cadences = data.get("cadences")
    if cadences is not None:
        clean = {}
        for key, value in dict(cadences).items():
            if get_kind(key) is None:
                errors.setdefault("cadences", []).append(gettext("Unknown kind “%(key)s”.") % {"key": key})
                continue
            try:
                months = int(value)
            except (TypeError, ValueError):
                months = 0
            if not 1 <= months <= 60:
                errors.setdefault("cadences", []).append(
                    gettext("%(kind)s: choose 1 to 60 months.") % {"kind": get_kind(key).label}
                )
            else:
                clean[key] = months
        data["cadences"] = clean
    if errors:
        raise ServiceError(errors)
    return data


@transaction.atomic
def review_settings_update(*, actor, organisation, data: dict) -> ReviewSettings:
    """Change the organisation's review settings (officers)."""
    allowed = {"lead_days", "escalation_days", "quiet_days", "cadences"}
    unknown = set(data) - allowed
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be set here.")] for name in sorted(unknown)})
    if not can(actor, "change", review_settings_for(organisation), organisation):
        raise PermissionDenied
    data = _check_settings(dict(data))
    current, _ = ReviewSettings.objects.select_for_update().get_or_create(organisation=organisation)
    for name, value in data.items():
        setattr(current, name, value)
    with model_errors_as_service_errors():
        save_with_history(current, actor=actor, reason="Review settings changed")
    return current


# --- Who reviews --------------------------------------------------------------------------------------------------


def officers_of(organisation) -> list:
    """The members who take reviews nobody owns and receive escalations: the AIMS officers (or, with none, the
    administrators)."""
    from accounts.models import User

    for roles in (OFFICER_ROLES, ADMIN_ROLES):
        users = list(
            User.objects.filter(memberships__organisation=organisation, memberships__role__in=roles, is_active=True)
            .order_by("username")
            .distinct()
        )
        if users:
            return users
    return []


def _member_ids(organisation) -> set:
    return set(Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True))


def _today(organisation, today: dt.date | None) -> dt.date:
    return today or local_now(organisation).date()


# --- 1. Generating tasks ------------------------------------------------------------------------------------------


def _due_objects(kind: ReviewableKind, organisation, horizon: dt.date, review_settings) -> list[tuple[object, dt.date]]:
    """(object, due date) for the kind's objects due on or before ``horizon``."""
    queryset = kind.queryset(organisation)
    if kind.date_field:
        return [(obj, getattr(obj, kind.date_field)) for obj in queryset.filter(**{f"{kind.date_field}__lte": horizon})]
    # Tracked kinds: the next date set by the last completed review, else the first review after the base date.
    content_type = ContentType.objects.get_for_model(kind.model)
    last_done: dict = {}
    for object_id, next_due in (
        ReviewTask.objects.filter(organisation=organisation, content_type=content_type, state=TaskState.DONE)
        .order_by("completed_at")
        .values_list("object_id", "next_due")
    ):
        last_done[object_id] = next_due
    months = cadence_months(review_settings, kind)
    due = []
    for obj in queryset:
        if obj.pk in last_done:
            when = last_done[obj.pk]
        else:
            base = getattr(obj, kind.base_field, None) or obj.created_at
            when = add_months(base.date() if isinstance(base, dt.datetime) else base, months) if base else None
        if when is not None and when <= horizon:
            due.append((obj, when))
    return due


def reviews_generate(*, organisation, today: dt.date | None = None) -> list[ReviewTask]:
    """Create the review tasks that are due within the lead time; returns the tasks created by this call."""
    today = _today(organisation, today)
    review_settings = review_settings_for(organisation)
    horizon = today + dt.timedelta(days=review_settings.lead_days)
    members = _member_ids(organisation)
    created = []
    for kind in all_kinds():
        content_type = ContentType.objects.get_for_model(kind.model)
        existing = set(
            ReviewTask.objects.filter(organisation=organisation, content_type=content_type).values_list(
                "object_id", "due_date"
            )
        )
        for obj, due_date in _due_objects(kind, organisation, horizon, review_settings):
            if (obj.pk, due_date) in existing:
                continue
            owner_id = kind.owner_of(obj)
            task = ReviewTask(
                organisation=organisation,
                kind=kind.key,
                content_type=content_type,
                object_id=obj.pk,
                object_label=str(obj)[:300],
                due_date=due_date,
                assignee_id=owner_id if owner_id in members else None,
            )
            task._history_user = None
            task._change_reason = "Created by the review schedule"
            try:
                with transaction.atomic():
                    task.assign_reference()
                    task.save(force_insert=True)  # the unique constraint decides, not a prior read
            except IntegrityError:  # another run created this task a moment ago
                continue
            created.append(task)
    if created:
        logger.info("%s: %d review task(s) created", organisation.slug, len(created))
    return created


# --- 2. Stale tasks -----------------------------------------------------------------------------------------------


def reviews_cancel_stale(*, organisation, today: dt.date | None = None) -> int:
    """Cancel open tasks whose object is gone, no longer reviewed, or whose date moved on outside the task."""
    by_kind = defaultdict(list)
    for task in ReviewTask.objects.filter(organisation=organisation, state=TaskState.OPEN):
        by_kind[task.kind].append(task)
    cancelled = 0
    for key, tasks in by_kind.items():
        kind = get_kind(key)
        if kind is None:
            continue
        objects = kind.queryset(organisation).in_bulk([task.object_id for task in tasks])
        for task in tasks:
            obj = objects.get(task.object_id)
            note = ""
            if obj is None:
                note = gettext("The object was deleted or is no longer reviewed (retired, closed or superseded).")
            elif kind.date_field:
                current = kind.current_due(obj)
                if current is None or current > task.due_date:
                    note = (
                        gettext("The review date was moved to %(date)s on the object itself.")
                        % {"date": f"{current:%Y-%m-%d}"}
                        if current
                        else gettext("The object no longer has a review date.")
                    )
            if note:
                updated = ReviewTask.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
                    state=TaskState.CANCELLED, comment=note, completed_at=timezone.now()
                )
                cancelled += updated
    return cancelled


# --- Notifications and email --------------------------------------------------------------------------------------


def _site_url() -> str:
    return getattr(django_settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _email_context(task: ReviewTask, recipient, *, today: dt.date, escalation: bool) -> dict:
    from django.urls import reverse

    kind = get_kind(task.kind)
    target = task.target
    return {
        "task": task,
        "recipient": recipient,
        "organisation": task.organisation,
        "kind_label": kind.label if kind else task.kind,
        "task_url": _site_url() + reverse("reviews:task-detail", args=[task.pk]),
        "object_url": _site_url() + object_url(kind, target) if (kind and target is not None) else "",
        "days_overdue": max((today - task.due_date).days, 0),
        "escalation": escalation,
        "assignee": task.assignee,
        "escalation_days": review_settings_for(task.organisation).escalation_days,
    }


def _send_email(template: str, context: dict, recipient) -> None:
    if not recipient.email:
        return
    subject = " ".join(render_to_string(f"reviews/email/{template}_subject.txt", context).split())
    body = render_to_string(f"reviews/email/{template}_body.txt", context)
    message = EmailMultiAlternatives(subject, body, None, [recipient.email])
    transaction.on_commit(lambda: _deliver(message))


def _deliver(message) -> None:
    try:
        message.send()
    except OSError as exc:  # the mail server is down: the in-app notification still stands
        logger.error("Could not send %r: %s", message.subject, exc)


def notify(*, organisation, recipient, kind: str, title: str, body: str = "", url: str = "", task=None):
    """An in-app notification; at most one per task, recipient and kind."""
    notification = Notification(
        organisation=organisation,
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        url=url[:500],
        task=task,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    return notification


def _recipients(task: ReviewTask) -> list:
    return [task.assignee] if task.assignee_id else officers_of(task.organisation)


def _is_quiet(review_settings: ReviewSettings, today: dt.date) -> bool:
    return today.weekday() in set(review_settings.quiet_days or [])


def _announce(task: ReviewTask, recipients, *, kind: str, today: dt.date) -> None:
    """An in-app notification and an email to each recipient: the owner's reminder, or the officers' escalation.

    Each recipient reads them in their own language (their choice, else their organisation's), whatever language
    the job or request that sends them runs in."""
    escalation = kind == NotificationKind.ESCALATION
    for recipient in recipients:
        with override_for(user=recipient, organisation=task.organisation):
            context = _email_context(task, recipient, today=today, escalation=escalation)
            due = date_format(task.due_date, "j M Y")
            if escalation:
                days = context["days_overdue"]
                title = ngettext(
                    "Overdue review (%(days)s day): %(object)s", "Overdue review (%(days)s days): %(object)s", days
                ) % {"days": days, "object": task.object_label}
                body = gettext("The review was due on %(date)s and is still open.") % {"date": due}
            else:
                title = gettext("Review due %(date)s: %(object)s") % {"date": due, "object": task.object_label}
                body = gettext("%(kind)s to review by %(date)s.") % {"kind": context["kind_label"], "date": due}
            notify(
                organisation=task.organisation,
                recipient=recipient,
                kind=kind,
                title=title,
                body=body,
                url=context["task_url"].removeprefix(_site_url()),
                task=task,
            )
            _send_email("escalation" if escalation else "reminder", context, recipient)


# --- 3. Reminders -------------------------------------------------------------------------------------------------


def reviews_send_reminders(*, organisation, today: dt.date | None = None, respect_quiet_days: bool = True) -> int:
    """Announce new tasks to their owners (email and in-app); nothing on a quiet day. Returns tasks announced."""
    today = _today(organisation, today)
    review_settings = review_settings_for(organisation)
    if respect_quiet_days and _is_quiet(review_settings, today):
        return 0
    sent = 0
    with transaction.atomic():
        claimed = list(
            ReviewTask.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(organisation=organisation, state=TaskState.OPEN, notified_at__isnull=True)
            .select_related("assignee", "organisation", "content_type")
            .order_by("due_date")
        )
        now = timezone.now()
        for task in claimed:
            _announce(task, _recipients(task), kind=NotificationKind.REMINDER, today=today)
            sent += 1
        ReviewTask.objects.filter(pk__in=[task.pk for task in claimed]).update(notified_at=now)
    return sent


# --- 4. Escalation ------------------------------------------------------------------------------------------------


def reviews_escalate(*, organisation, today: dt.date | None = None, respect_quiet_days: bool = True) -> int:
    """Escalate, once, each task still open ``escalation_days`` after its due date to the officers."""
    today = _today(organisation, today)
    review_settings = review_settings_for(organisation)
    if respect_quiet_days and _is_quiet(review_settings, today):
        return 0
    limit = today - dt.timedelta(days=review_settings.escalation_days)
    candidates = list(
        ReviewTask.objects.filter(
            organisation=organisation, state=TaskState.OPEN, escalated_at__isnull=True, due_date__lte=limit
        ).select_related("assignee", "organisation", "content_type")
    )
    officers = officers_of(organisation)
    escalated = 0
    for task in candidates:
        with transaction.atomic():
            # The claim: exactly one of several concurrent runs flips escalated_at from NULL.
            claimed = ReviewTask.objects.filter(pk=task.pk, state=TaskState.OPEN, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            )
            if not claimed:
                continue
            _announce(task, officers, kind=NotificationKind.ESCALATION, today=today)
            escalated += 1
    return escalated


# --- The daily job ------------------------------------------------------------------------------------------------


def reviews_run_daily(*, organisation, today: dt.date | None = None, respect_quiet_days: bool = True) -> dict:
    """The four steps of the daily review job for one organisation; safe to run any number of times."""
    today = _today(organisation, today)
    created = reviews_generate(organisation=organisation, today=today)
    cancelled = reviews_cancel_stale(organisation=organisation, today=today)
    quiet = {"respect_quiet_days": respect_quiet_days}
    reminded = reviews_send_reminders(organisation=organisation, today=today, **quiet)
    escalated = reviews_escalate(organisation=organisation, today=today, **quiet)
    return {"created": len(created), "cancelled": cancelled, "reminded": reminded, "escalated": escalated}


# --- Completing a review ------------------------------------------------------------------------------------------


def can_complete(user, task: ReviewTask) -> bool:
    """The assignee, or an officer; for tasks nobody owns, the officers."""
    return task.is_open and can(user, "change", task, task.organisation)


@transaction.atomic
def review_task_complete(
    *, actor, task: ReviewTask, outcome: str, comment: str = "", today: dt.date | None = None
) -> ReviewTask:
    """Record the review's outcome and move the object's next review date by its cadence (or retire it), through
    the owning app's services, in one transaction with history on both sides."""
    task = ReviewTask.objects.select_for_update().select_related("organisation").get(pk=task.pk)
    if not can(actor, "change", task, task.organisation):
        raise PermissionDenied
    if not task.is_open:
        raise ServiceError(
            gettext("%(reference)s is already %(state)s.")
            % {"reference": task.reference, "state": task.get_state_display().lower()},
            conflict=True,
        )
    if outcome not in Outcome.values:
        raise ServiceError(gettext("Choose the outcome of the review."), field="outcome")
    comment = (comment or "").strip()
    kind = get_kind(task.kind)
    if kind is None:
        raise ServiceError(gettext("This kind of object is no longer reviewed."), conflict=True)
    obj = kind.model.objects.select_for_update().filter(pk=task.object_id, organisation=task.organisation).first()
    if obj is None:
        raise ServiceError(
            gettext("The object no longer exists; the task will be cancelled by the next run."), conflict=True
        )
    today = _today(task.organisation, today)
    next_due = None
    if outcome == Outcome.RETIRE:
        if not kind.can_retire:
            raise ServiceError(
                gettext("This kind of object (%(kind)s) cannot be retired from a review.") % {"kind": kind.label},
                field="outcome",
            )
        if not comment:
            raise ServiceError(gettext("Say why it is retired."), field="comment")
        kind.retire(obj, actor=actor, comment=comment)
    else:
        if outcome == Outcome.UPDATED and not comment:
            raise ServiceError(gettext("Say what was updated."), field="comment")
        current = kind.current_due(obj)
        if current is not None and current > task.due_date and current > today:
            next_due = current  # already moved on while the review was done (a new expiry, a changed date)
        else:
            months = cadence_months(review_settings_for(task.organisation), kind)
            reason = f"Reviewed ({Outcome(outcome).label.lower()}) in {task.reference}"
            next_due = kind.advance(obj, actor=actor, reviewed_on=today, months=months, reason=reason[:100])
    task.state = TaskState.DONE
    task.outcome = outcome
    task.comment = comment
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.next_due = next_due
    save_with_history(task, actor=actor, reason=f"Completed: {Outcome(outcome).label}")
    Notification.objects.filter(task=task, read_at__isnull=True).update(read_at=timezone.now())
    return task


@transaction.atomic
def review_task_reassign(*, actor, task: ReviewTask, assignee) -> ReviewTask:
    """Give an open task to another member (officers)."""
    task = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if not can(actor, "approve", task, task.organisation):
        raise PermissionDenied
    if not task.is_open:
        raise ServiceError(gettext("%(reference)s is no longer open.") % {"reference": task.reference}, conflict=True)
    if assignee is not None and assignee.pk not in _member_ids(task.organisation):
        raise ServiceError(gettext("Choose a member of this organisation."), field="assignee")
    task.assignee = assignee
    task.notified_at = None  # the new assignee gets the reminder at the next run
    save_with_history(task, actor=actor, reason=f"Reassigned to {assignee or 'the officers'}")
    return task


# --- Notifications ------------------------------------------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor, organisation) -> int:
    return Notification.objects.filter(organisation=organisation, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user, organisation) -> int:
    if organisation is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(organisation=organisation, recipient=user, read_at__isnull=True).count()


def unread_count_expression(user):
    """``unread_count`` as a subquery over a membership row (its ``organisation``): the navbar's badge is read in
    the memberships query every signed-in page makes, instead of a query of its own."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    unread = (
        Notification.objects.filter(organisation=OuterRef("organisation"), recipient=user, read_at__isnull=True)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
