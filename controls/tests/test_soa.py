"""The Statement of Applicability: one line per Annex A control, justified decisions, approval that freezes
a version, later edits that start a draft, and controls linked to risks and treatment actions."""

import pytest
from django.core.exceptions import PermissionDenied

from aims.services import ServiceError
from controls import services
from controls.constants import ImplementationStatus, SoAStatus
from controls.models import Control, SoALine, SoAVersion
from controls.selectors_soa import soa_rows, soa_summary
from risk.tests.factories import RiskFactory, TreatmentActionFactory


def _decide_all(soa, officer, *, except_for=()):
    for line in soa.lines.select_related("requirement"):
        if line.requirement.identifier in except_for:
            continue
        services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "We need it."})


def _line(soa, identifier):
    return soa.lines.select_related("requirement").get(requirement__identifier=identifier)


def test_soa_has_one_line_per_annex_a_control(soa):
    assert soa.lines.count() == 38
    assert soa.version == 1 and soa.status == SoAStatus.DRAFT


def test_soa_ensure_is_idempotent_and_adds_missing_lines(soa, org, officer):
    soa.lines.filter(requirement__identifier="A.2.2").delete()
    again = services.soa_ensure(organisation=org, actor=officer)
    assert again.pk == soa.pk
    assert again.lines.count() == 38


def test_exclusion_needs_a_reason_category_and_a_justification(soa, officer):
    line = _line(soa, "A.10.4")
    with pytest.raises(ServiceError) as refused:
        services.soa_line_update(actor=officer, line=line, data={"applicable": False})
    assert set(refused.value.message_dict) == {"exclusion_reason", "exclusion_justification"}
    with pytest.raises(ServiceError) as refused:
        services.soa_line_update(
            actor=officer,
            line=line,
            data={"applicable": False, "exclusion_reason": "no_such_activity", "exclusion_justification": "  "},
        )
    assert set(refused.value.message_dict) == {"exclusion_justification"}
    line.refresh_from_db()
    assert line.applicable is None


def test_including_a_line_clears_a_stale_exclusion(soa, officer):
    line = _line(soa, "A.10.4")
    services.soa_line_update(
        actor=officer,
        line=line,
        data={"applicable": False, "exclusion_reason": "no_such_activity", "exclusion_justification": "We sell none."},
    )
    services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "Now we do."})
    line.refresh_from_db()
    assert (line.applicable, line.exclusion_reason, line.exclusion_justification) == (True, "", "")


def test_approval_is_refused_while_lines_are_undecided_or_unjustified(soa, officer):
    _decide_all(soa, officer, except_for={"A.6.2.8"})
    line = _line(soa, "A.6.2.7")
    services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": ""})
    with pytest.raises(ServiceError) as refused:
        services.soa_approve(actor=officer, soa=soa)
    message = " ".join(refused.value.messages)
    assert "A.6.2.8: Not decided yet" in message and "A.6.2.7: Included without a justification" in message
    assert not SoAVersion.objects.exists()


def test_only_an_officer_approves(soa, members):
    with pytest.raises(PermissionDenied):
        services.soa_approve(actor=members["contributor"], soa=soa)


def test_approval_freezes_the_lines_and_later_edits_start_a_new_draft(soa, org, officer, annex_a):
    _decide_all(soa, officer)
    risk = RiskFactory(organisation=org, title="Unfair shortlists", inherent_level="high")
    control = services.control_create(
        actor=officer,
        organisation=org,
        data={
            "title": "Bias testing",
            "implementation_status": "implemented",
            "requirements": [annex_a["A.6.2.4"]],
            "risks": [risk],
        },
    )
    version = services.soa_approve(actor=officer, soa=soa, note="Board, 3 March")
    soa.refresh_from_db()
    assert (soa.status, soa.version, soa.approved_by) == (SoAStatus.APPROVED, 1, officer)
    frozen = next(row for row in version.lines if row["identifier"] == "A.6.2.4")
    assert frozen["controls"][0]["reference"] == control.reference
    assert frozen["risks"][0]["reference"] == risk.reference and frozen["risks"][0]["via"] == control.reference
    assert frozen["implementation_status"] == ImplementationStatus.IMPLEMENTED
    assert (version.applicable_count, version.excluded_count, version.note) == (38, 0, "Board, 3 March")

    # Later changes: the live SoA follows them; the approved version does not.
    services.control_update(actor=officer, control=control, data={"implementation_status": "partial"})
    services.soa_line_update(
        actor=officer,
        line=_line(soa, "A.10.4"),
        data={"applicable": False, "exclusion_reason": "no_such_activity", "exclusion_justification": "We sell none."},
    )
    soa.refresh_from_db()
    assert (soa.status, soa.version) == (SoAStatus.DRAFT, 2)
    version.refresh_from_db()
    assert next(r for r in version.lines if r["identifier"] == "A.10.4")["applicable"] is True
    assert next(r for r in version.lines if r["identifier"] == "A.6.2.4")["implementation_status"] == "implemented"
    live = {row.data["identifier"]: row.data for row in soa_rows(soa)}
    assert live["A.6.2.4"]["implementation_status"] == ImplementationStatus.PARTIAL
    assert live["A.10.4"]["applicable"] is False

    second = services.soa_approve(actor=officer, soa=soa)
    assert second.version == 2 and (second.applicable_count, second.excluded_count) == (37, 1)
    assert SoAVersion.objects.filter(soa=soa).count() == 2


