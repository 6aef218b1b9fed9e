"""The audit programme and audits: the checklist follows the criteria; results, findings and the nonconformities
they raise; the independence warning; the report."""

import pytest

from audits import services
from audits.models import Audit, ChecklistItem, Finding, Nonconformity
from audits.selectors import suggested_frequency
from audits.tests.factories import own_requirement
from controls.tests.factories import ControlFactory, EvidenceFactory
from registry.tests.factories import AISystemFactory
from risk.tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def record(item, actor, result="conforming", notes="Seen.", **kwargs):
    return services.checklist_record(actor=actor, item=item, data={"result": result, "notes": notes}, **kwargs)


def items(audit):
    return list(audit.checklist.select_related("requirement").order_by("position"))


# --- Planning ----------------------------------------------------------------------------------------------------


def test_an_audit_gets_one_checklist_line_per_requirement_of_its_criteria(audit, requirements):
    assert [i.requirement for i in items(audit)] == requirements
    assert audit.reference == "AUD-001"
    assert audit.status == "planned"


def test_changing_the_criteria_adds_and_removes_unassessed_lines(audit, officer, requirements, org):
    extra = own_requirement(org)
    services.audit_update(actor=officer, audit=audit, data={"criteria": [requirements[0], extra]})
    assert [i.requirement for i in items(audit)] == [requirements[0], extra]


def test_a_requirement_with_a_result_cannot_leave_the_criteria(audit, officer, members, requirements):
    record(items(audit)[1], members["auditor"])
    with pytest.raises(services.ServiceError) as err:
        services.audit_update(actor=officer, audit=audit, data={"criteria": [requirements[0]]})
    assert "criteria" in err.value.message_dict
    assert audit.checklist.count() == 3


def test_another_organisations_requirement_cannot_be_a_criterion(org, other_org, officer):
    with pytest.raises(services.ServiceError) as err:
        services.audit_create(
            actor=officer, organisation=org, data={"title": "X", "criteria": [own_requirement(other_org)]}
        )
    assert "criteria" in err.value.message_dict
    assert not Audit.objects.filter(organisation=org).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "X", "planned_start": "2026-05-02", "planned_end": "2026-05-01"}, "planned_end"),
        ({"title": "X", "frequency_months": 0}, "frequency_months"),
        ({"title": "X", "due": "tomorrow"}, "due"),
    ],
)
def test_bad_plans_are_refused_on_their_field(org, officer, data, field):
    import datetime as dt

    data = {k: (dt.date.fromisoformat(v) if k.startswith("planned") else v) for k, v in data.items()}
    with pytest.raises(services.ServiceError) as err:
        services.audit_create(actor=officer, organisation=org, data=data)
    assert field in err.value.message_dict


def test_an_outsider_cannot_be_on_the_team(org, officer, outsider):
    with pytest.raises(services.ServiceError) as err:
        services.audit_create(actor=officer, organisation=org, data={"title": "X", "team": [outsider]})
    assert "team" in err.value.message_dict


def test_frequency_follows_importance_and_earlier_nonconformities(org, officer, members, requirements):
    auditor = members["auditor"]
    earlier = services.audit_create(
        actor=officer, organisation=org, data={"title": "Earlier", "criteria": requirements[:1], "importance": "high"}
    )
    record(items(earlier)[0], auditor, "major_nc", "Broken.")
    services.audit_report(actor=auditor, audit=earlier, summary="S", conclusion="C")
    later = services.audit_create(
        actor=officer, organisation=org, data={"title": "Later", "criteria": requirements[:2], "importance": "medium"}
    )
    other = services.audit_create(
        actor=officer, organisation=org, data={"title": "Other", "criteria": requirements[2:], "importance": "low"}
    )
    plans = {p.audit.title: p for p in suggested_frequency([earlier, later, other], org)}
    assert (plans["Earlier"].suggested_months, plans["Earlier"].earlier) == (6, "")
    assert plans["Later"].suggested_months == 6  # 12, halved after AUD-001's major nonconformity
    assert "AUD-001" in plans["Later"].earlier
    assert plans["Other"].suggested_months == 24


# --- Results, findings and nonconformities --------------------------------------------------------------------


def test_the_first_result_starts_the_audit(audit, members):
    record(items(audit)[0], members["auditor"])
    audit.refresh_from_db()
    assert audit.status == "in_progress"
    assert audit.actual_start is not None


