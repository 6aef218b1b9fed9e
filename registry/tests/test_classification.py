"""The EU AI Act decision functions (registry.classification): one table per tier and route. No database."""

import pytest
import yaml

from registry import eu_ai_act
from registry.classification import (
    ANSWER_FIELDS,
    Answers,
    InvalidAnswers,
    classify,
    classify_data,
    parse_answers,
)
from registry.constants import EUTier

REF = eu_ai_act.reference()
HIGH_RISK_PROVIDER_ARTICLES = [
    "Art. 4",
    *(f"Art. {n}" for n in range(8, 22)),
    "Art. 43",
    "Art. 47",
    "Art. 48",
    "Art. 49",
    "Art. 72",
    "Art. 73",
]


def decide(**answers):
    answers.setdefault("operator_role", "provider")
    return classify(parse_answers(answers))


def obligation(result, article):
    return next(o for o in result.obligations if o.article == article)


def reason_answers(result):
    return [r.answer for r in result.reasons]


# --- The reference data file ------------------------------------------------------------------------


def test_reference_data_has_every_practice_area_point_and_case():
    assert len(REF.practices) == 8
    assert len(REF.annex_i_acts) == 20
    assert sorted({a.section for a in REF.annex_i_acts.values()}) == ["A", "B"]
    assert len(REF.annex_iii_areas) == 8
    assert len(REF.annex_iii_points) == 25
    assert set(REF.derogation_conditions) == {"a", "b", "c", "d"}
    assert set(REF.transparency_cases) == {
        "interacts_with_people",
        "generates_synthetic_content",
        "emotion_recognition_or_biometric_categorisation",
        "deep_fake_or_public_interest_text",
    }


def test_reference_articles_have_exactly_a_title_and_a_summary():
    raw = yaml.safe_load(eu_ai_act.DATA_FILE.read_text(encoding="utf-8"))
    for key, entry in raw["articles"].items():
        assert set(entry) == {"title", "summary"}, key
        assert entry["title"] and entry["summary"], key
    assert REF.article("15").title == "Accuracy, robustness and cybersecurity"


def test_reference_marks_the_omnibus_dates_as_pending_not_as_the_date():
    assert REF.dates["annex_iii"].date == "2026-08-02"
    assert REF.dates["annex_iii"].pending == "2027-12-02"
    assert REF.dates["annex_i"].date == "2027-08-02"
    assert REF.dates["annex_i"].pending == "2028-08-02"
    assert REF.dates["prohibited"].date == "2025-02-02"
    assert REF.dates["gpai"].date == "2025-08-02"
    assert REF.dates["transparency"].date == "2026-08-02"


# --- Prohibited (Art. 5) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("practice", "ref"),
    [
        ("manipulation", "Art. 5(1)(a)"),
        ("exploiting_vulnerabilities", "Art. 5(1)(b)"),
        ("social_scoring", "Art. 5(1)(c)"),
        ("predictive_policing_individuals", "Art. 5(1)(d)"),
        ("facial_scraping", "Art. 5(1)(e)"),
        ("emotion_recognition_work_education", "Art. 5(1)(f)"),
        ("biometric_categorisation_sensitive", "Art. 5(1)(g)"),
        ("realtime_rbi_law_enforcement", "Art. 5(1)(h)"),
    ],
)
def test_each_art5_practice_is_prohibited_whatever_else_applies(practice, ref):
    result = decide(prohibited_practice=practice, annex_iii_point="4(a)", art50_cases=["interacts_with_people"])

    assert result.tier == EUTier.PROHIBITED
    assert result.basis == ref
    assert result.articles == ["Art. 4", "Art. 5"]
    assert obligation(result, "Art. 5").applies_from == "2025-02-02"
    assert ref in obligation(result, "Art. 5").note
    assert ("prohibited_practice", practice) in [(r.answer, r.value) for r in result.reasons]


# --- High-risk through Annex I (Art. 6(1)) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("third_party", "tier", "deciding_answer"),
    [
        (True, EUTier.HIGH, "third_party_conformity"),
        (False, EUTier.MINIMAL, "third_party_conformity"),
    ],
)
def test_annex_i_product_is_high_risk_only_with_third_party_conformity(third_party, tier, deciding_answer):
    result = decide(annex_i_product=True, annex_i_act="medical_devices", third_party_conformity=third_party)

    assert result.tier == tier
    assert deciding_answer in reason_answers(result)
    if third_party:
        assert result.basis.startswith("Art. 6(1) and Annex I Section A")
        assert "Medical devices" in result.basis
        assert obligation(result, "Art. 9").applies_from == "2027-08-02"
        assert "2028-08-02" in obligation(result, "Art. 9").note
        assert "Art. 49" not in result.articles  # EU-database registration is for Annex III systems
        assert "own Annex I legislation" in obligation(result, "Art. 43").note
    else:
        assert "Art. 9" not in result.articles


