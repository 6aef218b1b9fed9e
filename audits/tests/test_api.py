"""The audits API: list endpoints cost the same queries for 5 and 50 rows, bad input is a 400 naming the field,
state conflicts are 409, roles are enforced, and the chain works end to end."""

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import Audit, ChecklistItem, Incident, KPISnapshot, Nonconformity
from audits.tests.test_views import _rows
from controls.tests.factories import ControlFactory
from registry.tests.factories import AISystemFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/audit-programmes/",
    "/api/v1/audits/",
    "/api/v1/checklist-items/",
    "/api/v1/findings/",
    "/api/v1/nonconformities/",
    "/api/v1/corrective-actions/",
    "/api/v1/kpis/",
    "/api/v1/management-reviews/",
    "/api/v1/review-actions/",
    "/api/v1/incidents/",
]


def test_endpoints_and_nested_lists_cost_the_same_queries_for_5_and_50_rows(api_for, officer, org):
    from audits.tests.factories import AuditFactory, ChecklistItemFactory, KPIFactory, KPISnapshotFactory
    from controls.tests.factories import EvidenceFactory

    audit, kpi = AuditFactory(organisation=org), KPIFactory(organisation=org)

    def grow(n):
        _rows(org, officer, n)
        for _ in range(n):  # lines of one audit and values of one KPI, for the nested lists
            item = ChecklistItemFactory(audit=audit, result="observation", recorded_by=officer)
            item.evidence.add(EvidenceFactory(organisation=org))
            KPISnapshotFactory(kpi=kpi, taken_by=officer)

    api = api_for(officer, org)
    nested = [f"/api/v1/audits/{audit.pk}/checklist/", f"/api/v1/kpis/{kpi.pk}/snapshots/"]
    assert_queries_do_not_grow(grow, [(api, url) for url in ENDPOINTS + nested])


@pytest.fixture
def requirement(org):
    from audits.tests.factories import own_requirement

    return own_requirement(org, identifier="R1", title="Keep logs")


