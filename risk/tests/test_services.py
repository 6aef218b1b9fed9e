"""The risk services: criteria, risks and treatment, assessments and impact assessments."""

import pytest
from django.core.exceptions import PermissionDenied

from aims.services import ServiceError
from registry import services as registry_services
from registry.tests.factories import AISystemFactory
from risk import services
from risk.constants import ActionStatus, AssessmentStatus, CriteriaStatus, ImpactStatus, RiskStatus
from risk.models import ImpactArea, ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
from risk.tests.factories import ImpactAreaFactory, ImpactAssessmentFactory, RiskFactory

pytestmark = pytest.mark.django_db


def make_risk(org, actor, **data):
    return services.risk_create(actor=actor, organisation=org, data={"title": "Gender bias", "owner": actor, **data})


def scored(org, actor, inherent=(4, 4), residual=None, **data):
    risk = make_risk(org, actor, inherent_likelihood=inherent[0], inherent_impact=inherent[1], **data)
    if residual:
        services.risk_score_residual(actor=actor, risk=risk, likelihood=residual[0], impact=residual[1])
    return risk


def new_criteria(org, officer, **data):
    draft = services.criteria_new_version(actor=officer, organisation=org)
    if data:
        services.criteria_update(actor=officer, criteria=draft, data=data)
    return services.criteria_approve(actor=officer, criteria=draft)


# --- Criteria ------------------------------------------------------------------------------------------


def test_default_criteria_are_created_once_on_first_need(org, officer):
    first = services.criteria_ensure(organisation=org, actor=officer)
    again = services.criteria_ensure(organisation=org, actor=officer)
    assert first.pk == again.pk
    assert (first.version, first.status, first.n_likelihood, first.n_impact) == (1, CriteriaStatus.APPROVED, 5, 5)
    assert RiskCriteria.objects.filter(organisation=org).count() == 1


def test_first_risk_creates_the_default_criteria_and_keeps_them(org, officer):
    risk = scored(org, officer)
    assert risk.criteria.version == 1
    assert risk.inherent_level == "high"


def test_new_version_is_a_draft_copy_and_only_one_draft_at_a_time(org, officer):
    base = services.criteria_ensure(organisation=org, actor=officer)
    draft = services.criteria_new_version(actor=officer, organisation=org)
    assert (draft.version, draft.status, draft.matrix) == (2, CriteriaStatus.DRAFT, base.matrix)
    with pytest.raises(ServiceError) as exc:
        services.criteria_new_version(actor=officer, organisation=org)
    assert exc.value.conflict


@pytest.mark.parametrize("role", ["contributor", "auditor", "viewer", "admin"])
def test_only_approvers_shape_the_criteria(org, members, role):
    with pytest.raises(PermissionDenied):
        services.criteria_new_version(actor=members[role], organisation=org)


def test_non_monotonic_matrix_is_refused_and_nothing_saved(org, officer):
    draft = services.criteria_new_version(actor=officer, organisation=org)
    bad = {**draft.matrix, "5,5": "low"}
    with pytest.raises(ServiceError) as exc:
        services.criteria_update(actor=officer, criteria=draft, data={"matrix": bad})
    assert "never lower the level" in exc.value.message_dict["matrix"][0]
    draft.refresh_from_db()
    assert draft.matrix["5,5"] == "critical"


def test_cadence_and_appetite_are_checked(org, officer, outsider):
    draft = services.criteria_new_version(actor=officer, organisation=org)
    with pytest.raises(ServiceError) as exc:
        services.criteria_update(
            actor=officer, criteria=draft, data={"review_months": {"low": 0, "medium": 12, "high": 6}}
        )
    assert "low" in exc.value.message_dict["review_months"][0]
    with pytest.raises(ServiceError) as exc:
        services.criteria_update(actor=officer, criteria=draft, data={"appetite_approver": outsider})
    assert "appetite_approver" in exc.value.message_dict


def test_approved_criteria_are_not_edited(org, officer):
    current = services.criteria_ensure(organisation=org, actor=officer)
    with pytest.raises(ServiceError) as exc:
        services.criteria_update(actor=officer, criteria=current, data={"name": "Changed"})
    assert exc.value.conflict


def test_resize_keeps_labels_and_resets_the_matrix(org, officer):
    draft = services.criteria_new_version(actor=officer, organisation=org)
    resized = services.criteria_resize(actor=officer, criteria=draft, n_likelihood=3, n_impact=4)
    assert (resized.n_likelihood, resized.n_impact) == (3, 4)
    assert resized.likelihood_levels[0]["label"] == "Rare"
    assert set(resized.matrix) == {f"{lk},{im}" for lk in range(1, 4) for im in range(1, 5)}
    with pytest.raises(ServiceError):
        services.criteria_resize(actor=officer, criteria=draft, n_likelihood=1, n_impact=4)


