"""The risk API: CRUD through services, transitions as actions, errors, permissions, isolation, query counts."""

import pytest

from registry import services as registry_services
from registry.tests.factories import AISystemFactory
from risk import services
from risk.constants import RiskStatus
from risk.models import ImpactAssessment, Risk, RiskAssessment, RiskCriteria
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


def create_risk(api, **data):
    return api.post("/api/v1/risks/", {"title": "Gender bias", **data}, format="json")


def test_create_a_scored_risk_with_systems_objectives_and_owner(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    response = create_risk(
        api_for(officer, org),
        ai_systems=[system.reference],
        objectives=["fairness", "accountability"],
        risk_source="machine_learning",
        owner=officer.username,
        inherent_likelihood=4,
        inherent_impact=4,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reference"], body["inherent_level"], body["status"]) == ("RSK-001", "high", "assessed")
    assert body["ai_systems"] == [system.reference] and body["objectives"] == ["fairness", "accountability"]
    assert body["criteria_version"] == 1 and body["owner"] == officer.username


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"inherent_likelihood": 9, "inherent_impact": 2}, "inherent_likelihood"),
        (
            {"inherent_likelihood": 2, "inherent_impact": 2, "residual_likelihood": 3, "residual_impact": 1},
            "residual_likelihood",
        ),
        ({"objectives": ["world_peace"]}, "objectives"),
        ({"risk_source": "aliens"}, "risk_source"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(api_for, officer, org, payload, field):
    response = create_risk(api_for(officer, org), **payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


def test_foreign_system_reference_is_refused(api_for, officer, org, other_org):
    foreign = AISystemFactory(organisation=other_org)
    response = create_risk(api_for(officer, org), ai_systems=[foreign.reference])
    assert response.status_code == 400 and "ai_systems" in response.json()


def test_score_treat_act_and_accept_through_actions(api_for, officer, org):
    api = api_for(officer, org)
    risk = create_risk(api, owner=officer.username).json()
    url = f"/api/v1/risks/{risk['id']}"
    assert (
        api.post(f"{url}/score-inherent/", {"likelihood": 4, "impact": 4}, format="json").json()["inherent_level"]
        == "high"
    )
    assert api.post(f"{url}/treatment/", {"treatment_option": "modify"}, format="json").json()["status"] == (
        "treatment_planned"
    )
    action = api.post(
        "/api/v1/treatment-actions/",
        {"risk": risk["reference"], "title": "Rebalance", "owner": officer.username, "due_date": "2030-01-01"},
        format="json",
    )
    assert action.status_code == 201, action.json()
    bad = api.post(f"{url}/score-residual/", {"likelihood": 5, "impact": 4}, format="json")
    assert bad.status_code == 400 and "residual_likelihood" in bad.json()
    assert api.post(f"{url}/score-residual/", {"likelihood": 2, "impact": 4}, format="json").status_code == 200
    done = api.post(f"/api/v1/treatment-actions/{action.json()['id']}/complete/", {"note": "Done"}, format="json")
    assert done.json()["status"] == "done"
    assert api.get(f"{url}/").json()["status"] == "treated"
    accepted = api.post(f"{url}/accept/", {"comment": "Monitored"}, format="json")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["accepted_level"]) == ("accepted", "medium")


def test_accepting_above_appetite_needs_the_named_approver(api_for, members, officer, org):
    contributor = members["contributor"]
    draft = services.criteria_new_version(actor=officer, organisation=org)
    services.criteria_update(actor=officer, criteria=draft, data={"appetite_approver": officer})
    services.criteria_approve(actor=officer, criteria=draft)
    risk = services.risk_create(
        actor=contributor,
        organisation=org,
        data={"title": "Bias", "owner": contributor, "inherent_likelihood": 4, "inherent_impact": 4},
    )
    api = api_for(contributor, org)
    url = f"/api/v1/risks/{risk.pk}/accept/"
    refused = api.post(url, {"comment": "OK"}, format="json")
    assert refused.status_code == 400 and "approver" in refused.json()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED
    accepted = api.post(url, {"comment": "Board approved", "approver": officer.username}, format="json")
    assert accepted.status_code == 200 and accepted.json()["acceptance_approver"] == officer.username


def test_closing_with_open_actions_is_a_400(api_for, officer, org):
    risk = services.risk_create(actor=officer, organisation=org, data={"title": "Bias"})
    action = services.treatment_action_add(actor=officer, risk=risk, data={"title": "Fix"})
    response = api_for(officer, org).post(f"/api/v1/risks/{risk.pk}/close/", {"reason": "Gone"}, format="json")
    assert response.status_code == 400 and action.reference in str(response.json())
    risk.refresh_from_db()
    assert risk.status != RiskStatus.CLOSED


def test_rescore_with_new_scores_and_conflict_when_current(api_for, officer, org):
    risk = services.risk_create(
        actor=officer, organisation=org, data={"title": "Bias", "inherent_likelihood": 5, "inherent_impact": 5}
    )
    api = api_for(officer, org)
    assert api.post(f"/api/v1/risks/{risk.pk}/rescore/", {}, format="json").status_code == 409
    draft = services.criteria_new_version(actor=officer, organisation=org)
    services.criteria_resize(actor=officer, criteria=draft, n_likelihood=3, n_impact=3)
    services.criteria_approve(actor=officer, criteria=draft)
    assert api.post(f"/api/v1/risks/{risk.pk}/rescore/", {}, format="json").status_code == 400
    response = api.post(f"/api/v1/risks/{risk.pk}/rescore/", {"inherent": [3, 3]}, format="json")
    assert response.status_code == 200 and response.json()["criteria_version"] == 2


@pytest.mark.parametrize("role", ["viewer", "auditor", "admin"])
def test_read_only_roles_cannot_accept_or_score(api_for, members, officer, org, role):
    risk = services.risk_create(
        actor=officer, organisation=org, data={"title": "Bias", "inherent_likelihood": 1, "inherent_impact": 1}
    )
    api = api_for(members[role], org)
    assert api.post(f"/api/v1/risks/{risk.pk}/accept/", {"comment": "x"}, format="json").status_code == 403
    assert (
        api.post(f"/api/v1/risks/{risk.pk}/score-inherent/", {"likelihood": 5, "impact": 5}, format="json").status_code
        == 403
    )


def test_read_only_token_cannot_accept(api_for, officer, org):
    risk = services.risk_create(
        actor=officer, organisation=org, data={"title": "Bias", "inherent_likelihood": 1, "inherent_impact": 1}
    )
    api = api_for(officer, org, read_only=True)
    assert api.get(f"/api/v1/risks/{risk.pk}/").status_code == 200
    assert api.post(f"/api/v1/risks/{risk.pk}/accept/", {"comment": "x"}, format="json").status_code == 403


def test_outsider_gets_404_on_every_risk_record(api_for, outsider, other_org, org, officer):
    risk = RiskFactory(organisation=org)
    records = {
        "risks": risk,
        "treatment-actions": TreatmentActionFactory(risk=risk),
        "risk-assessments": RiskAssessmentFactory(organisation=org),
        "impact-assessments": ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org)),
        "impact-areas": ImpactAreaFactory(
            impact_assessment=ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org))
        ),
        "risk-criteria": RiskCriteriaFactory(organisation=org),
    }
    api = api_for(outsider, other_org)
    for path, record in records.items():
        assert api.get(f"/api/v1/{path}/{record.pk}/").status_code == 404
        assert api.get(f"/api/v1/{path}/").json()["results"] == []