def test_an_unchanged_save_does_not_start_a_draft(soa, officer):
    _decide_all(soa, officer)
    services.soa_approve(actor=officer, soa=soa)
    line = _line(soa, "A.2.2")
    services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "We need it."})
    soa.refresh_from_db()
    assert (soa.status, soa.version) == (SoAStatus.APPROVED, 1)


def test_approving_an_approved_version_again_is_a_conflict(soa, officer):
    _decide_all(soa, officer)
    services.soa_approve(actor=officer, soa=soa)
    with pytest.raises(ServiceError) as refused:
        services.soa_approve(actor=officer, soa=soa)
    assert refused.value.conflict


def test_implementing_controls_are_set_from_the_line(soa, org, officer):
    first = services.control_create(actor=officer, organisation=org, data={"title": "Logging"})
    second = services.control_create(actor=officer, organisation=org, data={"title": "Log review"})
    line = _line(soa, "A.6.2.8")
    services.soa_line_update(
        actor=officer, line=line, data={"applicable": True, "business_need": "x"}, controls=[first, second]
    )
    assert set(Control.objects.filter(requirements=line.requirement)) == {first, second}
    services.soa_line_update(actor=officer, line=line, data={}, controls=[second])
    assert list(Control.objects.filter(requirements=line.requirement)) == [second]
    assert "No longer implements A.6.2.8" in first.history.first().history_change_reason


def test_a_line_refuses_another_organisations_risk_or_control(soa, officer, other_org):
    line = _line(soa, "A.5.2")
    with pytest.raises(ServiceError):
        services.soa_line_update(actor=officer, line=line, data={"risks": [RiskFactory(organisation=other_org)]})
    foreign = Control.objects.create(organisation=other_org, reference="CTL-900", title="Theirs")
    with pytest.raises(ServiceError):
        services.soa_line_update(actor=officer, line=line, data={"applicable": True}, controls=[foreign])


def test_derived_status_and_summary(soa, org, officer, annex_a):
    services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "A", "implementation_status": "implemented", "requirements": [annex_a["A.7.4"]]},
    )
    services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "B", "implementation_status": "planned", "requirements": [annex_a["A.7.4"]]},
    )
    services.soa_line_update(actor=officer, line=_line(soa, "A.7.4"), data={"applicable": True, "business_need": "x"})
    rows = {row.data["identifier"]: row for row in soa_rows(soa)}
    assert rows["A.7.4"].data["implementation_status"] == ImplementationStatus.PARTIAL
    assert rows["A.7.4"].problems == []
    assert rows["A.7.5"].problems == ["Not decided yet: applicable or not?"]
    summary = soa_summary(list(rows.values()))
    assert (summary["applicable"], summary["undecided"], summary["with_problems"]) == (1, 37, 37)


def test_a_control_of_several_lines_brings_its_risks_to_each_and_a_lines_own_risk_wins(soa, org, officer, annex_a):
    bias, drift, own = (RiskFactory(organisation=org) for _ in range(3))
    control = services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "Data checks", "requirements": [annex_a["A.7.4"], annex_a["A.7.5"]]},
    )
    control.risks.add(bias, drift)
    _line(soa, "A.7.5").risks.add(own, bias)
    rows = {row.data["identifier"]: row.data for row in soa_rows(soa)}
    via = {line: {r["reference"]: r["via"] for r in rows[line]["risks"]} for line in ("A.7.4", "A.7.5", "A.7.6")}
    assert via["A.7.4"] == {bias.reference: control.reference, drift.reference: control.reference}
    assert via["A.7.5"] == {bias.reference: "line", drift.reference: control.reference, own.reference: "line"}
    assert via["A.7.6"] == {}
    assert [r["reference"] for r in rows["A.7.5"]["risks"]] == sorted(via["A.7.5"])


# --- Controls and risks --------------------------------------------------------------------------------------


def test_linking_a_treatment_action_links_its_risk(org, officer):
    action = TreatmentActionFactory(risk=RiskFactory(organisation=org))
    control = services.control_create(
        actor=officer, organisation=org, data={"title": "X", "treatment_actions": [action]}
    )
    assert list(control.risks.all()) == [action.risk]


