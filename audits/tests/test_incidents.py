"""AI incidents and the EU AI Act Art. 73 reporting clock, counted in the organisation's time zone and tested
across the daylight-saving changes of Europe/London (last Sundays of March and October 2026)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audits import services
from audits.deadlines import Clock, clock_for, reporting_deadline
from audits.models import Incident
from registry.tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# --- The clock itself ------------------------------------------------------------------------------------------


def test_across_the_spring_change_the_deadline_is_local_midnight_not_utc_midnight():
    """Aware on Friday 20 March 2026 at 14:00 GMT; clocks go forward on 29 March. The 15 days end with 4 April,
    at midnight BST, which is 23:00 UTC; counting in UTC would give an hour too many."""
    deadline = reporting_deadline(utc(2026, 3, 20, 14, 0), "general", LONDON)
    assert deadline == utc(2026, 4, 4, 23, 0)
    assert deadline.astimezone(LONDON) == dt.datetime(2026, 4, 5, 0, 0, tzinfo=LONDON)
    naive_utc = dt.datetime.combine(dt.date(2026, 3, 20) + dt.timedelta(days=16), dt.time(0), tzinfo=dt.UTC)
    assert deadline != naive_utc


def test_across_the_autumn_change_the_deadline_is_local_midnight():
    """Aware on 20 October 2026 at 11:00 BST; clocks go back on 25 October. The period ends with 4 November, at
    midnight GMT (= 00:00 UTC), not at 23:00 UTC as a BST offset would give."""
    deadline = reporting_deadline(utc(2026, 10, 20, 10, 0), "general", LONDON)
    assert deadline == utc(2026, 11, 5, 0, 0)
    assert deadline.astimezone(LONDON).utcoffset() == dt.timedelta(0)


def test_the_two_day_limit_over_the_night_the_clocks_go_back():
    """Aware Saturday 24 October at 13:00 BST: the two days are Sunday (25 hours long) and Monday."""
    deadline = reporting_deadline(utc(2026, 10, 24, 12, 0), "widespread", LONDON)
    assert deadline == utc(2026, 10, 27, 0, 0)
    assert deadline - utc(2026, 10, 24, 23, 0) == dt.timedelta(hours=49)  # from local midnight starting Sunday


def test_the_day_of_awareness_is_the_organisations_day():
    """23:30 UTC on 10 January is already 11 January in Berlin: the ten days start from the 11th."""
    deadline = reporting_deadline(utc(2026, 1, 10, 23, 30), "death", BERLIN)
    assert deadline.astimezone(BERLIN) == dt.datetime(2026, 1, 22, 0, 0, tzinfo=BERLIN)
    assert deadline == utc(2026, 1, 21, 23, 0)
    assert reporting_deadline(utc(2026, 1, 10, 23, 30), "death", LONDON) == utc(2026, 1, 21, 0, 0)


@pytest.mark.parametrize(("category", "days"), [("general", 15), ("death", 10), ("widespread", 2)])
def test_each_category_has_its_art_73_limit(category, days):
    aware = utc(2026, 6, 1, 9, 0)
    deadline = reporting_deadline(aware, category, LONDON)
    assert deadline.astimezone(LONDON).date() == dt.date(2026, 6, 1) + dt.timedelta(days=days + 1)


def test_the_clock_reads_time_left_and_overdue():
    deadline = utc(2026, 4, 4, 23, 0)
    clock = Clock(deadline=deadline, now=utc(2026, 4, 2, 20, 0), zone=LONDON)
    assert (clock.text, clock.urgency, clock.last_day) == ("2 days 3 hours left", "soon", dt.date(2026, 4, 4))
    assert Clock(deadline=deadline, now=utc(2026, 4, 4, 22, 30), zone=LONDON).text == "30 minutes left"
    late = Clock(deadline=deadline, now=utc(2026, 4, 6, 0, 0), zone=LONDON)
    assert (late.overdue, late.urgency, late.text) == (True, "overdue", "overdue by 1 day 1 hour")


# --- Through the service, with the organisation's time zone ----------------------------------------------------------


@pytest.fixture
def high_risk(org):
    return AISystemFactory(organisation=org, eu_tier="high", name="Triage assistant")


def serious(org, actor, systems, aware_at, category="general", **extra):
    return services.incident_create(
        actor=actor,
        organisation=org,
        data={
            "title": "Unsafe advice",
            "description": "The assistant advised self-care for chest pain.",
            "ai_systems": systems,
            "detected_at": aware_at - dt.timedelta(hours=1),
            "aware_at": aware_at,
            "serious": True,
            "serious_category": category,
            "severity": "critical",
            "harm_types": "health_safety",
            **extra,
        },
    )


def test_a_serious_incident_on_a_high_risk_system_starts_the_clock_in_the_organisations_zone(org, officer, high_risk):
    assert org.time_zone == "Europe/London"
    incident = serious(org, officer, [high_risk], utc(2026, 3, 20, 14, 0))
    assert incident.reporting_deadline == utc(2026, 4, 4, 23, 0)
    assert incident.clock_running
    assert "Reporting clock: report by 2026-04-05 00:00 BST" in incident.history.latest().history_change_reason


def test_the_same_awareness_gives_another_deadline_in_another_zone(other_org, outsider):
    system = AISystemFactory(organisation=other_org, eu_tier="high")
    incident = serious(other_org, outsider, [system], utc(2026, 3, 20, 23, 30))  # already 21 March in Berlin
    assert incident.reporting_deadline.astimezone(BERLIN) == dt.datetime(2026, 4, 6, 0, 0, tzinfo=BERLIN)


def test_without_a_high_risk_system_the_clock_does_not_run(org, officer):
    minimal = AISystemFactory(organisation=org, eu_tier="minimal")
    incident = serious(org, officer, [minimal], timezone.now() - dt.timedelta(hours=2))
    assert incident.serious and incident.reporting_deadline is None
    assert clock_for(incident, org) is None
    incident = services.incident_update(
        actor=officer,
        incident=incident,
        data={"ai_systems": [minimal, AISystemFactory(organisation=org, eu_tier="high")]},
    )
    assert incident.reporting_deadline is not None


def test_changing_the_category_or_the_flag_recomputes_the_deadline(org, officer, high_risk):
    incident = serious(org, officer, [high_risk], utc(2026, 6, 1, 9, 0))
    incident = services.incident_update(actor=officer, incident=incident, data={"serious_category": "widespread"})
    assert incident.reporting_deadline == utc(2026, 6, 3, 23, 0)  # end of 3 June, BST
    incident = services.incident_update(actor=officer, incident=incident, data={"serious": False})
    assert (incident.reporting_deadline, incident.serious_category) == (None, "")


def test_a_serious_incident_without_a_category_takes_the_general_limit(org, officer, high_risk):
    incident = serious(org, officer, [high_risk], utc(2026, 6, 1, 9, 0), category="")
    assert incident.serious_category == "general"


def test_reporting_to_the_authority_stops_the_clock_and_says_if_it_was_late(org, officer, high_risk):
    aware = timezone.now() - dt.timedelta(days=20)
    incident = serious(org, officer, [high_risk], aware)
    assert clock_for(incident, org).overdue
    incident = services.incident_report_to_authority(
        actor=officer, incident=incident, authority="MHRA", authority_reference="AI-2026-17"
    )
    assert not incident.clock_running and incident.reported_late
    assert clock_for(incident, org) is None
    with pytest.raises(services.ServiceError) as err:
        services.incident_report_to_authority(actor=officer, incident=incident, authority="MHRA")
    assert err.value.conflict


def test_a_report_cannot_be_dated_before_awareness_or_in_the_future(org, officer, high_risk):
    aware = timezone.now() - dt.timedelta(days=2)
    incident = serious(org, officer, [high_risk], aware)
    for when in (aware - dt.timedelta(hours=1), timezone.now() + dt.timedelta(days=1)):
        with pytest.raises(services.ServiceError) as err:
            services.incident_report_to_authority(actor=officer, incident=incident, reported_at=when, authority="A")
        assert "reported_to_authority_at" in err.value.message_dict
    with pytest.raises(services.ServiceError) as err:
        services.incident_report_to_authority(actor=officer, incident=incident, authority=" ")
    assert "authority" in err.value.message_dict


def test_a_serious_incident_is_closed_only_after_it_is_reported(org, officer, high_risk):
    incident = serious(org, officer, [high_risk], timezone.now() - dt.timedelta(days=1))
    with pytest.raises(services.ServiceError) as err:
        services.incident_close(actor=officer, incident=incident, lessons_learned="Route chest pain to nurses.")
    assert "status" in err.value.message_dict
    services.incident_report_to_authority(actor=officer, incident=incident, authority="MHRA")
    with pytest.raises(services.ServiceError) as err:
        services.incident_close(actor=officer, incident=incident)
    assert "lessons_learned" in err.value.message_dict
    closed = services.incident_close(actor=officer, incident=incident, lessons_learned="Route chest pain to nurses.")
    assert closed.status == "closed" and closed.closed_at is not None


def test_an_incident_raises_a_linked_nonconformity_once(org, officer, high_risk):
    incident = serious(
        org, officer, [high_risk], timezone.now() - dt.timedelta(hours=3), containment="Routed to a nurse."
    )
    nc = services.incident_raise_nonconformity(actor=officer, incident=incident)
    incident.refresh_from_db()
    assert incident.nonconformity == nc
    assert (nc.source, nc.grade, nc.immediate_correction) == ("incident", "major", "Routed to a nurse.")
    with pytest.raises(services.ServiceError):
        services.incident_raise_nonconformity(actor=officer, incident=incident)


def test_escalations_record_who_was_told_and_when(org, officer):
    incident = services.incident_create(
        actor=officer, organisation=org, data={"title": "Glitch", "description": "Wrong hours shown."}
    )
    escalation = services.incident_add_escalation(
        actor=officer, incident=incident, data={"notified": "Service owner", "channel": "Phone"}
    )
    assert (escalation.recorded_by, escalation.incident) == (officer, incident)
    for data, field in (
        ({"notified": ""}, "notified"),
        ({"notified": "X", "notified_at": timezone.now() + dt.timedelta(days=1)}, "notified_at"),
    ):
        with pytest.raises(services.ServiceError) as err:
            services.incident_add_escalation(actor=officer, incident=incident, data=data)
        assert field in err.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "description": "x"}, "title"),
        ({"title": "x", "description": ""}, "description"),
        ({"title": "x", "description": "x", "harm_types": "health_safety,weather"}, "harm_types"),
        ({"title": "x", "description": "x", "severity": "apocalyptic"}, "severity"),
        ({"title": "x", "description": "x", "serious_category": "soon"}, "serious_category"),
        ({"title": "x", "description": "x", "detected_at": timezone.now() + dt.timedelta(days=1)}, "detected_at"),
    ],
)
def test_bad_incidents_are_refused_on_their_field(org, officer, data, field):
    with pytest.raises(services.ServiceError) as err:
        services.incident_create(actor=officer, organisation=org, data=data)
    assert field in err.value.message_dict
    assert not Incident.objects.exists()


def test_anyone_reporting_is_recorded_as_the_reporter(org, members):
    incident = services.incident_create(
        actor=members["contributor"],
        organisation=org,
        data={"title": "x", "description": "y", "harm_types": "security"},
    )
    assert incident.reported_by == members["contributor"]
    assert incident.get_harm_types_display() == "Security"
