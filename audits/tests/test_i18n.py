"""German for organisations that read AIMS in German: the minutes PDF follows the organisation's language
whoever downloads it, built-in KPI names are translated while they are the catalogue's own, and the default
language stays English."""

import io

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

import accounts.locale
from audits import services
from audits.builtin_kpis import BUILTINS, catalogue_text
from audits.charts import fmt
from audits.reports import review_minutes_pdf
from audits.tests.factories import KPIFactory, NonconformityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(monkeypatch, org):
    """``org`` reads AIMS in German (its language field is added by the accounts work; patched here)."""
    real = accounts.locale.language_for

    def language_for(*, user=None, organisation=None):
        if organisation is not None and organisation.pk == org.pk:
            return "de"
        return real(user=user, organisation=organisation)

    monkeypatch.setattr(accounts.locale, "language_for", language_for)


def _held_review(org, officer, members):
    review = services.review_create(
        actor=officer,
        organisation=org,
        data={"title": "Q3 review", "planned_date": timezone.localdate(), "chair": members["admin"]},
    )
    NonconformityFactory(organisation=org, title="Model card missing")
    review = services.review_prepare(actor=officer, review=review)
    return services.review_hold(
        actor=officer,
        review=review,
        held_on=timezone.localdate(),
        minutes="",
        conclusions="Still suitable.",
        top_management_present=True,
    )


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_minutes_of_a_german_organisation_have_german_headings(german, org, officer, members):
    review = _held_review(org, officer, members)
    with translation.override("en-gb"):  # the person downloading reads English; the record is the organisation's
        text = _text(review_minutes_pdf(review))
        assert translation.get_language() == "en-gb", "the override ends with the rendering"
    for heading in ("Managementbewertung", "Entscheidungen und Maßnahmen", "Bewertete Eingaben", "Oberste Leitung"):
        assert heading in text
    assert "c. Nichtkonformitäten und Korrekturmaßnahmen" in text
    assert "Seite 1 von" in text, "the page footer of the print stylesheet is translated too"
    assert "Decisions and actions" not in text and "Inputs reviewed" not in text
    # Data stays as entered.
    assert "Model card missing" in text and "Still suitable." in text


def test_minutes_of_an_english_organisation_stay_english(org, officer, members):
    text = _text(review_minutes_pdf(_held_review(org, officer, members)))
    assert "Decisions and actions" in text and "Page 1 of" in text
    assert "Entscheidungen und Maßnahmen" not in text


def test_builtin_kpi_names_are_translated_custom_names_are_not(org):
    builtin = BUILTINS["evidence_expired"]
    kpi = KPIFactory(organisation=org, kind="builtin", builtin_key="evidence_expired", name=builtin.name)
    custom = KPIFactory(organisation=org, name="Expired evidence")  # same words, typed by the organisation
    renamed = KPIFactory(organisation=org, kind="builtin", builtin_key="overdue_corrective_actions", name="Late CAs")
    with translation.override("de"):
        assert kpi.display_name == "Abgelaufene Nachweise"
        assert catalogue_text(builtin.definition) == "Nachweise, deren Ablaufdatum überschritten ist."
        assert renamed.display_name == "Late CAs"
        assert fmt(3, "days") == "3 Tage" and fmt(1, "days") == "1 Tag" and fmt(2, "cases") == "2 cases"
    # The catalogue's own name reads the same in English; a custom KPI with those words is shown as typed.
    assert kpi.display_name == custom.display_name == "Expired evidence"
    assert fmt(1, "days") == "1 day" and fmt(1, "cases") == "1 case"


def test_service_errors_follow_the_active_language(org, officer):
    with translation.override("de"), pytest.raises(services.ServiceError) as err:
        services.programme_create(actor=officer, organisation=org, data={"title": ""})
    assert "Geben Sie dem Programm einen Titel." in " ".join(err.value.messages)
