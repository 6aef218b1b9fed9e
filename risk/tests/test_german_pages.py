"""The risk pages and My reviews render in German for a German reader: headings, table headers, choice labels,
the heat map's SVG labels and the level letters all come from the catalogue."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from controls.tests.factories import ControlFactory
from reviews import services as review_services
from risk import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(client_for):
    """A client whose pages render in German, with or without a locale middleware (Accept-Language and the
    active language agree)."""

    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
        return client

    with translation.override("de"):
        yield _client


@pytest.fixture
def risk(org, officer):
    return services.risk_create(
        actor=officer,
        organisation=org,
        data={"title": "Gender bias in CV ranking", "owner": officer, "inherent_likelihood": 4, "inherent_impact": 4},
    )


def test_register_in_german(german, officer, risk):
    page = german(officer).get(reverse("risk:risk-list")).content.decode()
    assert "Risikoregister" in page
    assert ">Verantwortlich<" in page and ">Inhärent<" in page  # table headers
    assert "Identifiziert" in page or "Bewertet" in page  # the status label
    assert "Risk register" not in page


def test_risk_detail_scoring_and_heat_map_in_german(german, officer, risk):
    client = german(officer)
    scoring = client.get(reverse("risk:risk-detail", args=[risk.pk]) + "?tab=scoring").content.decode()
    assert "Inhärentes Risiko" in scoring and "Inhärente Bewertung speichern" in scoring
    assert "Wahrscheinlichkeit \\ Auswirkung" in scoring  # the position matrix
    heat = client.get(reverse("risk:heat-map")).content.decode()
    assert "Risiko-Heatmap" in heat
    assert "Wahrscheinlichkeit →" in heat and "Auswirkung →" in heat  # the SVG's axis labels
    assert ">N Niedrig</text>" in heat and ">K Kritisch</text>" in heat  # legend: letter and label in German
    assert "Likelihood" not in heat


def test_my_reviews_in_german(german, org, officer):
    ControlFactory(organisation=org, owner=officer, next_review=dt.date.today() + dt.timedelta(days=3))
    review_services.reviews_generate(organisation=org)
    page = german(officer).get(reverse("reviews:my")).content.decode()
    assert "Meine Überprüfungen" in page
    assert "Jetzt auf fällige Überprüfungen prüfen" in page
    assert "Maßnahme" in page  # the kind of object reviewed