def test_approving_new_criteria_never_rescores_existing_risks(org, officer):
    risk = scored(org, officer, inherent=(3, 3))
    v2 = new_criteria(org, officer, matrix={**services.criteria_ensure(organisation=org).matrix, "3,3": "high"})
    risk.refresh_from_db()
    assert risk.criteria.version == 1 and risk.inherent_level == "medium"
    assert v2.status == CriteriaStatus.APPROVED
    assert RiskCriteria.objects.get(organisation=org, version=1).status == CriteriaStatus.SUPERSEDED


def test_rescore_moves_the_risk_to_the_new_criteria_and_records_it(org, officer):
    risk = scored(org, officer, inherent=(3, 3))
    base = services.criteria_ensure(organisation=org).matrix
    new_criteria(org, officer, matrix={**base, "3,3": "high", "3,4": "high", "4,3": "high"})
    services.risk_rescore_with_criteria(actor=officer, risk=risk)
    risk.refresh_from_db()
    assert (risk.criteria.version, risk.inherent_level) == (2, "high")
    reason = risk.history.first().history_change_reason
    assert "Rescored with criteria v2 (was v1)" in reason and "medium → high" in reason
    with pytest.raises(ServiceError) as exc:
        services.risk_rescore_with_criteria(actor=officer, risk=risk)
    assert exc.value.conflict


def test_rescore_onto_a_smaller_scale_needs_new_scores(org, officer):
    risk = scored(org, officer, inherent=(5, 5))
    draft = services.criteria_new_version(actor=officer, organisation=org)
    services.criteria_resize(actor=officer, criteria=draft, n_likelihood=3, n_impact=3)
    services.criteria_approve(actor=officer, criteria=draft)
    with pytest.raises(ServiceError) as exc:
        services.risk_rescore_with_criteria(actor=officer, risk=risk)
    assert "inherent_likelihood" in exc.value.message_dict
    services.risk_rescore_with_criteria(actor=officer, risk=risk, inherent=(3, 3))
    risk.refresh_from_db()
    assert (risk.inherent_likelihood, risk.criteria.version) == (3, 2)


# --- Risks ---------------------------------------------------------------------------------------------


def test_create_scores_with_the_current_criteria_and_sets_the_review_date(org, officer):
    system = AISystemFactory(organisation=org)
    risk = scored(org, officer, inherent=(4, 4), ai_systems=[system], objectives="fairness,privacy")
    assert (risk.reference, risk.inherent_level, risk.status) == ("RSK-001", "high", RiskStatus.ASSESSED)
    assert list(risk.ai_systems.all()) == [system]
    assert risk.objective_list == ["fairness", "privacy"]
    assert risk.next_review is not None  # six months for "high" in the default cadence
    record = risk.history.first()
    assert (record.history_user, record.history_change_reason) == (officer, "Identified")


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"inherent_likelihood": 6, "inherent_impact": 3}, "inherent_likelihood"),
        ({"inherent_likelihood": 3, "inherent_impact": 0}, "inherent_impact"),
        ({"inherent_likelihood": 3}, "inherent_impact"),
        ({"residual_likelihood": 1, "residual_impact": 1}, "residual_likelihood"),
        (
            {"inherent_likelihood": 2, "inherent_impact": 2, "residual_likelihood": 3, "residual_impact": 2},
            "residual_likelihood",
        ),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(org, officer, scores, field):
    with pytest.raises(ServiceError) as exc:
        make_risk(org, officer, **scores)
    assert field in exc.value.message_dict
    assert not Risk.objects.exists()


def test_residual_above_inherent_is_refused_and_the_risk_unchanged(org, officer):
    risk = scored(org, officer, inherent=(3, 3), residual=(2, 2))
    with pytest.raises(ServiceError) as exc:
        services.risk_score_residual(actor=officer, risk=risk, likelihood=3, impact=4)
    assert "cannot be above the inherent impact" in exc.value.message_dict["residual_impact"][0]
    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.residual_impact, risk.residual_level) == (2, 2, "low")


