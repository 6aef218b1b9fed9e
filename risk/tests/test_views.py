"""The risk pages: register, risk detail actions, heat map, assessment workflow, impact assessments, criteria."""

import re

import pytest

from registry import services as registry_services
from registry.tests.factories import AISystemFactory
from risk import services
from risk.constants import AssessmentStatus, ImpactStatus, RiskStatus
from risk.models import ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
from risk.tests.factories import (
    ImpactAreaFactory,
    ImpactAssessmentFactory,
    RiskAssessmentFactory,
    RiskCriteriaFactory,
    RiskFactory,
    TreatmentActionFactory,
)
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def scored(org, actor, inherent=(4, 4), **data):
    return services.risk_create(
        actor=actor,
        organisation=org,
        data={
            "title": "Gender bias in CV ranking",
            "owner": actor,
            "inherent_likelihood": inherent[0],
            "inherent_impact": inherent[1],
            **data,
        },
    )


def body(response) -> str:
    return response.content.decode()


# --- Register ------------------------------------------------------------------------------------------


def test_register_filters_by_system_level_status_owner_source_and_overdue(client_for, officer, members, org):
    system = AISystemFactory(organisation=org)
    scored(org, officer, inherent=(4, 4), title="Alpha bias", ai_systems=[system], risk_source="machine_learning")
    scored(org, members["contributor"], inherent=(1, 1), title="Beta drift", owner=members["contributor"])
    late = scored(org, officer, inherent=(2, 3), title="Gamma late", next_review="2020-01-01")
    assert late.next_review.year == 2020
    client = client_for(officer)
    cases = {
        f"?system={system.pk}": "Alpha bias",
        "?level=low": "Beta drift",
        "?status=assessed&owner=" + str(members["contributor"].pk): "Beta drift",
        "?source=machine_learning": "Alpha bias",
        "?overdue=true": "Gamma late",
        "?inherent_likelihood=4&inherent_impact=4": "Alpha bias",
        "?likelihood=1&impact=1": "Beta drift",
    }
    for query, expected in cases.items():
        page = body(client.get(f"/risks/{query}"))
        shown = set(re.findall(r"(Alpha bias|Beta drift|Gamma late)", page))
        assert shown == {expected}, query


def test_heat_map_cell_filter_is_announced_and_clearable(client_for, officer, org):
    scored(org, officer)
    page = body(client_for(officer).get("/risks/?inherent_likelihood=4&inherent_impact=4"))
    assert 'data-testid="heat-cell-filter"' in page
    assert 'type="hidden" name="inherent_likelihood"' in page


def test_register_exports_the_filtered_rows(client_for, officer, org):
    scored(org, officer, title="Alpha")
    scored(org, officer, inherent=(1, 1), title="Beta")
    response = client_for(officer).get("/risks/?level=high&export=csv")
    content = b"".join(response.streaming_content).decode()
    assert "Alpha" in content and "Beta" not in content and "Inherent level" in content


def _make_rows(org, officer, n):
    system = AISystemFactory(organisation=org)
    for _ in range(n):
        risk = RiskFactory(
            organisation=org, owner=officer, inherent_likelihood=3, inherent_impact=4, ai_systems=[system]
        )
        TreatmentActionFactory(risk=risk, owner=officer)
        assessment = RiskAssessmentFactory(organisation=org, owner=officer, ai_systems=[system])
        assessment.risks.add(risk)
        assessment.assessors.add(officer)
        ImpactAreaFactory(impact_assessment=ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org)))
        RiskCriteriaFactory(organisation=org, status="superseded")


def test_list_pages_cost_the_same_queries_for_5_and_50_rows(client_for, officer, org):
    client = client_for(officer)
    assert_queries_do_not_grow(
        lambda n: _make_rows(org, officer, n),
        [
            (client, "/risks/"),
            (client, "/risks/", {"sort": "-inherent_level"}),
            (client, "/risks/actions/"),
            (client, "/risks/assessments/"),
            (client, "/risks/impact-assessments/"),
            (client, "/risks/criteria/"),
            (client, "/risks/heat-map/"),
            (client, "/"),
        ],
    )


