"""POST /api/v1/ai-systems/{id}/classify/ and GET /api/v1/ai-systems/{id}/classifications/."""

import pytest

from registry import services
from registry.constants import EUTier
from registry.models import Classification
from registry.tests.factories import AISystemFactory, ClassificationFactory
from tests.query_budget import MANY_ROWS, assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

EMPLOYMENT = {"operator_role": "provider", "annex_iii_point": "4(a)", "art50_cases": ["interacts_with_people"]}


@pytest.fixture
def system(org):
    return AISystemFactory(organisation=org, name="TalentMatch CV ranking")


def classify_url(system):
    return f"/api/v1/ai-systems/{system.pk}/classify/"


def list_url(system):
    return f"/api/v1/ai-systems/{system.pk}/classifications/"


def test_classify_returns_the_classification(api_for, officer, org, system):
    response = api_for(officer, org).post(classify_url(system), EMPLOYMENT, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ai_system"] == system.reference
    assert body["tier"] == "high"
    assert body["basis"] == "Art. 6(2) and Annex III point 4(a)"
    assert body["operator_role"] == "provider"
    assert body["classified_by"] == officer.username
    articles = {o["article"]: o for o in body["obligations"]}
    assert {"Art. 9", "Art. 43", "Art. 50(1)"} <= set(articles)
    assert articles["Art. 9"]["applies_from"] == "2026-08-02"
    assert "2027-12-02" in articles["Art. 9"]["note"]
    assert body["answers"]["annex_iii_point"] == "4(a)"
    assert body["answers"]["prohibited_practice"] is None
    assert any(r["answer"] == "annex_iii_point" and r["value"] == "4(a)" for r in body["reasons"])
    system.refresh_from_db()
    assert system.eu_tier == EUTier.HIGH


def test_classifications_are_listed_newest_first(api_for, officer, org, system):
    services.ai_system_classify(actor=officer, system=system, answers=EMPLOYMENT)
    services.ai_system_classify(actor=officer, system=system, answers={"operator_role": "provider"})

    response = api_for(officer, org, read_only=True).get(list_url(system))

    assert response.status_code == 200
    assert [c["tier"] for c in response.json()] == ["minimal", "high"]


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"annex_iii_point": "9(z)"}, "annex_iii_point"),
        ({"operator_role": "owner"}, "operator_role"),
        ({"art50_cases": ["telepathy"]}, "art50_cases"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"derogation_condition": "a"}, "derogation_condition"),  # no Annex III point: refused by the service
        ({"annex_i_product": True}, "annex_i_act"),
    ],
)
def test_bad_answers_are_400_with_field_errors(api_for, officer, org, system, answers, field):
    response = api_for(officer, org).post(classify_url(system), answers, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Classification.objects.exists()


def test_outsider_gets_404(api_for, outsider, other_org, system):
    api = api_for(outsider, other_org)

    assert api.post(classify_url(system), EMPLOYMENT, format="json").status_code == 404
    assert api.get(list_url(system)).status_code == 404
    assert not Classification.objects.exists()


def test_read_only_token_gets_403(api_for, officer, org, system):
    response = api_for(officer, org, read_only=True).post(classify_url(system), EMPLOYMENT, format="json")

    assert response.status_code == 403
    assert not Classification.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_roles_that_may_not_change_get_403(api_for, members, org, system, role):
    response = api_for(members[role], org).post(classify_url(system), EMPLOYMENT, format="json")

    assert response.status_code == 403


def test_contributor_may_not_classify_a_system_they_do_not_own(api_for, members, org, system):
    response = api_for(members["contributor"], org).post(classify_url(system), EMPLOYMENT, format="json")

    assert response.status_code == 403


def test_list_costs_the_same_queries_for_5_and_50_classifications(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    api = api_for(officer, org)
    assert_queries_do_not_grow(
        lambda n: ClassificationFactory.create_batch(n, ai_system=system, classified_by=officer),
        [(api, list_url(system))],
    )
    assert len(api.get(list_url(system)).json()) == MANY_ROWS
