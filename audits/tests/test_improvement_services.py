"""Nonconformities and corrective actions: a nonconformity cannot close without a verified-effective corrective
action (and a root cause, and no action left open)."""

import datetime as dt

import pytest
from django.utils import timezone

from audits import services
from audits.models import CorrectiveAction, Nonconformity
from controls.tests.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nc(org, officer, members):
    return services.nonconformity_create(
        actor=members["contributor"],
        organisation=org,
        data={
            "title": "Model card missing",
            "description": "The triage assistant has no model card for release 2.4.",
            "grade": "minor",
            "detected_on": timezone.localdate() - dt.timedelta(days=12),
            "owner": officer,
        },
    )


def analyse(nc, officer):
    return services.nonconformity_update(
        actor=officer,
        nonconformity=nc,
        data={"five_whys": ["No one wrote it.", "Not in the release checklist."], "root_cause": "Checklist gap."},
    )


def done_action(nc, officer, title="Add the model card to the checklist"):
    action = services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": title, "owner": officer})
    return services.corrective_action_complete(actor=officer, action=action, note="Checklist updated.")


def test_reporting_a_nonconformity_records_who_detected_it(nc, members):
    assert (nc.reference, nc.status, nc.source, nc.detected_by) == ("NC-001", "open", "report", members["contributor"])


def test_planning_an_action_moves_the_nonconformity_on(nc, officer):
    action = services.corrective_action_add(
        actor=officer, nonconformity=nc, data={"title": "Write it", "owner": officer, "due_date": timezone.localdate()}
    )
    nc.refresh_from_db()
    assert (action.reference, action.status, nc.status) == ("CA-001", "planned", "action_planned")


def test_a_nonconformity_cannot_close_without_a_root_cause(nc, officer):
    action = done_action(nc, officer)
    services.corrective_action_verify(actor=officer, action=action, effective=True, note="Sampled two releases.")
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_close(actor=officer, nonconformity=nc)
    assert err.value.conflict
    assert "root cause" in " ".join(err.value.messages)


def test_a_nonconformity_cannot_close_without_any_corrective_action(nc, officer):
    analyse(nc, officer)
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_close(actor=officer, nonconformity=nc)
    assert "verified effective" in " ".join(err.value.messages)
    nc.refresh_from_db()
    assert nc.status == "open"


def test_a_done_but_unverified_action_is_not_enough(nc, officer):
    analyse(nc, officer)
    done_action(nc, officer)
    with pytest.raises(services.ServiceError):
        services.nonconformity_close(actor=officer, nonconformity=nc)


def test_an_action_verified_not_effective_is_not_enough(nc, officer):
    analyse(nc, officer)
    action = done_action(nc, officer)
    services.corrective_action_verify(actor=officer, action=action, effective=False, note="It recurred.")
    with pytest.raises(services.ServiceError):
        services.nonconformity_close(actor=officer, nonconformity=nc)


def test_an_open_action_blocks_closure_even_with_one_verified(nc, officer):
    analyse(nc, officer)
    action = done_action(nc, officer)
    services.corrective_action_verify(actor=officer, action=action, effective=True, note="OK.")
    services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": "Also train the team"})
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_close(actor=officer, nonconformity=nc)
    assert "open corrective actions" in " ".join(err.value.messages)


def test_a_verified_effective_action_lets_it_close(nc, officer, org):
    nc = analyse(nc, officer)
    action = done_action(nc, officer)
    evidence = EvidenceFactory(organisation=org)
    action = services.corrective_action_verify(
        actor=officer, action=action, effective=True, note="Two releases sampled: cards present.", evidence=[evidence]
    )
    assert (action.effectiveness, action.verified_by) == ("effective", officer)
    assert list(action.verification_evidence.all()) == [evidence]
    assert services.closure_problems(nc) == []
    closed = services.nonconformity_close(actor=officer, nonconformity=nc, note="Done.")
    assert (closed.status, closed.closed_by, closed.days_to_close) == ("closed", officer, 12)


def test_only_a_done_action_is_verified_and_the_check_is_explained(nc, officer):
    action = services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": "Do it"})
    with pytest.raises(services.ServiceError) as err:
        services.corrective_action_verify(actor=officer, action=action, effective=True, note="Fine.")
    assert err.value.conflict
    action = services.corrective_action_complete(actor=officer, action=action)
    with pytest.raises(services.ServiceError) as err:
        services.corrective_action_verify(actor=officer, action=action, effective=True, note="  ")
    assert "note" in err.value.message_dict


def test_reopening_an_action_clears_its_verification(nc, officer):
    action = done_action(nc, officer)
    services.corrective_action_verify(actor=officer, action=action, effective=True, note="OK.")
    action = services.corrective_action_update(actor=officer, action=action, data={"status": "in_progress"})
    action.refresh_from_db()
    assert (action.effectiveness, action.verified_by, action.completed_at) == ("", None, None)


def test_a_closed_nonconformity_is_final_until_reopened(nc, officer):
    analyse(nc, officer)
    action = done_action(nc, officer)
    services.corrective_action_verify(actor=officer, action=action, effective=True, note="OK.")
    services.nonconformity_close(actor=officer, nonconformity=nc)
    for call in (
        lambda: services.nonconformity_update(actor=officer, nonconformity=nc, data={"title": "New"}),
        lambda: services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": "More"}),
        lambda: services.corrective_action_update(actor=officer, action=action, data={"title": "X"}),
    ):
        with pytest.raises(services.ServiceError):
            call()
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_reopen(actor=officer, nonconformity=nc, reason="")
    assert "reason" in err.value.message_dict
    reopened = services.nonconformity_reopen(actor=officer, nonconformity=nc, reason="It happened again.")
    assert (reopened.status, reopened.closed_at, reopened.days_to_close) == ("action_planned", None, None)


def test_overdue_actions_are_open_actions_past_their_due_date(nc, officer):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = services.corrective_action_add(
        actor=officer, nonconformity=nc, data={"title": "Late", "due_date": yesterday}
    )
    done = services.corrective_action_add(
        actor=officer, nonconformity=nc, data={"title": "Done late", "due_date": yesterday, "status": "done"}
    )
    assert late.overdue and not done.overdue
    assert list(CorrectiveAction.objects.overdue()) == [late]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "description": "x"}, "title"),
        ({"title": "x", "description": ""}, "description"),
        ({"title": "x", "description": "x", "grade": "catastrophic"}, "grade"),
        ({"title": "x", "description": "x", "five_whys": ["1", "2", "3", "4", "5", "6"]}, "five_whys"),
        ({"title": "x", "description": "x", "detected_on": timezone.localdate() + dt.timedelta(days=3)}, "detected_on"),
        ({"title": "x", "description": "x", "status": "closed"}, "status"),
    ],
)
def test_bad_nonconformities_are_refused_on_their_field(org, officer, data, field):
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_create(actor=officer, organisation=org, data=data)
    assert field in err.value.message_dict
    assert not Nonconformity.objects.exists()


def test_an_outsider_cannot_own_a_nonconformity(org, officer, outsider):
    with pytest.raises(services.ServiceError) as err:
        services.nonconformity_create(
            actor=officer, organisation=org, data={"title": "x", "description": "x", "owner": outsider}
        )
    assert "owner" in err.value.message_dict


def test_a_nonconformity_with_actions_is_closed_not_deleted(nc, officer):
    services.corrective_action_add(actor=officer, nonconformity=nc, data={"title": "Do it"})
    with pytest.raises(services.ServiceError):
        services.nonconformity_delete(actor=officer, nonconformity=nc)
