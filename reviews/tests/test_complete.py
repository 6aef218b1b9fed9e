"""Completing a review records its outcome and moves the object's next review date by its cadence through the
owning app, with history on both sides; retiring goes through the owning app's service too."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aims.services import ServiceError
from controls.constants import PolicyStatus
from controls.tests.factories import ControlFactory, EvidenceFactory, PolicyFactory
from governance.constants import ObjectiveStatus
from governance.tests.factories import ObjectiveFactory, TrainingRecordFactory
from registry.services.inventory import add_months
from registry.tests.factories import AISystemFactory
from reviews import services
from reviews.constants import Outcome, TaskState
from reviews.models import ReviewTask
from risk.constants import RiskStatus
from risk.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def _task_for(org, obj, today):
    (task,) = [t for t in services.reviews_generate(organisation=org, today=today) if t.object_id == obj.pk]
    return task


def test_completing_moves_the_controls_next_review_by_the_cadence_with_history(org, members, today):
    owner = members["contributor"]
    control = ControlFactory(organisation=org, owner=owner, next_review=today - dt.timedelta(days=3))
    task = _task_for(org, control, today)

    done = services.review_task_complete(actor=owner, task=task, outcome=Outcome.NO_CHANGE, comment="", today=today)

    control.refresh_from_db()
    assert control.next_review == add_months(today, 12)  # the product default for controls
    assert done.state == TaskState.DONE and done.next_due == control.next_review
    assert done.completed_by == owner and done.outcome == Outcome.NO_CHANGE
    latest = control.history.first()
    assert latest.history_user == owner and latest.history_change_reason.startswith("Reviewed")
    assert done.history.first().history_change_reason == "Completed: Reviewed, no change needed"
    # The next run finds nothing new to review for this control today.
    assert services.reviews_generate(organisation=org, today=today) == []


def test_the_organisations_cadence_applies(org, officer, members, today):
    services.review_settings_update(actor=officer, organisation=org, data={"cadences": {"control": 6}})
    control = ControlFactory(organisation=org, owner=members["contributor"], next_review=today)
    task = _task_for(org, control, today)
    services.review_task_complete(actor=officer, task=task, outcome=Outcome.UPDATED, comment="New owner", today=today)
    control.refresh_from_db()
    assert control.next_review == add_months(today, 6)


def test_an_ai_system_moves_by_its_own_review_cadence(org, officer, today):
    system = AISystemFactory(organisation=org, business_owner=officer, review_cadence_months=3, next_review=today)
    task = _task_for(org, system, today)
    services.review_task_complete(actor=officer, task=task, outcome=Outcome.NO_CHANGE, today=today)
    system.refresh_from_db()
    assert system.last_reviewed == today and system.next_review == add_months(today, 3)


def test_a_risk_follows_its_criteria_and_can_be_retired_which_closes_it(org, officer, today):
    risk = RiskFactory(organisation=org, owner=officer, next_review=today, inherent_likelihood=4, inherent_impact=4)
    months = risk.criteria.review_months_for(risk.current_level)
    task = _task_for(org, risk, today)
    services.review_task_complete(actor=officer, task=task, outcome=Outcome.NO_CHANGE, today=today)
    risk.refresh_from_db()
    assert months and risk.next_review == add_months(today, months)

    later = _task_for(org, risk, risk.next_review)
    with pytest.raises(ServiceError) as refused:
        services.review_task_complete(actor=officer, task=later, outcome=Outcome.RETIRE, comment="", today=today)
    assert "comment" in refused.value.message_dict
    services.review_task_complete(
        actor=officer, task=later, outcome=Outcome.RETIRE, comment="The chatbot was switched off.", today=today
    )
    risk.refresh_from_db()
    assert risk.status == RiskStatus.CLOSED and later.next_due is None


def test_an_approved_policy_keeps_its_text_and_gets_a_new_review_date(org, officer, today):
    policy = PolicyFactory(organisation=org, owner=officer, status=PolicyStatus.APPROVED, review_date=today)
    task = _task_for(org, policy, today)
    services.review_task_complete(actor=officer, task=task, outcome=Outcome.NO_CHANGE, today=today)
    policy.refresh_from_db()
    assert policy.review_date == add_months(today, 12) and policy.status == PolicyStatus.APPROVED


def test_evidence_renewed_before_the_review_is_not_moved_again(org, officer, today):
    evidence = EvidenceFactory(organisation=org, owner=officer, expiry_date=today + dt.timedelta(days=5))
    task = _task_for(org, evidence, today)
    renewed = today + dt.timedelta(days=365)
    type(evidence).objects.filter(pk=evidence.pk).update(expiry_date=renewed)
    done = services.review_task_complete(
        actor=officer, task=task, outcome=Outcome.UPDATED, comment="New certificate", today=today
    )
    evidence.refresh_from_db()
    assert evidence.expiry_date == renewed and done.next_due == renewed


def test_an_objective_has_no_date_field_so_the_task_carries_the_next_review(org, officer, today):
    objective = ObjectiveFactory(organisation=org, owner=officer, status=ObjectiveStatus.APPROVED)
    type(objective).objects.filter(pk=objective.pk).update(approved_at=timezone.now() - dt.timedelta(days=120))
    task = _task_for(org, objective, today)
    done = services.review_task_complete(actor=officer, task=task, outcome=Outcome.NO_CHANGE, today=today)
    assert done.next_due == add_months(today, 3)

    assert services.reviews_generate(organisation=org, today=done.next_due - dt.timedelta(days=15)) == []
    (again,) = services.reviews_generate(organisation=org, today=done.next_due)
    assert again.object_id == objective.pk and again.due_date == done.next_due


def test_a_training_expiry_is_not_extended_by_a_review(org, members, today):
    record = TrainingRecordFactory(organisation=org, member=members["contributor"], expires_on=today)
    task = _task_for(org, record, today)
    done = services.review_task_complete(
        actor=members["contributor"], task=task, outcome=Outcome.NO_CHANGE, today=today
    )
    record.refresh_from_db()
    assert record.expires_on == today and done.next_due is None
    assert services.reviews_generate(organisation=org, today=today) == []


def test_only_the_assignee_or_an_officer_completes(org, members, today):
    control = ControlFactory(organisation=org, owner=members["contributor"], next_review=today)
    task = _task_for(org, control, today)
    for role in ("viewer", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.review_task_complete(actor=members[role], task=task, outcome=Outcome.NO_CHANGE, today=today)
    services.review_task_complete(actor=members["officer"], task=task, outcome=Outcome.NO_CHANGE, today=today)
    with pytest.raises(ServiceError):
        services.review_task_complete(actor=members["officer"], task=task, outcome=Outcome.NO_CHANGE, today=today)


def test_a_failed_move_leaves_the_task_open(org, officer, today):
    """The owning app refuses (a closed risk cannot be edited): nothing of the completion is saved."""
    risk = RiskFactory(organisation=org, owner=officer, next_review=today)
    task = _task_for(org, risk, today)
    type(risk).objects.filter(pk=risk.pk).update(status=RiskStatus.CLOSED)
    with pytest.raises(ServiceError):
        services.review_task_complete(actor=officer, task=task, outcome=Outcome.NO_CHANGE, today=today)
    assert ReviewTask.objects.get(pk=task.pk).state == TaskState.OPEN