def test_annex_i_section_b_product_gets_its_requirements_through_sector_rules():
    result = decide(annex_i_product=True, annex_i_act="motor_vehicles", third_party_conformity=True)

    assert result.tier == EUTier.HIGH
    assert "Section B" in result.basis
    assert "Arts 102-109" in result.articles
    assert "Art. 9" not in result.articles


# --- High-risk through Annex III (Art. 6(2)) --------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "area"),
    [
        ("1(a)", "Biometrics"),
        ("2(a)", "Critical infrastructure"),
        ("3(b)", "Education and vocational training"),
        ("4(a)", "Employment, workers management and access to self-employment"),
        ("5(b)", "Access to essential private services and essential public services and benefits"),
        ("6(c)", "Law enforcement"),
        ("7(c)", "Migration, asylum and border control management"),
        ("8(a)", "Administration of justice and democratic processes"),
    ],
)
def test_each_annex_iii_area_makes_the_system_high_risk(point, area):
    result = decide(annex_iii_point=point)

    assert result.tier == EUTier.HIGH
    assert result.basis == f"Art. 6(2) and Annex III point {point}"
    assert result.articles == HIGH_RISK_PROVIDER_ARTICLES
    assert obligation(result, "Art. 9").applies_from == "2026-08-02"
    assert "2027-12-02" in obligation(result, "Art. 9").note
    assert "pending" in obligation(result, "Art. 9").note
    annex_reason = next(r for r in result.reasons if r.answer == "annex_iii_point")
    assert annex_reason.value == point
    assert area in annex_reason.text


@pytest.mark.parametrize(
    ("point", "conformity_note", "registration_note"),
    [
        ("1(a)", "notified body", "EU database"),
        ("2(a)", "Internal control", "national level"),
        ("4(a)", "Internal control", "EU database"),
        ("6(b)", "Internal control", "non-public section"),
    ],
)
def test_conformity_route_and_registration_depend_on_the_annex_iii_point(point, conformity_note, registration_note):
    result = decide(annex_iii_point=point)

    assert conformity_note in obligation(result, "Art. 43").note
    assert registration_note in obligation(result, "Art. 49").note


# --- The Art. 6(3) derogation -----------------------------------------------------------------------


@pytest.mark.parametrize("condition", ["a", "b", "c", "d"])
def test_derogation_takes_an_annex_iii_system_out_of_high_risk_but_keeps_provider_duties(condition):
    result = decide(annex_iii_point="4(a)", derogation_condition=condition)

    assert result.tier == EUTier.MINIMAL
    assert result.basis == f"Art. 6(3)({condition}) derogation from Annex III point 4(a)"
    assert result.articles == ["Art. 4", "Art. 6(4)", "Art. 49(2)"]
    assert obligation(result, "Art. 6(4)").applies_from == "2026-08-02"
    assert ("derogation_condition", condition) in [(r.answer, r.value) for r in result.reasons]


def test_derogation_is_refused_when_the_system_profiles_people():
    result = decide(annex_iii_point="4(a)", derogation_condition="a", profiles_natural_persons=True)

    assert result.tier == EUTier.HIGH
    assert result.basis == "Art. 6(2) and Annex III point 4(a)"
    assert "Art. 6(4)" not in result.articles
    assert "Art. 9" in result.articles
    profiling = next(r for r in result.reasons if r.answer == "profiles_natural_persons")
    assert profiling.value == "yes"
    assert "not available" in profiling.text


def test_profiling_alone_does_not_make_a_system_high_risk():
    assert decide(profiles_natural_persons=True).tier == EUTier.MINIMAL


def test_derogation_for_a_deployer_adds_no_provider_duties():
    result = decide(operator_role="deployer", annex_iii_point="4(a)", derogation_condition="b")

    assert result.tier == EUTier.MINIMAL
    assert result.articles == ["Art. 4"]
    assert any("Art. 6(4)" in r.text for r in result.reasons)


def test_derogation_with_a_transparency_case_is_limited():
    result = decide(annex_iii_point="4(a)", derogation_condition="a", art50_cases=["interacts_with_people"])

    assert result.tier == EUTier.LIMITED
    assert result.basis == "Art. 50(1); Art. 6(3)(a) derogation from Annex III point 4(a)"
    assert {"Art. 6(4)", "Art. 49(2)", "Art. 50(1)"} <= set(result.articles)


def test_derogation_does_not_lift_the_annex_i_route():
    result = decide(
        annex_i_product=True,
        annex_i_act="machinery",
        third_party_conformity=True,
        annex_iii_point="4(b)",
        derogation_condition="a",
    )

    assert result.tier == EUTier.HIGH
    assert result.basis.startswith("Art. 6(1)")
    assert "Art. 6(4)" not in result.articles