# --- Risk pages ----------------------------------------------------------------------------------------


def test_create_a_risk_through_the_form(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    response = client_for(officer).post(
        "/risks/new/",
        {
            "title": "Prompt injection",
            "risk_type": "risk",
            "category": "security",
            "owner": officer.pk,
            "ai_systems": [system.pk],
            "objectives": ["security", "privacy"],
            "risk_source": "environment_complexity",
            "inherent_likelihood": "4",
            "inherent_impact": "3",
        },
    )
    risk = Risk.objects.get(organisation=org)
    assert response.status_code == 302 and response.url == f"/risks/{risk.pk}/"
    assert (risk.inherent_level, risk.objectives, risk.status) == ("high", "security,privacy", RiskStatus.ASSESSED)


def test_form_refuses_scores_outside_the_scale_and_saves_nothing(client_for, officer, org):
    response = client_for(officer).post(
        "/risks/new/", {"title": "X", "risk_type": "risk", "category": "other", "inherent_likelihood": "7"}
    )
    assert response.status_code == 200
    assert "inherent_likelihood" in response.context["form"].errors
    assert 'aria-invalid="true"' in body(response)
    assert not Risk.objects.exists()


def test_residual_above_inherent_shows_the_error_on_the_scoring_tab(client_for, officer, org):
    risk = scored(org, officer, inherent=(2, 2))
    response = client_for(officer).post(
        f"/risks/{risk.pk}/score/", {"kind": "residual", "residual-likelihood": "3", "residual-impact": "2"}
    )
    assert response.status_code == 200
    page = body(response)
    assert "cannot be above the inherent likelihood" in page
    assert 'aria-current="page" data-testid="tab-scoring"' in page
    risk.refresh_from_db()
    assert risk.residual_level == ""


def test_score_treat_act_and_accept_through_the_pages(client_for, officer, org):
    risk = services.risk_create(actor=officer, organisation=org, data={"title": "Bias", "owner": officer})
    client = client_for(officer)
    assert (
        client.post(
            f"/risks/{risk.pk}/score/", {"kind": "inherent", "inherent-likelihood": "4", "inherent-impact": "4"}
        ).status_code
        == 302
    )
    client.post(f"/risks/{risk.pk}/treatment/", {"treatment_option": "modify", "treatment_plan": "Rebalance"})
    client.post(
        f"/risks/{risk.pk}/actions/new/", {"title": "Rebalance data", "owner": officer.pk, "due_date": "2030-01-31"}
    )
    client.post(f"/risks/{risk.pk}/score/", {"kind": "residual", "residual-likelihood": "2", "residual-impact": "4"})
    response = client.post(f"/risks/{risk.pk}/accept/", {"comment": "Monitored quarterly"})
    assert response.status_code == 302 and response.url.endswith("?tab=acceptance")
    risk.refresh_from_db()
    assert (risk.status, risk.residual_level, risk.accepted_by) == (RiskStatus.ACCEPTED, "medium", officer)
    assert risk.actions.get().due_date.isoformat() == "2030-01-31"
    page = body(client.get(f"/risks/{risk.pk}/?tab=acceptance"))
    assert "Monitored quarterly" in page and 'data-testid="acceptance-record"' in page


def test_accepting_above_appetite_without_the_approver_shows_why(client_for, members, org):
    contributor = members["contributor"]
    risk = scored(org, contributor, inherent=(4, 4), owner=contributor)
    response = client_for(contributor).post(f"/risks/{risk.pk}/accept/", {"comment": "OK"})
    assert response.status_code == 200
    assert "above the appetite" in body(response)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED


def test_closing_with_open_actions_shows_why_and_saves_nothing(client_for, officer, org):
    risk = scored(org, officer)
    action = services.treatment_action_add(actor=officer, risk=risk, data={"title": "Fix"})
    response = client_for(officer).post(f"/risks/{risk.pk}/close/", {"close-reason": "Retired"})
    assert response.status_code == 200 and action.reference in body(response)
    risk.refresh_from_db()
    assert risk.status != RiskStatus.CLOSED


@pytest.mark.parametrize("role", ["viewer", "auditor", "admin"])
def test_read_only_roles_cannot_score(client_for, members, officer, org, role):
    risk = scored(org, officer, inherent=(2, 2))
    response = client_for(members[role]).post(
        f"/risks/{risk.pk}/score/", {"kind": "inherent", "inherent-likelihood": "5", "inherent-impact": "5"}
    )
    assert response.status_code == 403
    risk.refresh_from_db()
    assert risk.inherent_level == "low"


def test_contributor_changes_only_their_own_risks(client_for, members, officer, org):
    contributor = members["contributor"]
    own = scored(org, contributor, owner=contributor)
    other = scored(org, officer)
    client = client_for(contributor)
    assert client.get(f"/risks/{own.pk}/edit/").status_code == 200
    assert client.get(f"/risks/{other.pk}/edit/").status_code == 403
    assert client.post(f"/risks/{other.pk}/close/", {"close-reason": "x"}).status_code == 403


def test_rescore_offer_appears_and_is_recorded(client_for, officer, org):
    risk = scored(org, officer, inherent=(3, 3))
    draft = services.criteria_new_version(actor=officer, organisation=org)
    services.criteria_approve(actor=officer, criteria=draft)
    client = client_for(officer)
    assert 'data-testid="rescore-offer"' in body(client.get(f"/risks/{risk.pk}/"))
    client.post(f"/risks/{risk.pk}/rescore/")
    risk.refresh_from_db()
    assert risk.criteria == draft
    page = body(client.get(f"/risks/{risk.pk}/?tab=history"))
    assert "Rescored with criteria v2 (was v1)" in page


def test_complete_an_action_from_the_treatment_plan(client_for, officer, org):
    risk = scored(org, officer)
    action = services.treatment_action_add(actor=officer, risk=risk, data={"title": "Fix"})
    response = client_for(officer).post(f"/risks/actions/{action.pk}/complete/", {"next": "risk", "note": "Done"})
    assert response.url == f"/risks/{risk.pk}/?tab=treatment"
    action.refresh_from_db()
    assert action.status == "done" and action.completion_note == "Done"


def test_new_action_page_needs_a_risk_of_the_organisation(client_for, officer, org, other_org):
    client = client_for(officer)
    assert client.get("/risks/actions/new/").status_code == 404
    foreign = RiskFactory(organisation=other_org)
    assert client.get(f"/risks/actions/new/?risk={foreign.pk}").status_code == 404
    risk = scored(org, officer)
    response = client.post(f"/risks/actions/new/?risk={risk.pk}", {"title": "Audit", "status": "planned"})
    assert response.status_code == 302
    assert TreatmentAction.objects.get().risk == risk


# --- Heat map ------------------------------------------------------------------------------------------


def test_heat_map_counts_cells_and_links_to_the_filtered_register(client_for, officer, org):
    scored(org, officer, inherent=(3, 4))
    scored(org, officer, inherent=(3, 4))
    closed = scored(org, officer, inherent=(1, 1))
    services.risk_close(actor=officer, risk=closed, reason="Gone")
    page = body(client_for(officer).get("/risks/heat-map/"))
    assert 'href="/risks/?open=true&amp;inherent_likelihood=3&amp;inherent_impact=4"' in page
    assert 'aria-label="Likelihood 3 (Possible), impact 4 (Major): 2 risks, level high"' in page
    assert 'data-cell="1,1" data-count="0"' in page  # the closed risk is not counted
    assert "<title id=" in page and "<desc id=" in page


def test_heat_map_keeps_filters_in_cell_links(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    scored(org, officer, inherent=(3, 4), ai_systems=[system])
    scored(org, officer, inherent=(3, 4))
    page = body(client_for(officer).get(f"/risks/heat-map/?system={system.pk}"))
    assert f"system={system.pk}" in page
    assert 'data-cell="3,4" data-count="1"' in page


# --- AI system tabs and dashboard ----------------------------------------------------------------------


def test_system_page_gets_risks_and_impact_tabs(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    scored(org, officer, title="Bias in ranking", ai_systems=[system])
    client = client_for(officer)
    page = body(client.get(f"/inventory/systems/{system.pk}/?tab=risks"))
    assert 'data-testid="tab-risks"' in page and 'data-testid="tab-impact"' in page
    assert "Bias in ranking" in page and f"/risks/assessments/new/?system={system.pk}" in page
    page = body(client.get(f"/inventory/systems/{system.pk}/?tab=impact"))
    assert 'data-testid="impact-due"' in page and "No approved impact assessment yet." in page


def test_flagged_system_shows_its_impact_assessment_as_due(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    assessment = ImpactAssessmentFactory(ai_system=system, status=ImpactStatus.APPROVED, conclusion="Fine")
    client = client_for(officer)
    assert 'data-testid="impact-due"' not in body(client.get(f"/inventory/systems/{system.pk}/?tab=impact"))
    registry_services.ai_system_flag_reassessment(actor=officer, system=system, reason="New model version")
    assert "New model version" in body(client.get(f"/inventory/systems/{system.pk}/?tab=impact"))
    assert 'data-testid="impact-due-banner"' in body(client.get(f"/risks/impact-assessments/{assessment.pk}/"))
    assert 'data-testid="impact-due"' in body(client.get("/risks/impact-assessments/?due=true"))


def test_dashboard_shows_the_risk_panel(client_for, officer, org):
    scored(org, officer, inherent=(5, 5))
    page = body(client_for(officer).get("/"))
    assert "AI risks" in page and 'data-testid="stat-critical">1<' in page
    assert 'class="heat-map heat-map-compact"' in page


# --- Assessment workflow -------------------------------------------------------------------------------


def test_assessment_workflow_identify_analyse_evaluate_treat(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    client = client_for(officer)
    response = client.post(
        f"/risks/assessments/new/?system={system.pk}",
        {"ai_systems": [system.pk], "assessment_date": "2030-01-10", "owner": officer.pk, "assessors": [officer.pk]},
    )
    assessment = RiskAssessment.objects.get()
    workflow = f"/risks/assessments/{assessment.pk}/workflow/"
    assert response.url == f"{workflow}?step=identify"
    client.post(
        workflow,
        {
            "operation": "add_risk",
            "step": "identify",
            "new-title": "Gender bias",
            "new-risk_type": "risk",
            "new-category": "bias",
            "new-owner": officer.pk,
            "new-objectives": ["fairness"],
        },
    )
    risk = assessment.risks.get()
    assert list(risk.ai_systems.all()) == [system]
    client.post(
        workflow,
        {
            "operation": "analyse",
            "step": "analyse",
            "risk": risk.pk,
            f"{risk.reference}-inherent-likelihood": "4",
            f"{risk.reference}-inherent-impact": "4",
            f"{risk.reference}-existing_controls": "Recruiter review",
        },
    )
    client.post(
        workflow,
        {"operation": "evaluate", "step": "evaluate", "risk": risk.pk, f"{risk.reference}-treatment_option": "modify"},
    )
    client.post(
        workflow,
        {
            "operation": "add_action",
            "step": "treat",
            "risk": risk.pk,
            f"{risk.reference}-action-title": "Rebalance",
            f"{risk.reference}-action-owner": officer.pk,
        },
    )
    client.post(
        workflow,
        {
            "operation": "residual",
            "step": "treat",
            "risk": risk.pk,
            f"{risk.reference}-residual-likelihood": "2",
            f"{risk.reference}-residual-impact": "4",
        },
    )
    risk.refresh_from_db()
    assert (risk.inherent_level, risk.treatment_option, risk.residual_level) == ("high", "modify", "medium")
    assert risk.existing_controls == "Recruiter review" and risk.actions.count() == 1
    response = client.post(workflow, {"operation": "complete", "step": "treat", "conclusion": "One risk, treated"})
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert response.url == f"/risks/assessments/{assessment.pk}/?tab=risks"


def test_workflow_refuses_bad_scores_on_the_step(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    assessment = services.assessment_start(actor=officer, organisation=org, data={"ai_systems": [system]})
    risk = services.assessment_add_risk(actor=officer, assessment=assessment, data={"title": "Bias"})
    services.risk_score_inherent(actor=officer, risk=risk, likelihood=2, impact=2)
    response = client_for(officer).post(
        f"/risks/assessments/{assessment.pk}/workflow/",
        {
            "operation": "residual",
            "step": "treat",
            "risk": risk.pk,
            f"{risk.reference}-residual-likelihood": "4",
            f"{risk.reference}-residual-impact": "2",
        },
    )
    assert response.status_code == 200 and "cannot be above the inherent likelihood" in body(response)
    risk.refresh_from_db()
    assert risk.residual_level == ""


def test_every_workflow_step_renders(client_for, officer, org):
    assessment = services.assessment_start(
        actor=officer, organisation=org, data={"ai_systems": [AISystemFactory(organisation=org)]}
    )
    services.assessment_add_risk(actor=officer, assessment=assessment, data={"title": "Bias"})
    client = client_for(officer)
    for step in ("identify", "analyse", "evaluate", "treat"):
        page = body(client.get(f"/risks/assessments/{assessment.pk}/workflow/?step={step}"))
        assert f'aria-current="step" data-testid="step-{step}"' in page


def test_viewer_cannot_post_to_the_workflow(client_for, members, officer, org):
    assessment = services.assessment_start(
        actor=officer, organisation=org, data={"ai_systems": [AISystemFactory(organisation=org)]}
    )
    response = client_for(members["viewer"]).post(
        f"/risks/assessments/{assessment.pk}/workflow/", {"operation": "add_risk", "new-title": "X"}
    )
    assert response.status_code == 403 and not Risk.objects.exists()


# --- Impact assessments --------------------------------------------------------------------------------


def test_impact_assessment_pages_create_add_area_raise_and_approve(client_for, officer, org):
    system = AISystemFactory(organisation=org, business_owner=officer)
    client = client_for(officer)
    response = client.post(
        f"/risks/impact-assessments/new/?system={system.pk}",
        {"owner": officer.pk, "affected_individuals": "Applicants", "conclusion": "Acceptable with controls"},
    )
    assessment = ImpactAssessment.objects.get()
    assert response.status_code == 302 and assessment.version == 1
    client.post(
        f"/risks/impact-assessments/{assessment.pk}/areas/new/",
        {
            "area-area": "discrimination",
            "area-potential_impact": "Ranked lower",
            "area-severity": "severe",
            "area-likelihood": "likely",
            "area-reversibility": "hard_to_reverse",
        },
    )
    area = assessment.areas.get()
    response = client.post(f"/risks/impact-areas/{area.pk}/raise-risk/")
    area.refresh_from_db()
    assert response.url == f"/risks/{area.raised_risk_id}/"
    assert "Raised from impact assessments" in body(client.get(response.url))
    client.post(f"/risks/impact-assessments/{assessment.pk}/approve/")
    assessment.refresh_from_db()
    assert assessment.status == ImpactStatus.APPROVED


def test_impact_approval_refusal_is_explained(client_for, officer, org):
    assessment = ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org))
    client = client_for(officer)
    response = client.post(f"/risks/impact-assessments/{assessment.pk}/approve/", follow=True)
    assert "Write the conclusion before approving." in body(response)
    assessment.refresh_from_db()
    assert assessment.status == ImpactStatus.DRAFT


def test_new_impact_assessment_needs_a_system_of_the_organisation(client_for, officer, org, other_org):
    client = client_for(officer)
    AISystemFactory(organisation=org, name="Own system")
    AISystemFactory(organisation=other_org, name="Their system")
    chooser = body(client.get("/risks/impact-assessments/new/"))
    assert "Own system" in chooser and "Their system" not in chooser and "No approved impact assessment" in chooser
    foreign = AISystemFactory(organisation=other_org)
    assert client.get(f"/risks/impact-assessments/new/?system={foreign.pk}").status_code == 404


# --- Criteria ------------------------------------------------------------------------------------------


def _criteria_post(criteria, **changes):
    from risk.forms import CriteriaForm

    data = {k: ("" if v is None else v) for k, v in CriteriaForm.initial_from(criteria).items()}
    data["operation"] = "save"
    data.update(changes)
    return data


def test_criteria_editor_saves_cells_and_refuses_a_non_monotonic_matrix(client_for, officer, org):
    services.criteria_ensure(organisation=org, actor=officer)
    client = client_for(officer)
    response = client.post("/risks/criteria/new/")
    draft = RiskCriteria.objects.get(organisation=org, version=2)
    assert response.url == f"/risks/criteria/{draft.pk}/edit/"
    response = client.post(f"/risks/criteria/{draft.pk}/edit/", _criteria_post(draft, cell_5_5="low"))
    assert response.status_code == 200 and "never lower the level" in body(response)
    draft.refresh_from_db()
    assert draft.matrix["5,5"] == "critical"
    response = client.post(
        f"/risks/criteria/{draft.pk}/edit/",
        _criteria_post(draft, cell_3_3="high", cell_3_4="high", cell_4_3="high", appetite_approver=officer.pk),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.matrix["3,3"] == "high" and draft.appetite_approver == officer
    client.post(f"/risks/criteria/{draft.pk}/approve/")
    draft.refresh_from_db()
    assert draft.status == "approved"


def test_criteria_resize_and_rescore_all(client_for, officer, org):
    risk = scored(org, officer, inherent=(3, 3))
    client = client_for(officer)
    client.post("/risks/criteria/new/")
    draft = RiskCriteria.objects.get(organisation=org, version=2)
    client.post(f"/risks/criteria/{draft.pk}/edit/", {"operation": "resize", "n_likelihood": "4", "n_impact": "4"})
    draft.refresh_from_db()
    assert (draft.n_likelihood, draft.n_impact) == (4, 4)
    client.post(f"/risks/criteria/{draft.pk}/approve/")
    page = body(client.get(f"/risks/criteria/{draft.pk}/"))
    assert 'data-testid="rescore-all"' in page
    client.post(f"/risks/criteria/{draft.pk}/rescore/")
    risk.refresh_from_db()
    assert risk.criteria == draft


@pytest.mark.parametrize("role", ["contributor", "viewer", "auditor"])
def test_only_approvers_edit_criteria(client_for, members, officer, org, role):
    services.criteria_ensure(organisation=org, actor=officer)
    draft = services.criteria_new_version(actor=officer, organisation=org)
    client = client_for(members[role])
    assert client.post("/risks/criteria/new/").status_code == 403
    assert client.get(f"/risks/criteria/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/risks/criteria/{draft.pk}/approve/").status_code == 403


def test_outsider_gets_404_on_risk_pages(client_for, outsider, officer, org):
    risk = scored(org, officer)
    client = client_for(outsider)
    for url in (f"/risks/{risk.pk}/", f"/risks/{risk.pk}/?tab=scoring", f"/risks/{risk.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 404 and risk.reference not in body(response)
    assert client.post(f"/risks/{risk.pk}/accept/", {"comment": "mine"}).status_code == 404
    assessment = services.assessment_start(
        actor=officer,
        organisation=org,
        data={"ai_systems": list(risk.ai_systems.all()) or [AISystemFactory(organisation=org)]},
    )
    assert client.get(f"/risks/assessments/{assessment.pk}/workflow/?step=treat").status_code == 404
