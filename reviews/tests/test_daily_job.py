"""The daily review job: tasks for due objects, one per object and due date however often or concurrently it runs;
reminders (respecting quiet days), escalation after the delay, and the emails' content."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from controls.tests.factories import ControlFactory, SoAFactory
from reviews import services
from reviews.constants import NotificationKind, TaskState
from reviews.models import Notification, ReviewTask
from reviews.tests.conftest import next_wednesday
from risk.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(org, members, today):
    """Three objects due within the lead time (14 days), one beyond it, one without an owner."""
    contributor = members["contributor"]
    return {
        "control": ControlFactory(organisation=org, owner=contributor, next_review=today + dt.timedelta(days=3)),
        "overdue": ControlFactory(organisation=org, owner=contributor, next_review=today - dt.timedelta(days=2)),
        "risk": RiskFactory(organisation=org, owner=contributor, next_review=today + dt.timedelta(days=14)),
        "later": ControlFactory(organisation=org, owner=contributor, next_review=today + dt.timedelta(days=15)),
        "unowned": ControlFactory(organisation=org, owner=None, next_review=today),
    }


def test_generates_one_task_per_due_object_for_its_owner(org, members, due, today):
    created = services.reviews_generate(organisation=org, today=today)

    by_object = {task.object_id: task for task in created}
    assert set(by_object) == {due[k].pk for k in ("control", "overdue", "risk", "unowned")}
    assert by_object[due["control"].pk].assignee == members["contributor"]
    assert by_object[due["control"].pk].due_date == due["control"].next_review
    assert by_object[due["risk"].pk].kind == "risk"
    assert by_object[due["unowned"].pk].assignee is None  # the officers' queue
    assert all(task.reference.startswith("REV-") for task in created)


def test_an_owner_who_left_the_organisation_hands_the_review_to_the_officers(org, outsider, today):
    control = ControlFactory(organisation=org, owner=outsider, next_review=today)
    (task,) = services.reviews_generate(organisation=org, today=today)
    assert task.object_id == control.pk and task.assignee is None


def test_soa_without_a_date_field_is_due_a_cadence_after_its_approval(org, today):
    soa = SoAFactory(organisation=org)
    type(soa).objects.filter(pk=soa.pk).update(approved_at=timezone.now() - dt.timedelta(days=400))
    (task,) = services.reviews_generate(organisation=org, today=today)
    assert task.kind == "soa" and task.assignee is None


def test_running_the_job_twice_creates_and_sends_nothing_twice(org, due, today, run_job):
    first = run_job(org, today)
    tasks, notifications, emails = ReviewTask.objects.count(), Notification.objects.count(), len(mail.outbox)
    # Three owned tasks to their owner, the unowned one to each officer (the AIMS officer and the owner).
    assert emails == 3 + len(services.officers_of(org)) == 5
    second = run_job(org, today)

    assert first["created"] == 4 and first["reminded"] == 4
    assert second == {"created": 0, "cancelled": 0, "reminded": 0, "escalated": 0}
    assert (ReviewTask.objects.count(), Notification.objects.count(), len(mail.outbox)) == (
        tasks,
        notifications,
        emails,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent writers")
def test_concurrent_runs_create_one_task_per_object_and_due_date(org, members, due, today):
    workers = 4
    barrier = threading.Barrier(workers)
    errors = []

    def run():
        try:
            barrier.wait()
            services.reviews_run_daily(organisation=org, today=today)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = list(ReviewTask.objects.values_list("object_id", "due_date"))
    assert len(rows) == len(set(rows)) == 4
    # Each task was announced once: one reminder notification per recipient and one email per task.
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER)
    owned = ReviewTask.objects.filter(assignee__isnull=False).count()
    officers = len(services.officers_of(org))
    assert reminders.count() == owned + officers
    assert len(mail.outbox) == owned + officers


def test_a_task_escalates_to_the_officers_once_seven_days_after_its_due_date(org, members, today, run_job):
    ControlFactory(organisation=org, owner=members["contributor"], next_review=today)
    run_job(org, today)
    mail.outbox.clear()

    run_job(org, today + dt.timedelta(days=6))
    assert ReviewTask.objects.get().escalated_at is None
    assert mail.outbox == []

    result = run_job(org, today + dt.timedelta(days=7))
    task = ReviewTask.objects.get()
    assert result["escalated"] == 1 and task.escalated_at is not None
    escalations = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    # The officers: the AIMS officer and the owner (who holds the officer's rights too).
    assert {n.recipient for n in escalations} == {members["officer"], members["owner"]}
    assert {address for m in mail.outbox for address in m.to} == {members["officer"].email, members["owner"].email}
    assert "Overdue review escalated" in mail.outbox[0].subject
    assert "7 days ago" in mail.outbox[0].body

    run_job(org, today + dt.timedelta(days=8))
    assert len(mail.outbox) == 2 and escalations.count() == 2  # nothing more: escalated once


def test_the_escalation_delay_is_a_setting(org, officer, members, today, run_job):
    services.review_settings_update(actor=officer, organisation=org, data={"escalation_days": 2})
    ControlFactory(organisation=org, owner=members["contributor"], next_review=today - dt.timedelta(days=2))
    assert run_job(org, today)["escalated"] == 1


def test_no_reminders_on_quiet_days_they_wait_for_the_next_working_day(org, members, today, run_job):
    saturday, monday = today + dt.timedelta(days=3), today + dt.timedelta(days=5)
    assert saturday.weekday() == 5
    ControlFactory(organisation=org, owner=members["contributor"], next_review=saturday + dt.timedelta(days=5))

    result = run_job(org, saturday)
    assert result["created"] == 1 and result["reminded"] == 0
    assert mail.outbox == [] and Notification.objects.count() == 0

    assert run_job(org, monday)["reminded"] == 1
    assert len(mail.outbox) == 1


def test_reminder_email_names_the_object_and_links_to_it_and_to_the_task(org, members, today, run_job):
    owner = members["contributor"]
    control = ControlFactory(organisation=org, owner=owner, next_review=today + dt.timedelta(days=3), title="Bias test")
    run_job(org, today)

    (message,) = mail.outbox
    task = ReviewTask.objects.get()
    assert message.to == [owner.email]
    assert message.subject == f"[Acme AI] Review due {control.next_review:%-d %b %Y}: {control}"
    assert f"/controls/controls/{control.pk}/" in message.body
    assert f"/reviews/tasks/{task.pk}/" in message.body
    assert "You are the owner of" in message.body
    assert task.reference in message.body
    notification = Notification.objects.get(recipient=owner)
    assert notification.url == f"/reviews/tasks/{task.pk}/" and not notification.is_read


def test_a_task_whose_object_moved_its_date_is_cancelled(org, officer, members, today, run_job):
    control = ControlFactory(organisation=org, owner=members["contributor"], next_review=today)
    run_job(org, today)
    type(control).objects.filter(pk=control.pk).update(next_review=today + dt.timedelta(days=100))

    assert run_job(org, today)["cancelled"] == 1
    task = ReviewTask.objects.get()
    assert task.state == TaskState.CANCELLED and "moved" in task.comment


def test_wednesday_helper_is_a_wednesday():
    assert next_wednesday().weekday() == 2