def test_unknown_objective_and_foreign_system_are_refused(org, other_org, officer):
    with pytest.raises(ServiceError) as exc:
        make_risk(org, officer, objectives="fairness,world_peace")
    assert "world_peace" in exc.value.message_dict["objectives"][0]
    with pytest.raises(ServiceError) as exc:
        make_risk(org, officer, ai_systems=[AISystemFactory(organisation=other_org)])
    assert "ai_systems" in exc.value.message_dict
    assert not Risk.objects.exists()


def test_status_follows_scoring_and_treatment(org, officer):
    risk = make_risk(org, officer)
    assert risk.status == RiskStatus.IDENTIFIED
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=4, impact=4)
    assert risk.status == RiskStatus.ASSESSED
    action = services.treatment_action_add(actor=officer, risk=risk, data={"title": "Rebalance the data"})
    risk.refresh_from_db()
    assert risk.status == RiskStatus.TREATMENT_PLANNED
    services.risk_score_residual(actor=officer, risk=risk, likelihood=2, impact=4)
    assert risk.status == RiskStatus.TREATMENT_PLANNED  # an action is still open
    services.treatment_action_complete(actor=officer, action=action, note="Done and tested")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.TREATED
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None


def test_treatment_needs_a_score_and_a_known_option(org, officer):
    risk = make_risk(org, officer)
    with pytest.raises(ServiceError):
        services.risk_plan_treatment(actor=officer, risk=risk, option="modify")
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=2, impact=2)
    with pytest.raises(ServiceError):
        services.risk_plan_treatment(actor=officer, risk=risk, option="ignore")
    services.risk_plan_treatment(actor=officer, risk=risk, option="retain", plan="Low enough")
    assert risk.status == RiskStatus.TREATMENT_PLANNED


# --- Acceptance ----------------------------------------------------------------------------------------


def test_owner_accepts_within_appetite(org, members):
    contributor = members["contributor"]
    risk = scored(org, contributor, inherent=(4, 4), residual=(2, 4))
    services.risk_accept(actor=contributor, risk=risk, comment="Monitoring in place")
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.accepted_level) == (RiskStatus.ACCEPTED, contributor, "medium")
    assert risk.acceptance_approver is None
    assert risk.history.first().history_change_reason == "Accepted at medium"


def test_a_contributor_who_does_not_own_the_risk_cannot_accept_it(org, members, officer):
    risk = scored(org, officer, inherent=(2, 2))
    with pytest.raises(ServiceError) as exc:
        services.risk_accept(actor=members["contributor"], risk=risk, comment="Fine")
    assert "owner" in exc.value.message_dict
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED


def test_acceptance_needs_a_comment(org, officer):
    risk = scored(org, officer, inherent=(2, 2))
    with pytest.raises(ServiceError) as exc:
        services.risk_accept(actor=officer, risk=risk, comment="  ")
    assert "comment" in exc.value.message_dict


def test_above_appetite_without_a_named_approver_is_refused_and_nothing_saved(org, members):
    contributor = members["contributor"]
    risk = scored(org, contributor, inherent=(4, 4))  # high; the default criteria name no approver
    with pytest.raises(ServiceError) as exc:
        services.risk_accept(actor=contributor, risk=risk, comment="We live with it")
    assert "name one in the risk criteria" in exc.value.message_dict["approver"][0]
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED and risk.accepted_by is None


def test_above_appetite_needs_the_named_approver(org, members, officer):
    contributor = members["contributor"]
    new_criteria(org, officer, appetite_approver=officer)
    risk = scored(org, contributor, inherent=(4, 4))
    with pytest.raises(ServiceError) as exc:
        services.risk_accept(actor=contributor, risk=risk, comment="Fine", approver=members["admin"])
    assert "must accept it, or be recorded as its approver" in exc.value.message_dict["approver"][0]
    services.risk_accept(actor=contributor, risk=risk, comment="Approved at the board", approver=officer)
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by, risk.acceptance_approver) == (RiskStatus.ACCEPTED, contributor, officer)


def test_the_named_approver_accepts_above_appetite_themselves(org, officer):
    new_criteria(org, officer, appetite_approver=officer)
    risk = scored(org, officer, inherent=(5, 5))
    services.risk_accept(actor=officer, risk=risk, comment="Board decision")
    assert risk.accepted_level == "critical" and risk.acceptance_approver == officer


def test_a_risk_scored_with_old_criteria_is_rescored_before_acceptance(org, officer):
    risk = scored(org, officer, inherent=(2, 2))
    new_criteria(org, officer)
    with pytest.raises(ServiceError) as exc:
        services.risk_accept(actor=officer, risk=risk, comment="Fine")
    assert exc.value.conflict and "rescore" in exc.value.messages[0]


