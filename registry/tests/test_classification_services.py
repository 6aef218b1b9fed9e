"""ai_system_classify: records the classification, updates the tier, keeps the earlier ones."""

import pytest

from registry import services
from registry.constants import EUTier
from registry.models import AISystem, Classification
from registry.tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

EMPLOYMENT = {"operator_role": "provider", "annex_iii_point": "4(a)"}


@pytest.fixture
def system(org):
    return AISystemFactory(organisation=org, name="TalentMatch CV ranking", operator_role="developer")


def test_classify_records_the_result_and_sets_the_tier(system, officer):
    classification = services.ai_system_classify(actor=officer, system=system, answers=EMPLOYMENT)

    assert classification.organisation == system.organisation
    assert classification.ai_system == system
    assert classification.tier == EUTier.HIGH
    assert classification.basis == "Art. 6(2) and Annex III point 4(a)"
    assert classification.operator_role == "provider"
    assert classification.classified_by == officer
    assert classification.answers["annex_iii_point"] == "4(a)"
    articles = [o["article"] for o in classification.obligations]
    assert {"Art. 9", "Art. 17", "Art. 43", "Art. 49", "Art. 72", "Art. 73"} <= set(articles)
    assert all({"article", "title", "summary", "applies_from", "note"} <= set(o) for o in classification.obligations)
    assert any(r["answer"] == "annex_iii_point" and r["value"] == "4(a)" for r in classification.reasons)

    system.refresh_from_db()
    assert system.eu_tier == EUTier.HIGH
    latest = system.history.first()
    assert latest.history_user == officer
    assert latest.history_change_reason == "Classified under the EU AI Act: High-risk (Art. 6)"
    assert classification.history.get().history_user == officer


def test_reclassifying_keeps_the_earlier_classification(system, officer):
    first = services.ai_system_classify(actor=officer, system=system, answers=EMPLOYMENT)
    second = services.ai_system_classify(
        actor=officer, system=system, answers={**EMPLOYMENT, "derogation_condition": "a"}
    )

    rows = list(Classification.objects.filter(ai_system=system))
    assert rows == [second, first]  # newest first
    assert [r.tier for r in rows] == [EUTier.MINIMAL, EUTier.HIGH]
    system.refresh_from_db()
    assert system.eu_tier == EUTier.MINIMAL
    tiers_in_history = [h.eu_tier for h in system.history.order_by("history_date", "history_id")]
    assert tiers_in_history[-2:] == [EUTier.HIGH, EUTier.MINIMAL]


def test_missing_role_defaults_to_the_systems_role_as_the_act_sees_it(system, officer):
    classification = services.ai_system_classify(actor=officer, system=system, answers={"annex_iii_point": "4(a)"})

    assert classification.answers["operator_role"] == "developer"
    assert classification.operator_role == "provider"


def test_a_role_with_no_obligations_is_recorded(system, officer):
    classification = services.ai_system_classify(actor=officer, system=system, answers={"operator_role": "importer"})

    assert classification.tier == EUTier.MINIMAL
    assert classification.obligations == []


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"operator_role": "landlord"}, "operator_role"),
        ({"annex_iii_point": "42"}, "annex_iii_point"),
        ({"colour": "blue"}, "colour"),
        ({"derogation_condition": "a"}, "derogation_condition"),
        ({"annex_i_product": "yes please"}, "annex_i_product"),
    ],
)
def test_bad_answers_raise_a_service_error_naming_the_field_and_save_nothing(system, officer, answers, field):
    with pytest.raises(services.ServiceError) as caught:
        services.ai_system_classify(actor=officer, system=system, answers=answers)

    assert field in caught.value.message_dict
    assert not Classification.objects.exists()
    assert AISystem.objects.get(pk=system.pk).eu_tier == EUTier.UNCLASSIFIED


def test_answers_must_be_an_object(system, officer):
    with pytest.raises(services.ServiceError):
        services.ai_system_classify(actor=officer, system=system, answers=["annex_iii_point"])
