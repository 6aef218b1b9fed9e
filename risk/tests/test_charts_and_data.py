"""The heat-map SVG helper, the Annex C data file and the demo seeder."""

import xml.etree.ElementTree as ET  # noqa: S405 — parses SVG this code generated, not untrusted input
from pathlib import Path

import pytest
import yaml

from risk import annex_c
from risk.charts import heat_map_svg
from risk.tests.factories import RiskCriteriaFactory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def criteria(org):
    return RiskCriteriaFactory(organisation=org)


def test_heat_map_is_well_formed_accessible_svg_with_counts_and_links(db, criteria):
    svg = heat_map_svg(criteria=criteria, counts={(3, 4): 2, (1, 1): 1}, kind="inherent", extra_params={"open": "true"})
    root = ET.fromstring(str(svg))  # noqa: S314
    assert root.tag == f"{SVG}svg" and root.get("aria-labelledby") == "heat-inherent-title heat-inherent-desc"
    assert root.find(f"{SVG}title").text == "Inherent risk heat map"
    assert "3 risks" in root.find(f"{SVG}desc").text
    links = root.findall(f"{SVG}a")
    assert {a.get("data-cell"): a.get("href") for a in links} == {
        "3,4": "/risks/?open=true&inherent_likelihood=3&inherent_impact=4",
        "1,1": "/risks/?open=true&inherent_likelihood=1&inherent_impact=1",
    }
    cell = next(a for a in links if a.get("data-cell") == "3,4")
    assert cell.get("aria-label") == "Likelihood 3 (Possible), impact 4 (Major): 2 risks, level high"
    assert [t.text for t in cell.iter(f"{SVG}text")][-1] == "2"
    assert len(root.findall(f"{SVG}g[@class='heat-cell']")) == 25 - 2


def test_heat_map_for_pdfs_has_no_links_and_reports_cells_off_the_scale(db, criteria):
    svg = str(heat_map_svg(criteria=criteria, counts={(2, 2): 1, (7, 7): 3}, kind="residual", base_url=None))
    root = ET.fromstring(svg)  # noqa: S314
    assert root.findall(f"{SVG}a") == []
    assert "3 scored on other scales are not shown" in root.find(f"{SVG}desc").text


def test_heat_map_escapes_labels(db, org):
    criteria = RiskCriteriaFactory(organisation=org)
    criteria.likelihood_levels[0]["label"] = '<script>alert("x")</script>'
    svg = str(heat_map_svg(criteria=criteria, counts={(1, 1): 1}))
    assert "<script>" not in svg
    ET.fromstring(svg)  # noqa: S314


def test_heat_map_renders_in_a_pdf(db, criteria):
    weasyprint = pytest.importorskip("weasyprint")
    svg = heat_map_svg(criteria=criteria, counts={(4, 4): 3}, base_url=None)
    try:
        pdf = weasyprint.HTML(string=f"<html><body><h1>Heat map</h1>{svg}</body></html>").write_pdf()
    except OSError as exc:  # the Pango libraries are missing on this machine
        pytest.skip(str(exc))
    assert pdf.startswith(b"%PDF")


def test_annex_c_data_lists_the_objectives_and_risk_sources_in_our_own_words():
    assert len(annex_c.objectives()) == 11 and len(annex_c.risk_sources()) == 7
    assert ("fairness", "Fairness") in annex_c.objective_choices()
    assert ("machine_learning", "Risk sources related to machine learning") in annex_c.risk_source_choices()

    reference_file = Path(__file__).resolve().parents[3] / "shared" / "reference" / "iso42001.yaml"
    if not reference_file.exists():
        pytest.skip("The shared reference file is not next to this checkout.")
    reference = yaml.safe_load(reference_file.read_text(encoding="utf-8"))["annex_c"]
    gists = {item["gist"] for key in ("objectives", "risk_sources") for item in reference.get(key, [])}
    ours = {item.description for item in (*annex_c.objectives(), *annex_c.risk_sources())}
    assert not gists & ours
    assert {item["key"] for item in reference["objectives"]} == {item.key for item in annex_c.objectives()}


def test_demo_seeder_is_idempotent_and_covers_every_state(transactional_db):
    from django.core.management import call_command

    from risk.constants import ImpactStatus, RiskStatus
    from risk.models import ImpactAssessment, Risk, RiskAssessment, TreatmentAction

    call_command("seed_demo")
    counts = (Risk.objects.count(), TreatmentAction.objects.count(), ImpactAssessment.objects.count())
    call_command("seed_demo")
    assert (Risk.objects.count(), TreatmentAction.objects.count(), ImpactAssessment.objects.count()) == counts
    northwind = Risk.objects.filter(organisation__slug="northwind")
    assert {
        RiskStatus.IDENTIFIED,
        RiskStatus.ASSESSED,
        RiskStatus.TREATMENT_PLANNED,
        RiskStatus.TREATED,
        RiskStatus.ACCEPTED,
        RiskStatus.CLOSED,
    } <= set(northwind.values_list("status", flat=True))
    assert northwind.overdue().exists()
    assert northwind.filter(acceptance_approver__isnull=False).exists()  # accepted above the appetite
    assert northwind.filter(raised_from_areas__isnull=False).exists()
    assert RiskAssessment.objects.filter(organisation__slug="northwind").count() == 2
    assert ImpactAssessment.objects.filter(status=ImpactStatus.DRAFT).exists()
    assert Risk.objects.filter(organisation__slug="contoso").count() == 1