# --- Transparency (Art. 50) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "role", "article"),
    [
        ("interacts_with_people", "provider", "Art. 50(1)"),
        ("generates_synthetic_content", "provider", "Art. 50(2)"),
        ("emotion_recognition_or_biometric_categorisation", "deployer", "Art. 50(3)"),
        ("deep_fake_or_public_interest_text", "deployer", "Art. 50(4)"),
    ],
)
def test_each_art50_case_alone_is_limited_with_its_duty_on_the_right_role(case, role, article):
    result = decide(operator_role=role, art50_cases=[case])

    assert result.tier == EUTier.LIMITED
    assert result.basis == article
    assert result.articles == ["Art. 4", article, "Art. 50(5)"]
    assert obligation(result, article).applies_from == "2026-08-02"
    assert ("art50_cases", case) in [(r.answer, r.value) for r in result.reasons]


def test_art50_duty_of_another_role_is_explained_not_listed():
    result = decide(operator_role="provider", art50_cases=["deep_fake_or_public_interest_text"])

    assert result.tier == EUTier.LIMITED
    assert result.articles == ["Art. 4"]
    assert any("falls on the deployer" in r.text for r in result.reasons)


def test_art50_marking_notes_the_reported_grace_period():
    result = decide(art50_cases=["generates_synthetic_content"])

    assert "2026-12-02" in obligation(result, "Art. 50(2)").note


def test_transparency_obligations_stack_on_high_risk():
    result = decide(annex_iii_point="4(a)", art50_cases=["interacts_with_people", "generates_synthetic_content"])

    assert result.tier == EUTier.HIGH
    assert {"Art. 9", "Art. 43", "Art. 50(1)", "Art. 50(2)", "Art. 50(5)"} <= set(result.articles)


def test_emotion_recognition_in_annex_iii_is_high_risk_and_its_deployer_must_inform():
    result = decide(
        operator_role="deployer",
        annex_iii_point="1(c)",
        art50_cases=["emotion_recognition_or_biometric_categorisation"],
    )

    assert result.tier == EUTier.HIGH
    assert {"Art. 26", "Art. 50(3)"} <= set(result.articles)


# --- General-purpose AI models (Chapter V) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("systemic", "articles", "basis"),
    [
        (False, ["Art. 4", "Art. 53"], "Art. 53 (general-purpose AI model)"),
        (
            True,
            ["Art. 4", "Art. 51", "Art. 52", "Art. 53", "Art. 55"],
            "Arts 51 and 55 (general-purpose AI model with systemic risk)",
        ),
    ],
)
def test_gpai_model_provider_gets_chapter_v_duties(systemic, articles, basis):
    result = decide(is_gpai_model=True, gpai_systemic_risk=systemic)

    assert result.tier == EUTier.GPAI
    assert result.basis == basis
    assert result.articles == articles
    assert obligation(result, "Art. 53").applies_from == "2025-08-02"
    assert "is_gpai_model" in reason_answers(result)
    assert ("gpai_systemic_risk" in reason_answers(result)) is systemic


def test_gpai_outranks_transparency_and_stacks_its_duties():
    result = decide(is_gpai_model=True, art50_cases=["generates_synthetic_content"])

    assert result.tier == EUTier.GPAI
    assert {"Art. 50(2)", "Art. 53"} <= set(result.articles)


def test_gpai_duties_fall_on_the_model_provider_not_a_deployer():
    result = decide(operator_role="deployer", is_gpai_model=True)

    assert result.tier == EUTier.GPAI
    assert result.articles == ["Art. 4"]


def test_systemic_risk_without_a_gpai_model_is_ignored():
    answers = parse_answers({"operator_role": "provider", "gpai_systemic_risk": True})

    assert answers.gpai_systemic_risk is False
    assert classify(answers).tier == EUTier.MINIMAL


# --- Minimal risk -----------------------------------------------------------------------------------


def test_nothing_applies_is_minimal_with_ai_literacy_and_every_no_named():
    result = decide()

    assert result.tier == EUTier.MINIMAL
    assert "Art. 95" in result.basis
    assert result.articles == ["Art. 4"]
    assert obligation(result, "Art. 4").applies_from == "2025-02-02"
    assert set(reason_answers(result)) >= {
        "operator_role",
        "prohibited_practice",
        "annex_i_product",
        "annex_iii_point",
        "art50_cases",
        "is_gpai_model",
    }


