"""The gap analysis: a requirement is ready with an implemented control and current evidence; the SoA's
exclusions leave the denominator; the crosswalk shows coverage of other frameworks; each gap says what is
missing; the roadmap ranks gaps by risk and high-risk systems. And the bar chart."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from controls import services
from controls.charts import Bar, readiness_bar_chart
from controls.constants import GapKind
from controls.gap import OrganisationStatus, framework_readiness, readiness_overview
from controls.models import RoadmapAction
from controls.selectors_roadmap import ranked_gaps
from registry.tests.factories import AISystemFactory
from risk.tests.factories import RiskFactory


def _status(org, key, identifier):
    readiness = framework_readiness(_framework(key), OrganisationStatus(org))
    return readiness, next(i for i in readiness.items if i.identifier == identifier)


def _framework(key):
    from controls.models import Framework

    return Framework.objects.get(key=key, organisation__isnull=True)


def _control(org, officer, requirements, status="implemented", **data):
    return services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "A control", "implementation_status": status, "requirements": requirements, **data},
    )


def _evidence(org, officer, controls=(), requirements=(), **data):
    return services.evidence_create(
        actor=officer,
        organisation=org,
        data={
            "title": "Proof",
            "url": "https://e.org/p",
            "controls": list(controls),
            "requirements": list(requirements),
            **data,
        },
    )


def test_a_requirement_needs_an_implemented_control_and_current_evidence(catalogue, annex_a, org, officer):
    readiness, item = _status(org, "iso42001", "A.6.2.4")
    assert item.check.gaps == [GapKind.NO_CONTROL, GapKind.NO_EVIDENCE]
    assert (readiness.applicable, readiness.ready) == (70, 0)

    control = _control(org, officer, [annex_a["A.6.2.4"]], status="partial")
    _, item = _status(org, "iso42001", "A.6.2.4")
    assert item.check.gaps == [GapKind.NOT_IMPLEMENTED, GapKind.NO_EVIDENCE]

    services.control_update(actor=officer, control=control, data={"implementation_status": "implemented"})
    _, item = _status(org, "iso42001", "A.6.2.4")
    assert item.check.gaps == [GapKind.NO_EVIDENCE]

    evidence = _evidence(org, officer, controls=[control], expiry_date=timezone.localdate() - dt.timedelta(days=1))
    _, item = _status(org, "iso42001", "A.6.2.4")
    assert item.check.gaps == [GapKind.EVIDENCE_EXPIRED]

    services.evidence_update(actor=officer, evidence=evidence, data={"expiry_date": None})
    readiness, item = _status(org, "iso42001", "A.6.2.4")
    assert item.ready and readiness.ready == 1 and readiness.percent == 1


def test_evidence_linked_to_the_requirement_counts_too_but_rejected_does_not(catalogue, annex_a, org, officer):
    _control(org, officer, [annex_a["5.2"]])
    evidence = _evidence(org, officer, requirements=[annex_a["5.2"]])
    assert _status(org, "iso42001", "5.2")[1].ready
    services.evidence_review(actor=officer, evidence=evidence, status="rejected")
    assert not _status(org, "iso42001", "5.2")[1].ready


def test_soa_exclusions_leave_the_denominator(catalogue, soa, org, officer):
    line = soa.lines.get(requirement__identifier="A.10.4")
    services.soa_line_update(
        actor=officer,
        line=line,
        data={"applicable": False, "exclusion_reason": "no_such_activity", "exclusion_justification": "None sold."},
    )
    readiness, _ = _status(org, "iso42001", "A.2.2")
    assert (readiness.applicable, readiness.excluded) == (69, 1)
    assert "A.10.4" not in {i.identifier for i in readiness.items}


def test_a_ready_42001_requirement_covers_mapped_requirements_through_the_crosswalk(catalogue, annex_a, org, officer):
    from controls.models import RequirementMapping

    control = _control(org, officer, [annex_a["A.6.2.4"]])
    _evidence(org, officer, controls=[control])
    mapped = RequirementMapping.objects.filter(target=annex_a["A.6.2.4"]).select_related("source").first()
    assert mapped is not None, "the shipped NIST crosswalk maps something to A.6.2.4"
    readiness, item = _status(org, "nist_ai_rmf", mapped.source.identifier)
    assert not item.ready and item.covered
    assert ("iso42001", "A.6.2.4", annex_a["A.6.2.4"].pk) in item.covered_by
    assert readiness.covered >= 1 and readiness.percent_with_crosswalk > readiness.percent


def test_sections_add_up_to_the_framework(catalogue, annex_a, org, officer):
    control = _control(org, officer, [annex_a["A.7.4"], annex_a["4.1"]])
    _evidence(org, officer, controls=[control])
    readiness, _ = _status(org, "iso42001", "4.1")
    sections = {s.identifier: s for s in readiness.sections}
    assert list(sections)[:7] == ["4", "5", "6", "7", "8", "9", "10"]
    assert "A.7" in sections and "Annex A" not in sections and "Annex C" not in sections
    assert (sections["A.7"].ready, sections["A.7"].applicable, sections["4"].ready) == (1, 5, 1)
    assert sum(s.applicable for s in readiness.sections) == readiness.applicable


def test_readiness_overview_runs_a_fixed_number_of_queries(catalogue, annex_a, org, officer):
    def count():
        with CaptureQueriesContext(connection) as queries:
            readiness_overview(user=officer, organisation=org)
        return len(queries)

    control = _control(org, officer, [annex_a["A.2.2"]])
    _evidence(org, officer, controls=[control])
    count()  # warm up: the first read looks up the user's role
    before = count()
    for identifier in ["A.3.2", "A.4.2", "A.5.2", "A.6.2.2", "A.7.2", "A.8.2", "A.9.2", "A.10.2", "5.1", "7.2"]:
        control = _control(org, officer, [annex_a[identifier]])
        _evidence(org, officer, controls=[control])
    assert count() == before


# --- Roadmap ranking -----------------------------------------------------------------------------------------------


def test_gaps_touching_high_risk_systems_come_first_then_by_risk_level(catalogue, annex_a, org, officer):
    high_system = AISystemFactory(organisation=org, eu_tier="high")
    critical = RiskFactory(organisation=org, inherent_level="critical", title="Critical")
    medium = RiskFactory(organisation=org, inherent_level="medium", title="Medium")
    _control(org, officer, [annex_a["A.9.4"]], status="planned", risks=[medium])
    _control(org, officer, [annex_a["A.7.6"]], status="planned", risks=[critical])
    _control(org, officer, [annex_a["A.8.5"]], status="planned", risks=[medium], ai_systems=[high_system])
    readiness = framework_readiness(_framework("iso42001"), OrganisationStatus(org))
    ranked = ranked_gaps(readiness, organisation=org)
    assert [g.item.identifier for g in ranked[:3]] == ["A.8.5", "A.7.6", "A.9.4"]
    assert ranked[0].high_risk_systems[0]["reference"] == high_system.reference
    assert ranked[1].risk_level == "critical"


def test_roadmap_action_from_a_gap_gets_its_title(catalogue, annex_a, org, officer):
    action = services.roadmap_action_create(
        actor=officer, organisation=org, data={"requirement": annex_a["A.6.2.8"], "gap_kind": "no_evidence"}
    )
    assert action.title == "Collect evidence for A.6.2.8 AI system recording of event logs"
    services.roadmap_action_update(actor=officer, action=action, data={"status": "done"})
    action.refresh_from_db()
    assert action.completed_at is not None
    services.roadmap_action_update(actor=officer, action=action, data={"status": "in_progress"})
    action.refresh_from_db()
    assert action.completed_at is None


def test_roadmap_page_groups_by_phase_and_lists_unplanned_gaps(catalogue, annex_a, org, officer, client_for):
    services.roadmap_action_create(
        actor=officer,
        organisation=org,
        data={"requirement": annex_a["9.2.2"], "gap_kind": "no_control", "phase": "2", "owner": officer},
    )
    response = client_for(officer).get(reverse("controls:roadmap"))
    assert response.status_code == 200
    phases = {group["phase"]: group for group in response.context["phases"]}
    assert [a.requirement.identifier for a in phases["2"]["actions"]] == ["9.2.2"]
    assert "9.2.2" not in {g.item.identifier for g in response.context["unplanned"]}
    assert response.context["planned_gap_count"] == 1
    assert RoadmapAction.objects.count() == 1


def test_gap_page_shows_readiness_charts_and_gaps(catalogue, annex_a, org, officer, client_for):
    control = _control(org, officer, [annex_a["A.2.2"]])
    _evidence(org, officer, controls=[control])
    client = client_for(officer)
    page = client.get(reverse("controls:gap-analysis"))
    body = page.content.decode()
    assert page.status_code == 200 and page.context["selected"].framework.key == "iso42001"
    assert 'data-testid="readiness-percent">1%' in body
    assert '<title id="readiness-sections-title">' in body and "A.2" in body
    assert 'data-testid="gap-A.2.2"' not in body and 'data-testid="gap-A.2.3"' in body
    nist = client.get(reverse("controls:gap-analysis"), {"framework": "nist_ai_rmf", "show": "all"})
    assert nist.context["selected"].framework.key == "nist_ai_rmf" and len(nist.context["items"]) == 72
    assert client.get(reverse("controls:gap-analysis"), {"framework": "nope"}).status_code == 404
    csv = client.get(reverse("controls:gap-analysis"), {"framework": "iso42001", "export": "csv"})
    assert b"A.2.3" in b"".join(csv.streaming_content)


# --- Chart -------------------------------------------------------------------------------------------------------


def test_bar_chart_is_accessible_and_escapes_labels():
    svg = str(
        readiness_bar_chart(
            [Bar("A.6", "<b>life</b> cycle", ready=3, covered=1, applicable=6, url="/x?a=1&b=2"), Bar("A.7", "Data")],
            title="Readiness",
            id_prefix="t",
        )
    )
    assert svg.startswith("<svg") and '<title id="t-title">Readiness</title>' in svg and 'id="t-desc"' in svg
    assert (
        'aria-label="A.6 &lt;b&gt;life&lt;/b&gt; cycle: 3 of 6 ready (50%), 1 more covered through the crosswalk' in svg
    )
    assert "<b>" not in svg and 'href="/x?a=1&amp;b=2"' in svg
    assert "50%" in svg and "+17%" in svg and 'data-percent="0"' in svg


@pytest.mark.parametrize(("ready", "applicable", "percent"), [(0, 0, 0), (2, 3, 67), (3, 3, 100)])
def test_bar_percentages(ready, applicable, percent):
    assert Bar("x", ready=ready, applicable=applicable).percent == percent