def test_a_minor_nonconformity_result_raises_a_finding_and_a_nonconformity(audit, members):
    auditor = members["auditor"]
    item = record(items(audit)[0], auditor, "minor_nc", "Alerts not reviewed.")
    finding = Finding.objects.get(checklist_item=item)
    nc = Nonconformity.objects.get(finding=finding)
    assert (finding.kind, finding.raised_by, finding.audit) == ("minor_nc", auditor, audit)
    assert (nc.grade, nc.source, nc.status, nc.detected_by) == ("minor", "audit", "open", auditor)
    assert nc.description == "Alerts not reviewed."
    assert nc.requirement == item.requirement


def test_an_observation_is_a_finding_without_a_nonconformity(audit, members):
    item = record(items(audit)[0], members["auditor"], "observation", "Could be clearer.")
    assert Finding.objects.get(checklist_item=item).kind == "observation"
    assert not Nonconformity.objects.exists()


def test_a_finding_result_needs_notes(audit, members):
    with pytest.raises(services.ServiceError) as err:
        record(items(audit)[0], members["auditor"], "major_nc", "")
    assert "notes" in err.value.message_dict
    assert not Finding.objects.exists()


def test_regrading_a_result_regrades_its_open_nonconformity(audit, members):
    item = items(audit)[0]
    record(item, members["auditor"], "minor_nc", "Gap.")
    record(item, members["auditor"], "major_nc", "Bigger gap.")
    nc = Nonconformity.objects.get()
    assert (nc.grade, nc.description) == ("major", "Bigger gap.")
    assert Finding.objects.get().kind == "major_nc"


def test_correcting_a_result_to_conforming_withdraws_an_untouched_nonconformity(audit, members):
    item = items(audit)[0]
    record(item, members["auditor"], "minor_nc", "Gap.")
    record(item, members["auditor"], "conforming", "Mistaken; it was fine.")
    assert not Finding.objects.exists()
    assert not Nonconformity.objects.exists()


def test_a_nonconformity_being_handled_is_not_withdrawn_by_the_auditor(audit, members, officer):
    item = items(audit)[0]
    record(item, members["auditor"], "minor_nc", "Gap.")
    services.corrective_action_add(actor=officer, nonconformity=Nonconformity.objects.get(), data={"title": "Fix"})
    with pytest.raises(services.ServiceError) as err:
        record(item, members["auditor"], "conforming", "Fine after all.")
    assert err.value.conflict
    item.refresh_from_db()
    assert item.result == "minor_nc"
    assert Nonconformity.objects.count() == 1


def test_evidence_consulted_is_kept_and_must_be_the_organisations(audit, members, org, other_org):
    mine, theirs = EvidenceFactory(organisation=org), EvidenceFactory(organisation=other_org)
    item = items(audit)[0]
    services.checklist_record(
        actor=members["auditor"], item=item, data={"result": "conforming", "notes": "", "evidence": [mine]}
    )
    assert list(item.evidence.all()) == [mine]
    with pytest.raises(services.ServiceError) as err:
        services.checklist_record(
            actor=members["auditor"], item=item, data={"result": "conforming", "evidence": [theirs]}
        )
    assert "evidence" in err.value.message_dict
    assert list(item.evidence.all()) == [mine]


def test_an_unknown_result_is_refused(audit, members):
    with pytest.raises(services.ServiceError) as err:
        record(items(audit)[0], members["auditor"], "excellent")
    assert "result" in err.value.message_dict


def test_a_manual_major_finding_raises_a_nonconformity(audit, members):
    finding = services.finding_create(
        actor=members["auditor"], audit=audit, data={"kind": "major_nc", "title": "No records kept"}
    )
    assert finding.nonconformity.grade == "major"
    with pytest.raises(services.ServiceError):
        services.finding_create(actor=members["auditor"], audit=audit, data={"kind": "weird", "title": "X"})


def test_a_checklist_finding_is_changed_through_its_result(audit, members):
    record(items(audit)[0], members["auditor"], "observation", "Note.")
    finding = Finding.objects.get()
    with pytest.raises(services.ServiceError):
        services.finding_delete(actor=members["auditor"], finding=finding)
    with pytest.raises(services.ServiceError):
        services.finding_update(actor=members["auditor"], finding=finding, data={"kind": "major_nc"})


# --- Independence ------------------------------------------------------------------------------------------------


@pytest.fixture
def own_work_audit(org, officer, members, requirements):
    """The auditor owns a control implementing R1, and the audited AI system."""
    auditor = members["auditor"]
    control = ControlFactory(organisation=org, owner=auditor, title="Audit programme control")
    control.requirements.add(requirements[0])
    system = AISystemFactory(organisation=org, technical_owner=auditor)
    return (
        services.audit_create(
            actor=officer,
            organisation=org,
            data={"title": "Own work", "lead_auditor": auditor, "criteria": requirements, "ai_systems": [system]},
        ),
        control,
        system,
    )