def test_filters_are_shared_with_the_register(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    services.risk_create(
        actor=officer,
        organisation=org,
        data={"title": "A", "ai_systems": [system], "inherent_likelihood": 4, "inherent_impact": 4},
    )
    services.risk_create(
        actor=officer, organisation=org, data={"title": "B", "inherent_likelihood": 1, "inherent_impact": 1}
    )
    api = api_for(officer, org)
    assert [r["title"] for r in api.get(f"/api/v1/risks/?system={system.pk}").json()["results"]] == ["A"]
    assert [r["title"] for r in api.get("/api/v1/risks/?level=low").json()["results"]] == ["B"]
    assert [
        r["title"] for r in api.get("/api/v1/risks/?inherent_likelihood=4&inherent_impact=4").json()["results"]
    ] == ["A"]
    assert api.get("/api/v1/risks/?level=extreme").status_code == 400


# --- Assessments, impact assessments, criteria ---------------------------------------------------------


def test_start_complete_and_approve_an_assessment(api_for, officer, members, org):
    system = AISystemFactory(organisation=org)
    risk = services.risk_create(
        actor=officer,
        organisation=org,
        data={"title": "Bias", "ai_systems": [system], "inherent_likelihood": 2, "inherent_impact": 2},
    )
    api = api_for(officer, org)
    created = api.post(
        "/api/v1/risk-assessments/", {"ai_systems": [system.reference], "assessors": [officer.username]}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["risks"] == [risk.reference] and body["criteria_version"] == 1
    url = f"/api/v1/risk-assessments/{body['id']}"
    assert api.post(f"{url}/complete/", {}, format="json").status_code == 400  # no conclusion
    assert api.post(f"{url}/complete/", {"conclusion": "Low risk"}, format="json").json()["status"] == "completed"
    assert api_for(members["contributor"], org).post(f"{url}/approve/").status_code == 403
    approved = api.post(f"{url}/approve/")
    assert approved.status_code == 200 and approved.json()["approved_by"] == officer.username
    assert approved.json()["snapshot"][0]["reference"] == risk.reference


def test_assessment_needs_systems(api_for, officer, org):
    response = api_for(officer, org).post("/api/v1/risk-assessments/", {"ai_systems": []}, format="json")
    assert response.status_code == 400 and "ai_systems" in response.json()
    assert not RiskAssessment.objects.exists()


def test_impact_assessment_areas_raise_risk_and_approve(api_for, officer, org):
    system = AISystemFactory(organisation=org, business_owner=officer)
    registry_services.ai_system_flag_reassessment(actor=officer, system=system, reason="New model")
    api = api_for(officer, org)
    created = api.post(
        "/api/v1/impact-assessments/",
        {
            "ai_system": system.reference,
            "affected_groups": "Women applicants",
            "conclusion": "Acceptable",
            "is_dpia": True,
            "dpia_reference": "DPIA-7",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assessment = created.json()
    area = api.post(
        "/api/v1/impact-areas/",
        {
            "impact_assessment": assessment["reference"],
            "area": "discrimination",
            "potential_impact": "Ranked lower",
            "severity": "severe",
        },
        format="json",
    )
    assert area.status_code == 201 and area.json()["significant"] is True
    raised = api.post(f"/api/v1/impact-areas/{area.json()['id']}/raise-risk/")
    assert raised.status_code == 201 and raised.json()["category"] == "bias"
    assert api.post(f"/api/v1/impact-areas/{area.json()['id']}/raise-risk/").status_code == 409
    detail = api.get(f"/api/v1/impact-assessments/{assessment['id']}/").json()
    assert detail["areas"][0]["raised_risk"] == raised.json()["reference"]
    approved = api.post(
        f"/api/v1/impact-assessments/{assessment['id']}/approve/", {"clear_reassessment": True}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    system.refresh_from_db()
    assert not system.reassessment_required
    second = api.post(f"/api/v1/impact-assessments/{assessment['id']}/new-version/")
    assert second.status_code == 200 and second.json()["version"] == 2 and len(second.json()["areas"]) == 1


def test_approved_impact_assessment_is_not_edited(api_for, officer, org):
    assessment = ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org), status="approved")
    response = api_for(officer, org).patch(
        f"/api/v1/impact-assessments/{assessment.pk}/", {"conclusion": "x"}, format="json"
    )
    assert response.status_code == 409
    assert ImpactAssessment.objects.get().conclusion == ""


def test_criteria_versions_through_the_api(api_for, officer, members, org):
    api = api_for(officer, org)
    assert api.get("/api/v1/risk-criteria/current/").status_code == 404
    draft = api.post("/api/v1/risk-criteria/", {"name": "Our criteria", "appetite": "high"}, format="json")
    assert draft.status_code == 201, draft.json()
    body = draft.json()
    assert (body["version"], body["status"], body["appetite"]) == (2, "draft", "high")
    assert body["matrix"]["5,5"] == "critical"
    url = f"/api/v1/risk-criteria/{body['id']}/"
    bad = api.patch(url, {"matrix": {**body["matrix"], "5,5": "low"}}, format="json")
    assert bad.status_code == 400 and "never lower" in str(bad.json()["matrix"])
    assert api.post("/api/v1/risk-criteria/", {}, format="json").status_code == 409
    assert api_for(members["contributor"], org).patch(url, {"name": "Mine"}, format="json").status_code == 403
    assert api.post(f"{url}approve/").json()["status"] == "approved"
    assert api.get("/api/v1/risk-criteria/current/").json()["version"] == 2
    assert RiskCriteria.objects.get(organisation=org, version=1).status == "superseded"


# --- Query counts -------------------------------------------------------------------------------------


def _rows(org, officer, n):
    system = AISystemFactory(organisation=org)
    for _ in range(n):
        risk = RiskFactory(
            organisation=org, owner=officer, inherent_likelihood=3, inherent_impact=3, ai_systems=[system]
        )
        TreatmentActionFactory(risk=risk, owner=officer)
        assessment = RiskAssessmentFactory(organisation=org, owner=officer, ai_systems=[system])
        assessment.risks.add(risk)
        assessment.assessors.add(officer)
        area = ImpactAreaFactory(impact_assessment=ImpactAssessmentFactory(ai_system=AISystemFactory(organisation=org)))
        area.raised_risk = risk
        area.save()
        RiskCriteriaFactory(organisation=org, status="superseded", appetite_approver=officer)


def test_list_endpoints_cost_the_same_queries_for_5_and_50_rows(api_for, officer, org):
    api = api_for(officer, org)
    assert_queries_do_not_grow(
        lambda n: _rows(org, officer, n),
        [
            (api, "/api/v1/risks/"),
            (api, "/api/v1/treatment-actions/"),
            (api, "/api/v1/risk-assessments/"),
            (api, "/api/v1/impact-assessments/"),
            (api, "/api/v1/impact-areas/"),
            (api, "/api/v1/risk-criteria/"),
        ],
    )
