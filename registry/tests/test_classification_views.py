"""The EU AI Act questionnaire page and the classification tab of an AI system."""

import pytest

from registry import services
from registry.constants import EUTier
from registry.models import Classification
from registry.tests.factories import AISystemFactory, ClassificationFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

FORM = {
    "operator_role": "provider",
    "prohibited_practice": "none",
    "annex_iii_point": "4(a)",
    "derogation_condition": "none",
    "art50_cases": ["interacts_with_people"],
}


@pytest.fixture
def system(org):
    return AISystemFactory(organisation=org, name="TalentMatch CV ranking", operator_role="deployer")


def url(system):
    return f"/inventory/systems/{system.pk}/classify/"


def test_form_renders_with_the_questions_and_the_systems_role(client_for, officer, system):
    response = client_for(officer).get(url(system))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Classify AIS-001 TalentMatch CV ranking under the EU AI Act" in html
    assert "None of these" in html
    assert '<optgroup label="4. Employment, workers management and access to self-employment">' in html
    assert 'value="4(a)"' in html
    assert "Art. 5(1)(c) Social scoring" in html
    assert response.context["form"].initial["operator_role"] == "deployer"


def test_form_is_prefilled_from_the_current_classification(client_for, officer, system):
    services.ai_system_classify(actor=officer, system=system, answers={**FORM, "art50_cases": []})

    form = client_for(officer).get(url(system)).context["form"]

    assert form.initial["annex_iii_point"] == "4(a)"
    assert form.initial["operator_role"] == "provider"


def test_post_classifies_and_shows_the_result_on_the_tab(client_for, officer, system):
    client = client_for(officer)
    response = client.post(url(system), FORM)

    assert response.status_code == 302
    assert response.url == f"/inventory/systems/{system.pk}/?tab=classification"
    classification = Classification.objects.get(ai_system=system)
    assert classification.tier == EUTier.HIGH
    assert classification.answers["art50_cases"] == ["interacts_with_people"]

    page = client.get(response.url).content.decode()
    assert "High-risk (Art. 6)" in page
    assert "Art. 6(2) and Annex III point 4(a)" in page
    assert "Art. 9" in page and "Art. 43" in page and "Art. 50(1)" in page
    assert "2026-08-02" in page and "2027-12-02" in page
    assert "High-risk use (Annex III): 4(a)." in page
    assert "Reclassify" in page


def test_tab_lists_earlier_classifications(client_for, officer, system):
    services.ai_system_classify(actor=officer, system=system, answers=FORM)
    services.ai_system_classify(actor=officer, system=system, answers={"operator_role": "provider"})

    page = client_for(officer).get(f"/inventory/systems/{system.pk}/?tab=classification").content.decode()

    assert "Earlier classifications" in page
    assert page.index("Minimal risk") < page.index("Earlier classifications") < page.rindex("High-risk (Art. 6)")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"annex_iii_point": "9(z)"}, "annex_iii_point"),
        ({"prohibited_practice": "mind_control"}, "prohibited_practice"),
        ({"operator_role": ""}, "operator_role"),
        ({"annex_iii_point": "", "derogation_condition": "a"}, "derogation_condition"),
        ({"annex_i_product": "on"}, "annex_i_act"),
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(client_for, officer, system, changes, field):
    response = client_for(officer).post(url(system), {**FORM, **changes})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Please correct the answers marked below." in response.content.decode()
    assert not Classification.objects.exists()
    system.refresh_from_db()
    assert system.eu_tier == EUTier.UNCLASSIFIED


@pytest.mark.parametrize("role", ["viewer", "auditor", "admin"])
def test_roles_that_may_not_change_get_403(client_for, members, system, role):
    client = client_for(members[role])

    assert client.get(url(system)).status_code == 403
    assert client.post(url(system), FORM).status_code == 403
    assert not Classification.objects.exists()


def test_viewer_sees_the_tab_without_the_classify_buttons(client_for, members, officer, system):
    services.ai_system_classify(actor=officer, system=system, answers=FORM)

    page = client_for(members["viewer"]).get(f"/inventory/systems/{system.pk}/?tab=classification")

    html = page.content.decode()
    assert "High-risk (Art. 6)" in html
    assert url(system) not in html


def test_officer_sees_the_classify_action_on_the_system_page(client_for, officer, system):
    html = client_for(officer).get(f"/inventory/systems/{system.pk}/").content.decode()

    assert "Classify under the EU AI Act" in html
    assert url(system) in html


def test_contributor_may_classify_only_systems_they_own(client_for, members, org):
    contributor = members["contributor"]
    own = AISystemFactory(organisation=org, business_owner=contributor)
    other = AISystemFactory(organisation=org)
    client = client_for(contributor)

    assert client.post(url(own), FORM).status_code == 302
    assert client.post(url(other), FORM).status_code == 403


def test_outsider_gets_404(client_for, outsider, system):
    client = client_for(outsider)

    assert client.get(url(system)).status_code == 404
    assert client.post(url(system), FORM).status_code == 404
    assert client.get(f"/inventory/systems/{system.pk}/?tab=classification").status_code == 404
    assert not Classification.objects.exists()


def test_classification_tab_costs_the_same_queries_for_5_and_50_classifications(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    assert_queries_do_not_grow(
        lambda n: ClassificationFactory.create_batch(n, ai_system=system, classified_by=officer),
        [(client_for(officer), f"/inventory/systems/{system.pk}/", {"tab": "classification"})],
    )