def test_a_control_created_for_a_treatment_action_inherits_its_risk_and_systems(org, officer):
    from registry.tests.factories import AISystemFactory

    risk = RiskFactory(organisation=org)
    system = AISystemFactory(organisation=org)
    risk.ai_systems.add(system)
    action = TreatmentActionFactory(risk=risk, title="Add a human check")
    control = services.control_create_for_treatment(
        actor=officer, treatment_action=action, data={"title": "Human check"}
    )
    assert control.implementation_status == ImplementationStatus.PLANNED
    assert list(control.treatment_actions.all()) == [action]
    assert list(control.risks.all()) == [risk] and list(control.ai_systems.all()) == [system]


def test_link_and_unlink_a_control_from_a_risk(org, officer):
    risk = RiskFactory(organisation=org)
    action = TreatmentActionFactory(risk=risk)
    control = services.control_create(actor=officer, organisation=org, data={"title": "X"})
    services.control_link_risk(actor=officer, control=control, risk=risk, treatment_action=action)
    assert list(control.risks.all()) == [risk] and list(control.treatment_actions.all()) == [action]
    other_action = TreatmentActionFactory(risk=RiskFactory(organisation=org))
    with pytest.raises(ServiceError):
        services.control_link_risk(actor=officer, control=control, risk=risk, treatment_action=other_action)
    services.control_unlink_risk(actor=officer, control=control, risk=risk)
    assert not control.risks.exists() and not control.treatment_actions.exists()


def test_a_control_refuses_another_organisations_requirement_or_risk(org, officer, other_org):
    from controls.tests.factories import FrameworkFactory, RequirementFactory

    theirs = RequirementFactory(framework=FrameworkFactory(organisation=other_org))
    with pytest.raises(ServiceError) as refused:
        services.control_create(actor=officer, organisation=org, data={"title": "X", "requirements": [theirs]})
    assert "requirements" in refused.value.message_dict
    with pytest.raises(ServiceError):
        services.control_create(
            actor=officer, organisation=org, data={"title": "X", "risks": [RiskFactory(organisation=other_org)]}
        )
    assert not Control.objects.filter(organisation=org).exists()


def test_recording_a_check_sets_the_next_review_from_the_frequency(org, officer):
    import datetime as dt

    from django.utils import timezone

    control = services.control_create(
        actor=officer, organisation=org, data={"title": "X", "check_frequency": "quarterly"}
    )
    today = timezone.localdate()
    services.control_record_check(actor=officer, control=control, checked_on=today, result="effective")
    control.refresh_from_db()
    assert control.next_review == today + dt.timedelta(days=92)
    with pytest.raises(ServiceError):
        services.control_record_check(
            actor=officer, control=control, checked_on=today + dt.timedelta(days=1), result="effective"
        )


def test_control_references_are_unique_and_an_empty_one_on_edit_keeps_it(org, officer):
    control = services.control_create(actor=officer, organisation=org, data={"title": "X"})
    assert control.reference == "CTL-001"
    with pytest.raises(ServiceError):
        services.control_create(actor=officer, organisation=org, data={"title": "Y", "reference": "CTL-001"})
    services.control_update(actor=officer, control=control, data={"reference": "", "title": "X2"})
    control.refresh_from_db()
    assert (control.reference, control.title) == ("CTL-001", "X2")


def test_soa_line_is_isolated_by_organisation(soa, other_org):
    assert SoALine.objects.visible_to(None, other_org).count() == 0


def test_a_contributor_who_records_a_control_owns_it_and_may_edit_it(org, members, client_for):
    from django.urls import reverse

    contributor = members["contributor"]
    control = services.control_create(actor=contributor, organisation=org, data={"title": "Mine"})
    assert control.owner == contributor
    response = client_for(contributor).post(
        reverse("controls:control-update", args=[control.pk]),
        {"title": "Mine, renamed", "control_type": "process", "implementation_status": "planned"},
    )
    assert response.status_code == 302
    control.refresh_from_db()
    assert control.title == "Mine, renamed"


def test_a_contributor_cannot_relink_someone_elses_control_from_the_soa(soa, org, officer, members):
    contributor = members["contributor"]
    theirs = services.control_create(actor=officer, organisation=org, data={"title": "Officer's", "owner": officer})
    line = _line(soa, "A.6.2.8")
    SoALine.objects.filter(pk=line.pk).update(owner=contributor)
    with pytest.raises(ServiceError) as refused:
        services.soa_line_update(
            actor=contributor, line=line, data={"applicable": True, "business_need": "x"}, controls=[theirs]
        )
    assert theirs.reference in refused.value.message_dict["controls"][0]
    assert not theirs.requirements.exists()
    mine = services.control_create(actor=contributor, organisation=org, data={"title": "Mine"})
    services.soa_line_update(
        actor=contributor, line=line, data={"applicable": True, "business_need": "x"}, controls=[mine]
    )
    assert list(mine.requirements.all()) == [line.requirement]
