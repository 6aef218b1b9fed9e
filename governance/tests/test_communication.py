"""The communication plan (clause 7.4)."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.services import ServiceError
from governance import services
from governance.models import Communication
from governance.tests.factories import CommunicationFactory
from registry.tests.factories import InterestedPartyFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _plan(org, officer, **extra):
    data = {
        "topic": "AIMS performance report",
        "audience_kind": "internal",
        "audience": "Executive board",
        "frequency": "quarterly",
        "channel": "report",
        "owner": officer,
        **extra,
    }
    return services.communication_create(actor=officer, organisation=org, data=data)


def test_next_due_follows_from_last_done_and_frequency(org, officer):
    line = _plan(org, officer, last_done=dt.date(2025, 11, 30))
    assert line.next_due == dt.date(2026, 2, 28)
    once = _plan(org, officer, frequency="once", last_done=dt.date(2025, 1, 1))
    assert once.next_due is None


def test_a_given_next_date_is_kept(org, officer):
    line = _plan(org, officer, last_done=dt.date(2025, 11, 30), next_due=dt.date(2026, 1, 15))
    assert line.next_due == dt.date(2026, 1, 15)


def test_changing_the_frequency_reschedules(org, officer):
    line = _plan(org, officer, last_done=dt.date(2025, 1, 1))
    services.communication_update(actor=officer, communication=line, data={"frequency": "monthly"})
    assert Communication.objects.get().next_due == dt.date(2025, 2, 1)


def test_mark_done_schedules_the_next_one_and_becomes_not_overdue(org, officer):
    line = _plan(org, officer, last_done=TODAY() - dt.timedelta(days=120))
    assert line.overdue
    services.communication_mark_done(actor=officer, communication=line)
    line.refresh_from_db()
    assert line.last_done == TODAY() and not line.overdue
    with pytest.raises(ServiceError):
        services.communication_mark_done(actor=officer, communication=line, done_on=TODAY() + dt.timedelta(days=1))


def test_last_done_in_the_future_is_refused(org, officer):
    with pytest.raises(ServiceError) as exc:
        _plan(org, officer, last_done=TODAY() + dt.timedelta(days=3))
    assert "last_done" in exc.value.message_dict


def test_interested_party_of_another_organisation_is_refused(org, other_org, officer):
    with pytest.raises(ServiceError):
        _plan(org, officer, interested_parties=[InterestedPartyFactory(organisation=other_org)])


def test_form_and_done_button(client_for, officer, org):
    party = InterestedPartyFactory(organisation=org)
    client = client_for(officer)
    response = client.post(
        "/governance/communications/new/",
        {
            "topic": "Transparency notice",
            "audience_kind": "external",
            "audience": "Patients",
            "interested_parties": [party.pk],
            "frequency": "annually",
            "channel": "website",
            "owner": officer.pk,
        },
    )
    assert response.status_code == 302
    line = Communication.objects.get()
    response = client.post(f"/governance/communications/{line.pk}/done/", {"done_on": "not a date"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    response = client.post(f"/governance/communications/{line.pk}/done/", {})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.last_done == TODAY()


def test_form_refuses_bad_choices(client_for, officer, org):
    response = client_for(officer).post(
        "/governance/communications/new/", {"topic": "x", "audience_kind": "aliens", "frequency": "hourly"}
    )
    assert response.status_code == 200 and not Communication.objects.exists()


def test_overdue_filter(client_for, officer, org):
    CommunicationFactory(organisation=org, topic="Late one", next_due=TODAY() - dt.timedelta(days=1))
    CommunicationFactory(organisation=org, topic="Fine one", next_due=TODAY() + dt.timedelta(days=10))
    page = client_for(officer).get("/governance/communications/?overdue=true").content.decode()
    assert "Late one" in page and "Fine one" not in page


def test_api_plan_and_mark_done(api_for, officer, org):
    api = api_for(officer, org)
    response = api.post(
        "/api/v1/communications/",
        {
            "topic": "Board report",
            "audience_kind": "internal",
            "audience": "Board",
            "frequency": "quarterly",
            "channel": "report",
            "owner": officer.username,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    done = api.post(f"/api/v1/communications/{response.json()['id']}/mark-done/", {}, format="json")
    assert done.status_code == 200 and done.json()["last_done"] == TODAY().isoformat()
    bad = api.post("/api/v1/communications/", {"topic": "", "frequency": "hourly"}, format="json")
    assert bad.status_code == 400 and {"topic", "frequency", "audience_kind", "channel"} <= set(bad.json())