def test_recording_a_result_on_own_work_is_refused_without_acknowledging_the_warning(own_work_audit, members):
    audit, control, system = own_work_audit
    item = items(audit)[0]
    with pytest.raises(services.ServiceError) as err:
        record(item, members["auditor"])
    message = " ".join(err.value.message_dict["acknowledge_independence"])
    assert control.reference in message
    assert system.reference in message
    item.refresh_from_db()
    assert (item.result, item.independence_warning) == ("", "")
    audit.refresh_from_db()
    assert audit.status == "planned"


def test_an_acknowledged_warning_is_stored_with_the_result(own_work_audit, members):
    audit, control, system = own_work_audit
    auditor = members["auditor"]
    item = record(items(audit)[0], auditor, acknowledge_independence=True)
    item.refresh_from_db()
    assert item.result == "conforming"
    assert control.reference in item.independence_warning
    assert system.reference in item.independence_warning
    assert item.independence_acknowledged_by == auditor
    assert item.independence_acknowledged_at is not None
    assert "independence warning acknowledged" in item.history.latest().history_change_reason


def test_an_auditor_without_a_conflict_records_without_a_warning(own_work_audit, members, org, make_member):
    audit, _, _ = own_work_audit
    other_auditor = make_member(org, "auditor", username="independent")
    item = record(items(audit)[0], other_auditor)
    assert item.independence_warning == ""
    assert item.independence_acknowledged_by is None


def test_conflicts_name_owned_controls_systems_and_risks_in_scope(org, officer, members, requirements):
    auditor = members["auditor"]
    risk = RiskFactory(organisation=org, owner=auditor)
    audit = services.audit_create(actor=officer, organisation=org, data={"title": "X", "risks": [risk]})
    assert services.independence_conflicts(audit, auditor) == [f"risk {risk.reference} {risk.title}"]
    assert services.independence_conflicts(audit, officer) == []


# --- Report and closure ---------------------------------------------------------------------------------------


def test_the_report_needs_every_result_and_a_summary_and_conclusion(audit, members):
    auditor = members["auditor"]
    lines = items(audit)
    record(lines[0], auditor)
    with pytest.raises(services.ServiceError):
        services.audit_report(actor=auditor, audit=audit, summary="S", conclusion="C")
    for line in lines[1:]:
        record(line, auditor)
    with pytest.raises(services.ServiceError) as err:
        services.audit_report(actor=auditor, audit=audit, summary="", conclusion=" ")
    assert set(err.value.message_dict) == {"summary", "conclusion"}
    audit = services.audit_report(actor=auditor, audit=audit, summary="S", conclusion="C", recipients="Board")
    assert (audit.status, audit.reported_by, audit.report_recipients) == ("reported", auditor, "Board")


def test_results_are_final_once_reported(audit, members, officer):
    auditor = members["auditor"]
    for line in items(audit):
        record(line, auditor)
    services.audit_report(actor=auditor, audit=audit, summary="S", conclusion="C")
    with pytest.raises(services.ServiceError) as err:
        record(items(audit)[0], auditor, "major_nc", "Late find.")
    assert err.value.conflict
    with pytest.raises(services.ServiceError):
        services.audit_update(actor=officer, audit=audit, data={"title": "Renamed"})
    services.audit_close(actor=officer, audit=audit)
    audit.refresh_from_db()
    assert audit.status == "closed"


def test_an_audit_with_results_is_not_deleted(audit, members, officer):
    record(items(audit)[0], members["auditor"])
    with pytest.raises(services.ServiceError):
        services.audit_delete(actor=officer, audit=audit)
    assert ChecklistItem.objects.filter(audit=audit).count() == 3


def test_programme_approval_needs_objectives(org, officer):
    import datetime as dt

    programme = services.programme_create(
        actor=officer,
        organisation=org,
        data={"title": "2026", "period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 12, 31)},
    )
    with pytest.raises(services.ServiceError) as err:
        services.programme_approve(actor=officer, programme=programme)
    assert "objectives" in err.value.message_dict
    services.programme_update(actor=officer, programme=programme, data={"objectives": "Cover every clause."})
    programme = services.programme_approve(actor=officer, programme=programme)
    assert (programme.status, programme.approved_by) == ("approved", officer)
    with pytest.raises(services.ServiceError):
        services.programme_create(
            actor=officer,
            organisation=org,
            data={"title": "Bad", "period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 1, 1)},
        )