def test_a_new_level_voids_the_acceptance(org, officer):
    risk = scored(org, officer, inherent=(2, 2))
    services.risk_accept(actor=officer, risk=risk, comment="Fine")
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=4, impact=4)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED and risk.accepted_by is None
    assert "no longer applies" in risk.history.first().history_change_reason


# --- Closing -------------------------------------------------------------------------------------------


def test_closing_with_open_actions_is_refused_and_nothing_saved(org, officer):
    risk = scored(org, officer)
    action = services.treatment_action_add(actor=officer, risk=risk, data={"title": "Fix it"})
    with pytest.raises(ServiceError) as exc:
        services.risk_close(actor=officer, risk=risk, reason="System retired")
    assert action.reference in exc.value.message_dict["reason"][0]
    risk.refresh_from_db()
    assert risk.status != RiskStatus.CLOSED and risk.closed_at is None
    services.treatment_action_update(actor=officer, action=action, data={"status": "cancelled"})
    services.risk_close(actor=officer, risk=risk, reason="System retired")
    assert risk.status == RiskStatus.CLOSED
    with pytest.raises(ServiceError):
        services.risk_update(actor=officer, risk=risk, data={"title": "New"})
    services.risk_reopen(actor=officer, risk=risk, reason="Back in use")
    assert risk.status == RiskStatus.ASSESSED  # the cancelled action does not count as a plan


# --- Assessments ---------------------------------------------------------------------------------------


def test_assessment_starts_from_the_systems_open_risks(org, officer):
    system, other = AISystemFactory(organisation=org), AISystemFactory(organisation=org)
    carried = scored(org, officer, ai_systems=[system])
    closed = make_risk(org, officer, ai_systems=[system])
    services.risk_close(actor=officer, risk=closed, reason="Gone")
    make_risk(org, officer, ai_systems=[other])
    assessment = services.assessment_start(actor=officer, organisation=org, data={"ai_systems": [system]})
    assert assessment.reference == "RA-001" and assessment.status == AssessmentStatus.IN_PROGRESS
    assert list(assessment.risks.all()) == [carried]
    assert assessment.title == f"Risk assessment of {system.name}"
    assert assessment.criteria == carried.criteria
    assert carried.history.first().history_change_reason == "Carried forward into RA-001 for reassessment"
    assert carried.history.count() == 2  # the earlier scores stay on record


def test_assessment_needs_a_system(org, officer):
    with pytest.raises(ServiceError) as exc:
        services.assessment_start(actor=officer, organisation=org, data={"ai_systems": []})
    assert "ai_systems" in exc.value.message_dict
    assert not RiskAssessment.objects.exists()


def test_assessment_complete_freezes_the_scores(org, officer):
    system = AISystemFactory(organisation=org)
    assessment = services.assessment_start(actor=officer, organisation=org, data={"ai_systems": [system]})
    risk = services.assessment_add_risk(actor=officer, assessment=assessment, data={"title": "Drift", "owner": officer})
    assert list(risk.ai_systems.all()) == [system]
    with pytest.raises(ServiceError) as exc:
        services.assessment_complete(actor=officer, assessment=assessment, conclusion="Done")
    assert risk.reference in exc.value.messages[0]
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=3, impact=3)
    with pytest.raises(ServiceError):
        services.assessment_complete(actor=officer, assessment=assessment, conclusion=" ")
    services.assessment_complete(actor=officer, assessment=assessment, conclusion="One medium risk")
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=5, impact=5)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.snapshot[0]["inherent"] == [3, 3, "medium"]
    with pytest.raises(ServiceError):
        services.assessment_add_risk(actor=officer, assessment=assessment, data={"title": "Late"})


def test_only_approvers_approve_a_completed_assessment(org, members, officer):
    assessment = services.assessment_start(
        actor=officer, organisation=org, data={"ai_systems": [AISystemFactory(organisation=org)]}
    )
    with pytest.raises(ServiceError):
        services.assessment_approve(actor=officer, assessment=assessment)
    services.assessment_complete(actor=officer, assessment=assessment, conclusion="Nothing found")
    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=members["contributor"], assessment=assessment)
    services.assessment_approve(actor=officer, assessment=assessment)
    assert (assessment.status, assessment.approved_by) == (AssessmentStatus.APPROVED, officer)


# --- Impact assessments --------------------------------------------------------------------------------