# --- Roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "act_role", "expected", "absent"),
    [
        ("provider", "provider", HIGH_RISK_PROVIDER_ARTICLES, ["Art. 26", "Art. 23", "Art. 24"]),
        ("developer", "provider", HIGH_RISK_PROVIDER_ARTICLES, ["Art. 26"]),
        ("deployer", "deployer", ["Art. 4", "Art. 25", "Art. 26", "Art. 86"], ["Art. 9", "Art. 27", "Art. 43"]),
        ("importer", "importer", ["Art. 23", "Art. 25"], ["Art. 4", "Art. 9", "Art. 26"]),
        ("distributor", "distributor", ["Art. 24", "Art. 25"], ["Art. 4", "Art. 9", "Art. 26"]),
    ],
)
def test_high_risk_obligations_follow_the_role(role, act_role, expected, absent):
    result = decide(operator_role=role, annex_iii_point="4(a)")

    assert result.operator_role == act_role
    assert result.articles == expected
    assert not set(absent) & set(result.articles)
    role_reason = result.reasons[0]
    assert (role_reason.answer, role_reason.value) == ("operator_role", role)


@pytest.mark.parametrize(
    ("point", "public", "fria"),
    [
        ("5(b)", False, True),  # credit scoring
        ("5(c)", False, True),  # life and health insurance pricing
        ("4(a)", False, False),
        ("4(a)", True, True),  # a public body or public-service provider
        ("2(a)", True, False),  # critical infrastructure: never
        ("2(a)", False, False),
    ],
)
def test_fundamental_rights_impact_assessment_for_deployers(point, public, fria):
    result = decide(operator_role="deployer", annex_iii_point=point, deployer_is_public_body_or_public_service=public)

    assert ("Art. 27" in result.articles) is fria
    assert ("Art. 86" in result.articles) is (point != "2(a)")


def test_fria_is_not_required_on_the_annex_i_route():
    result = decide(
        operator_role="deployer",
        annex_i_product=True,
        annex_i_act="lifts",
        third_party_conformity=True,
        deployer_is_public_body_or_public_service=True,
    )

    assert "Art. 26" in result.articles
    assert "Art. 27" not in result.articles


def test_public_deployer_is_reminded_to_register_its_use():
    result = decide(operator_role="deployer", annex_iii_point="5(a)", deployer_is_public_body_or_public_service=True)

    assert "49(3)" in obligation(result, "Art. 26").note


def test_obligations_have_title_summary_and_date():
    result = decide(annex_iii_point="4(a)", art50_cases=["interacts_with_people"], is_gpai_model=True)

    for item in result.obligations:
        assert item.title and item.summary, item
        assert len(item.applies_from) == 10 and item.applies_from.startswith("20"), item
    assert len(result.articles) == len(set(result.articles))


# --- Parsing the answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "bad_field"),
    [
        ({"operator_role": "owner"}, "operator_role"),
        ({}, "operator_role"),
        ({"operator_role": "provider", "prohibited_practice": "mind_control"}, "prohibited_practice"),
        ({"operator_role": "provider", "annex_iii_point": "9(z)"}, "annex_iii_point"),
        ({"operator_role": "provider", "annex_iii_point": "4(a)", "derogation_condition": "e"}, "derogation_condition"),
        ({"operator_role": "provider", "derogation_condition": "a"}, "derogation_condition"),
        ({"operator_role": "provider", "annex_i_product": True}, "annex_i_act"),
        ({"operator_role": "provider", "annex_i_product": True, "annex_i_act": "spaceships"}, "annex_i_act"),
        ({"operator_role": "provider", "art50_cases": ["telepathy"]}, "art50_cases"),
        ({"operator_role": "provider", "art50_cases": "interacts_with_people"}, "art50_cases"),
        ({"operator_role": "provider", "is_gpai_model": "maybe"}, "is_gpai_model"),
        ({"operator_role": "provider", "favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(answers, bad_field):
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(answers)

    assert bad_field in caught.value.errors


@pytest.mark.parametrize("none", [None, "", "none"])
def test_none_of_these_may_be_given_as_null_empty_or_none(none):
    answers = parse_answers({"operator_role": "deployer", "prohibited_practice": none, "annex_iii_point": none})

    assert answers.prohibited_practice is None
    assert answers.annex_iii_point is None


def test_answers_of_an_unanswered_parent_question_are_dropped():
    answers = parse_answers({"operator_role": "provider", "annex_i_act": "toys", "third_party_conformity": True})

    assert answers == Answers(operator_role="provider")


def test_parsed_answers_round_trip_through_their_dict():
    answers, result = classify_data(
        {"operator_role": "provider", "annex_iii_point": "4(a)", "art50_cases": ["interacts_with_people"] * 2}
    )

    assert answers.art50_cases == ("interacts_with_people",)
    assert set(answers.as_dict()) == set(ANSWER_FIELDS)
    assert parse_answers(answers.as_dict()) == answers
    assert classify(parse_answers(answers.as_dict())) == result


def test_every_reason_names_a_question_in_words():
    result = decide(annex_iii_point="4(a)", derogation_condition="a", profiles_natural_persons=True)

    for reason in result.reasons:
        assert reason.answer in ANSWER_FIELDS
        assert reason.question and reason.question != reason.answer
