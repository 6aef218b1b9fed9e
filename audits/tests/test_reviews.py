"""Management review: inputs compiled from live data then frozen; the meeting; decisions creating tracked actions;
the next review reporting on them."""

import datetime as dt

import pytest
from django.utils import timezone

from audits import services
from audits.models import ReviewAction
from audits.review_inputs import compile_inputs
from audits.tests.factories import CorrectiveActionFactory, IncidentFactory, KPIFactory, NonconformityFactory
from registry.tests.factories import InterestedPartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(org, officer, members):
    return services.review_create(
        actor=officer,
        organisation=org,
        data={"title": "Q3 review", "planned_date": timezone.localdate(), "chair": members["admin"]},
    )


def hold(review, actor, **kwargs):
    data = {
        "held_on": timezone.localdate(),
        "minutes": "",
        "conclusions": "Still suitable.",
        "top_management_present": True,
    }
    data.update(kwargs)
    return services.review_hold(actor=actor, review=review, **data)


def test_the_pack_is_compiled_from_live_data_and_then_frozen(org, officer, review):
    nc = NonconformityFactory(organisation=org, title="Model card missing")
    review = services.review_prepare(actor=officer, review=review)
    rows = review.inputs["nonconformities"]["rows"]
    assert [r["reference"] for r in rows] == [nc.reference]
    assert review.status == "prepared" and review.inputs_compiled_by == officer
    # Later changes to the register do not alter what was compiled.
    nc.title = "Renamed later"
    nc.save()
    NonconformityFactory(organisation=org, title="Raised after the pack")
    review.refresh_from_db()
    assert [r["title"] for r in review.inputs["nonconformities"]["rows"]] == ["Model card missing"]


def test_the_pack_can_be_refreshed_until_the_meeting_is_recorded(org, officer, review):
    services.review_prepare(actor=officer, review=review)
    NonconformityFactory(organisation=org)
    review = services.review_prepare(actor=officer, review=review)
    assert review.inputs["nonconformities"]["open"] == 1
    hold(review, officer)
    with pytest.raises(services.ServiceError) as err:
        services.review_prepare(actor=officer, review=review)
    assert err.value.conflict


def test_the_meeting_needs_the_pack_top_management_and_conclusions(org, officer, review):
    with pytest.raises(services.ServiceError) as err:
        hold(review, officer)
    assert err.value.conflict
    services.review_prepare(actor=officer, review=review)
    with pytest.raises(services.ServiceError) as err:
        hold(review, officer, top_management_present=False, conclusions="")
    assert set(err.value.message_dict) == {"top_management_present", "conclusions"}
    with pytest.raises(services.ServiceError) as err:
        hold(review, officer, held_on=timezone.localdate() + dt.timedelta(days=1))
    assert "held_on" in err.value.message_dict
    review = hold(review, officer)
    assert (review.status, review.held_on) == ("held", timezone.localdate())


def test_a_decision_creates_a_tracked_action_with_owner_and_due_date(org, officer, members, review):
    services.review_prepare(actor=officer, review=review)
    due = timezone.localdate() + dt.timedelta(days=30)
    decision = services.review_add_decision(
        actor=officer,
        review=review,
        kind="resources",
        decision="Fund a second internal auditor.\nFrom next year's budget.",
        owner=members["admin"],
        due_date=due,
    )
    action = ReviewAction.objects.get(decision=decision)
    assert (action.reference, action.title, action.owner, action.due_date, action.status) == (
        "MRA-001",
        "Fund a second internal auditor.",
        members["admin"],
        due,
        "planned",
    )


def test_a_decision_needs_an_owner_a_due_date_and_a_member(org, officer, outsider, review):
    services.review_prepare(actor=officer, review=review)
    with pytest.raises(services.ServiceError) as err:
        services.review_add_decision(actor=officer, review=review, kind="improvement", decision="Do X.")
    assert set(err.value.message_dict) == {"owner", "due_date"}
    with pytest.raises(services.ServiceError) as err:
        services.review_add_decision(
            actor=officer,
            review=review,
            kind="improvement",
            decision="Do X.",
            owner=outsider,
            due_date=timezone.localdate(),
        )
    assert "owner" in err.value.message_dict
    assert not ReviewAction.objects.exists()


def test_the_next_review_reports_on_earlier_actions_and_changes_since(org, officer, members, review):
    services.review_prepare(actor=officer, review=review)
    hold(review, officer, held_on=timezone.localdate() - dt.timedelta(days=90))
    services.review_add_decision(
        actor=officer,
        review=review,
        kind="improvement",
        decision="Add the impact gate.",
        owner=officer,
        due_date=timezone.localdate() - dt.timedelta(days=10),
    )
    InterestedPartyFactory(organisation=org, name="New regulator")
    later = services.review_create(
        actor=officer, organisation=org, data={"title": "Q4", "planned_date": timezone.localdate()}
    )
    later = services.review_prepare(actor=officer, review=later)
    actions = later.inputs["previous_actions"]["rows"]
    assert [(a["title"], a["overdue"], a["review"]) for a in actions] == [
        ("Add the impact gate.", True, review.reference)
    ]
    review.refresh_from_db()
    assert later.inputs_since == review.held_on
    assert [p["name"] for p in later.inputs["context"]["parties"]] == ["New regulator"]


def test_the_pack_covers_every_input_of_the_clause(org, officer, review):
    KPIFactory(organisation=org, last_value=50)
    IncidentFactory(organisation=org)
    review = services.review_prepare(actor=officer, review=review)
    assert set(review.inputs) >= {
        "previous_actions",
        "context",
        "kpis",
        "objectives",
        "nonconformities",
        "audits",
        "monitoring",
        "risks",
        "incidents",
        "improvement",
    }


def _grow(org, n):
    for _ in range(n):
        nc = NonconformityFactory(organisation=org)
        CorrectiveActionFactory(nonconformity=nc, due_date=timezone.localdate() - dt.timedelta(days=3))
        KPIFactory(organisation=org)
        IncidentFactory(organisation=org)
        InterestedPartyFactory(organisation=org)


def test_compiling_the_pack_takes_the_same_number_of_queries_for_5_and_50_rows(org, count_queries):
    _grow(org, 5)
    few = count_queries(compile_inputs, org, since=None)
    _grow(org, 45)
    assert count_queries(compile_inputs, org, since=None) == few


def test_a_held_review_keeps_who_attended(org, officer, members, review):
    services.review_prepare(actor=officer, review=review)
    review = hold(review, officer, attendees=[members["admin"], officer])
    with pytest.raises(services.ServiceError):
        services.review_update(actor=officer, review=review, data={"attendees": [officer]})
    with pytest.raises(services.ServiceError):
        services.review_delete(actor=officer, review=review)
    services.review_update(actor=officer, review=review, data={"title": "Q3 management review"})