def _area(actor, assessment, **data):
    return services.impact_area_add(
        actor=actor,
        assessment=assessment,
        data={"area": "discrimination", "potential_impact": "Ranked lower", "severity": "severe", **data},
    )


def test_impact_assessment_versions_copy_the_previous_one(org, officer):
    system = AISystemFactory(organisation=org, affected_persons="Applicants")
    first = services.impact_assessment_create(actor=officer, system=system, data={"conclusion": "Acceptable"})
    assert (first.reference, first.version, first.affected_individuals) == ("IA-001", 1, "Applicants")
    _area(officer, first)
    with pytest.raises(ServiceError) as exc:
        services.impact_assessment_create(actor=officer, system=system)
    assert exc.value.conflict
    services.impact_assessment_approve(actor=officer, assessment=first)
    second = services.impact_assessment_create(actor=officer, system=system)
    assert (second.version, second.conclusion, second.areas.count()) == (2, "Acceptable", 1)
    services.impact_assessment_approve(actor=officer, assessment=second)
    first.refresh_from_db()
    assert first.status == ImpactStatus.SUPERSEDED


def test_approval_needs_the_essentials_and_the_fria_elements(org, officer, members):
    system = AISystemFactory(organisation=org)
    draft = services.impact_assessment_create(actor=officer, system=system, data={"is_fria": True})
    with pytest.raises(ServiceError) as exc:
        services.impact_assessment_approve(actor=officer, assessment=draft)
    errors = exc.value.message_dict
    assert {"conclusion", "affected_individuals", "fria_process", "fria_oversight", "fria_remedies"} <= set(errors)
    assert "impact area" in errors["__all__"][0]
    with pytest.raises(PermissionDenied):
        services.impact_assessment_approve(actor=members["contributor"], assessment=draft)
    draft.refresh_from_db()
    assert draft.status == ImpactStatus.DRAFT


def test_flagged_system_shows_its_impact_assessment_due_until_reassessed(org, officer):
    system = AISystemFactory(organisation=org)
    assessment = services.impact_assessment_create(
        actor=officer, system=system, data={"conclusion": "Fine", "affected_individuals": "Patients"}
    )
    _area(officer, assessment)
    services.impact_assessment_approve(actor=officer, assessment=assessment)
    assert services.impact_assessment_due_reason(system, assessment) == ""
    registry_services.ai_system_flag_reassessment(actor=officer, system=system, reason="New model version")
    assert "New model version" in services.impact_assessment_due_reason(system, assessment)
    draft = services.impact_assessment_create(actor=officer, system=system)
    services.impact_assessment_approve(actor=officer, assessment=draft, clear_reassessment=True)
    system.refresh_from_db()
    assert not system.reassessment_required
    assert services.impact_assessment_due_reason(system, draft) == ""


def test_no_approved_impact_assessment_is_due(org):
    assert services.impact_assessment_due_reason(AISystemFactory(organisation=org), None).startswith("No approved")


def test_raising_a_risk_links_both_ways_once(org, officer):
    system = AISystemFactory(organisation=org, business_owner=officer)
    area = ImpactAreaFactory(impact_assessment=ImpactAssessmentFactory(ai_system=system))
    risk = services.impact_raise_risk(actor=officer, area=area)
    area.refresh_from_db()
    assert area.raised_risk == risk
    assert list(risk.raised_from_areas.all()) == [area]
    assert list(risk.ai_systems.all()) == [system]
    assert (risk.category, risk.objective_list, risk.owner) == ("bias", ["fairness"], officer)
    assert risk.history.first().history_change_reason.startswith("Raised from IA-")
    with pytest.raises(ServiceError) as exc:
        services.impact_raise_risk(actor=officer, area=area)
    assert exc.value.conflict
    assert Risk.objects.count() == 1


def test_areas_of_an_approved_assessment_are_not_edited(org, officer):
    area = ImpactAreaFactory(impact_assessment=ImpactAssessmentFactory(organisation=org, status=ImpactStatus.APPROVED))
    with pytest.raises(ServiceError):
        services.impact_area_update(actor=officer, area=area, data={"severity": "low"})
    with pytest.raises(ServiceError):
        services.impact_area_delete(actor=officer, area=area)
    assert ImpactArea.objects.filter(pk=area.pk, severity="severe").exists()


def test_factories_build_consistent_records(org):
    risk = RiskFactory(organisation=org, inherent_likelihood=4, inherent_impact=4)
    assert risk.inherent_level == "high" and risk.reference.startswith("RSK-")
    assert TreatmentAction.objects.count() == 0 and ImpactAssessment.objects.count() == 0