def test_the_chain_from_audit_to_closed_nonconformity_through_the_api(api_for, org, officer, members, requirement):
    officer_api, auditor_api = api_for(officer, org), api_for(members["auditor"], org)
    key = requirement.framework.key
    response = officer_api.post(
        "/api/v1/audits/",
        {"title": "Ops audit", "lead_auditor": "auditor-acme", "criteria": [f"{key}:R1"], "importance": "high"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    audit_id = response.json()["id"]
    assert response.json()["criteria"] == [f"{key}:R1"]
    checklist = auditor_api.get(f"/api/v1/audits/{audit_id}/checklist/").json()
    assert [line["requirement"] for line in checklist] == [f"{key}:R1"]
    line_id = checklist[0]["id"]
    response = auditor_api.patch(
        f"/api/v1/checklist-items/{line_id}/", {"result": "minor_nc", "notes": "Logs kept 7 days."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["finding"].startswith("FND-")
    nc = Nonconformity.objects.get()
    response = officer_api.post(f"/api/v1/nonconformities/{nc.pk}/close/", {}, format="json")
    assert response.status_code == 409
    response = officer_api.post(
        "/api/v1/corrective-actions/",
        {"nonconformity": nc.reference, "title": "Keep 90 days", "owner": "officer-acme", "due_date": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    action_id = response.json()["id"]
    officer_api.patch(f"/api/v1/nonconformities/{nc.pk}/", {"root_cause": "No retention rule."}, format="json")
    assert officer_api.post(f"/api/v1/corrective-actions/{action_id}/complete/", {}, format="json").status_code == 200
    response = officer_api.post(
        f"/api/v1/corrective-actions/{action_id}/verify/", {"effective": True, "note": "Checked."}, format="json"
    )
    assert response.json()["effectiveness"] == "effective"
    response = officer_api.post(f"/api/v1/nonconformities/{nc.pk}/close/", {"note": "Done"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"


def test_a_viewer_cannot_record_results_and_a_read_only_token_cannot_either(
    api_for, org, members, officer, requirement
):
    from audits import services

    audit = services.audit_create(actor=officer, organisation=org, data={"title": "X", "criteria": [requirement]})
    line = audit.checklist.get()
    url = f"/api/v1/checklist-items/{line.pk}/"
    assert api_for(members["viewer"], org).patch(url, {"result": "conforming"}, format="json").status_code == 403
    read_only = api_for(members["auditor"], org, read_only=True)
    assert read_only.patch(url, {"result": "conforming"}, format="json").status_code == 403
    assert api_for(members["auditor"], org).post("/api/v1/checklist-items/", {}, format="json").status_code == 405
    line.refresh_from_db()
    assert line.result == ""


def test_the_independence_warning_through_the_api(api_for, org, members, officer, requirement):
    from audits import services

    auditor = members["auditor"]
    ControlFactory(organisation=org, owner=auditor).requirements.add(requirement)
    audit = services.audit_create(actor=officer, organisation=org, data={"title": "X", "criteria": [requirement]})
    url = f"/api/v1/checklist-items/{audit.checklist.get().pk}/"
    api = api_for(auditor, org)
    response = api.patch(url, {"result": "conforming"}, format="json")
    assert response.status_code == 400
    assert "acknowledge_independence" in response.json()
    response = api.patch(url, {"result": "conforming", "acknowledge_independence": True}, format="json")
    assert response.status_code == 200
    assert "owns work under audit" in response.json()["independence_warning"]
    assert response.json()["independence_acknowledged_by"] == auditor.username


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/audits/", {"title": "X", "criteria": ["nope:Z9"]}, "criteria"),
        ("/api/v1/audits/", {"title": "X", "planned_start": "2026-05-02", "planned_end": "2026-05-01"}, "planned_end"),
        ("/api/v1/audits/", {"title": "X", "team": ["mallory"]}, "team"),
        ("/api/v1/nonconformities/", {"title": "X", "description": "Y", "grade": "huge"}, "grade"),
        ("/api/v1/nonconformities/", {"title": "X", "description": "Y", "five_whys": ["1"] * 6}, "five_whys"),
        ("/api/v1/kpis/", {"name": "X", "kind": "builtin", "builtin_key": "nope"}, "builtin_key"),
        ("/api/v1/kpis/", {"name": "X", "direction": "higher", "target": "90", "red_threshold": "95"}, "red_threshold"),
        ("/api/v1/incidents/", {"title": "X", "description": "Y", "harm_types": ["weather"]}, "harm_types"),
        (
            "/api/v1/incidents/",
            {"title": "X", "description": "Y", "detected_at": "2999-01-01T00:00:00Z"},
            "detected_at",
        ),
        ("/api/v1/management-reviews/", {"title": "X"}, "planned_date"),
        ("/api/v1/findings/", {"audit": "AUD-999", "kind": "ofi", "title": "X"}, "audit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(api_for, org, officer, outsider, url, body, field):
    from django.apps import apps

    before = {m: m.objects.count() for m in apps.get_app_config("audits").get_models()}
    response = api_for(officer, org).post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert {m: m.objects.count() for m in before} == before


def test_an_integration_posts_kpi_values(api_for, org, officer, members):
    kpi_id = (
        api_for(officer, org)
        .post(
            "/api/v1/kpis/",
            {
                "name": "Fairness gap",
                "unit": "pp",
                "direction": "lower",
                "target": "2",
                "owner": members["contributor"].username,
            },
            format="json",
        )
        .json()["id"]
    )
    api = api_for(members["contributor"], org)
    response = api.post(f"/api/v1/kpis/{kpi_id}/values/", {"value": "2.7", "note": "run 14"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["source"], response.json()["taken_by"]) == ("api", members["contributor"].username)
    assert api.post(f"/api/v1/kpis/{kpi_id}/values/", {"value": "many"}, format="json").status_code == 400
    kpi = api.get(f"/api/v1/kpis/{kpi_id}/").json()
    assert (kpi["last_value"], kpi["rag"]) == ("2.7000", "amber")
    assert [s["value"] for s in api.get(f"/api/v1/kpis/{kpi_id}/snapshots/").json()] == ["2.7000"]
    assert KPISnapshot.objects.count() == 1
    # A viewer may read but not post.
    assert api_for(members["viewer"], org).post(f"/api/v1/kpis/{kpi_id}/values/", {"value": "1"}).status_code == 403


def test_a_computed_kpi_is_snapshotted_not_posted(api_for, org, officer):
    api = api_for(officer, org)
    kpi_id = api.post(
        "/api/v1/kpis/",
        {"name": "Risks", "kind": "builtin", "builtin_key": "open_high_critical_risks", "direction": "lower"},
        format="json",
    ).json()["id"]
    assert api.post(f"/api/v1/kpis/{kpi_id}/values/", {"value": "1"}, format="json").status_code == 409
    response = api.post(f"/api/v1/kpis/{kpi_id}/take-snapshot/")
    assert response.status_code == 200
    assert response.json()[0]["value"] == "0.0000"
    assert api.post("/api/v1/kpis/take-snapshots/").status_code == 200


def test_a_serious_incident_gets_its_deadline_and_is_reported(api_for, org, officer):
    system = AISystemFactory(organisation=org, eu_tier="high")
    api = api_for(officer, org)
    response = api.post(
        "/api/v1/incidents/",
        {
            "title": "Unsafe advice",
            "description": "x",
            "ai_systems": [system.reference],
            "serious": True,
            "serious_category": "death",
            "aware_at": "2026-03-20T14:00:00Z",
            "detected_at": "2026-03-20T13:00:00Z",
            "harm_types": ["health_safety"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reporting_deadline"] in ("2026-03-30T23:00:00Z", "2026-03-30T23:00:00+00:00")  # end of 30 March BST
    assert body["clock_running"] is True and body["harm_types"] == ["health_safety"]
    incident_id = body["id"]
    assert api.post(f"/api/v1/incidents/{incident_id}/close/", {"lessons_learned": "x"}).status_code == 400
    response = api.post(f"/api/v1/incidents/{incident_id}/report-to-authority/", {"authority": "MHRA"}, format="json")
    assert response.status_code == 200
    assert response.json()["clock_running"] is False
    response = api.post(f"/api/v1/incidents/{incident_id}/escalate/", {"notified": "CSO"}, format="json")
    assert [e["notified"] for e in response.json()["escalations"]] == ["CSO"]
    response = api.post(f"/api/v1/incidents/{incident_id}/raise-nonconformity/")
    assert response.json()["nonconformity"].startswith("NC-")
    assert Incident.objects.get().nonconformity.source == "incident"


def test_a_viewer_cannot_raise_a_nonconformity_from_an_incident(api_for, org, members, officer):
    from audits import services

    incident = services.incident_create(actor=officer, organisation=org, data={"title": "x", "description": "y"})
    response = api_for(members["viewer"], org).post(f"/api/v1/incidents/{incident.pk}/raise-nonconformity/")
    assert response.status_code == 403
    assert not Nonconformity.objects.exists()


def test_management_review_through_the_api(api_for, org, officer, members):
    api = api_for(officer, org)
    review = api.post(
        "/api/v1/management-reviews/",
        {"title": "Q3", "planned_date": str(timezone.localdate()), "attendees": ["admin-acme"]},
        format="json",
    ).json()
    url = f"/api/v1/management-reviews/{review['id']}/"
    assert (
        api.post(
            url + "hold/",
            {"held_on": str(timezone.localdate()), "top_management_present": True, "conclusions": "OK"},
            format="json",
        ).status_code
        == 409
    )
    prepared = api.post(url + "prepare/").json()
    assert prepared["status"] == "prepared" and "nonconformities" in prepared["inputs"]
    response = api.post(
        url + "decisions/",
        {"kind": "resources", "decision": "Fund an auditor.", "owner": "admin-acme", "due_date": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["decisions"][0]["actions"] == ["MRA-001"]
    response = api.post(
        url + "hold/",
        {"held_on": str(timezone.localdate()), "top_management_present": False, "conclusions": "OK"},
        format="json",
    )
    assert response.status_code == 400 and "top_management_present" in response.json()
    assert (
        api.post(
            url + "hold/",
            {"held_on": str(timezone.localdate()), "top_management_present": True, "conclusions": "OK"},
            format="json",
        ).json()["status"]
        == "held"
    )
    action = api.get("/api/v1/review-actions/").json()["results"][0]
    done = api.post(f"/api/v1/review-actions/{action['id']}/complete/", {"note": "Budgeted."}, format="json")
    assert done.json()["status"] == "done"
    pdf = api.get(url + "minutes-pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_overdue_and_mine_filters(api_for, org, officer, members):
    from audits.tests.factories import CorrectiveActionFactory, NonconformityFactory

    nc = NonconformityFactory(organisation=org)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    mine = CorrectiveActionFactory(nonconformity=nc, owner=members["contributor"], due_date=yesterday)
    CorrectiveActionFactory(nonconformity=nc, owner=officer, due_date=yesterday)
    CorrectiveActionFactory(nonconformity=nc, owner=members["contributor"], due_date=yesterday, status="done")
    api = api_for(members["contributor"], org)
    rows = api.get("/api/v1/corrective-actions/?overdue=true&mine=true").json()["results"]
    assert [r["reference"] for r in rows] == [mine.reference]


def test_audit_report_pdf_needs_export(api_for, org, officer, members):
    audit = Audit.objects.create(organisation=org, title="X", reference="AUD-050")
    assert api_for(members["viewer"], org).get(f"/api/v1/audits/{audit.pk}/report-pdf/").status_code == 403
    response = api_for(members["auditor"], org).get(f"/api/v1/audits/{audit.pk}/report-pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert ChecklistItem.objects.count() == 0


def test_minutes_of_a_review_without_frozen_inputs_are_a_pdf(api_for, org, officer):
    """A review not yet prepared has no inputs: the minutes still render (a missing count reads as 0).
    Found by the API fuzzer, which asked for the minutes of a freshly created review."""
    from audits.tests.factories import ManagementReviewFactory

    review = ManagementReviewFactory(organisation=org)
    response = api_for(officer, org).get(f"/api/v1/management-reviews/{review.pk}/minutes-pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
