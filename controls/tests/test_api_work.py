"""API of controls, the SoA, evidence, policies, the gap analysis and the roadmap: writes through services,
roles, tenant isolation, uploads and downloads, and list query budgets (5 rows vs 50)."""

import hashlib

import pytest

from controls import services
from controls.models import Control, Evidence, Policy
from controls.tests.conftest import MINIMAL_PDF, upload
from controls.tests.factories import (
    ControlFactory,
    EvidenceFactory,
    EvidenceRevisionFactory,
    PolicyFactory,
    RoadmapActionFactory,
    SoAFactory,
    SoAVersionFactory,
)
from risk.tests.factories import RiskFactory, TreatmentActionFactory
from tests.query_budget import assert_queries_do_not_grow


def _decide_all(soa, officer):
    for line in soa.lines.all():
        services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "x"})


# --- Controls --------------------------------------------------------------------------------------------------


def test_create_a_control_with_requirements_by_key_and_identifier(catalogue, org, officer, api_for):
    risk = RiskFactory(organisation=org)
    action = TreatmentActionFactory(risk=risk)
    response = api_for(officer, org).post(
        "/api/v1/controls/",
        {
            "title": "Bias testing",
            "implementation_status": "implemented",
            "requirements": ["iso42001:A.6.2.4", "nist_ai_rmf:MEASURE 2.11"],
            "treatment_actions": [action.reference],
            "owner": officer.username,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "CTL-001"
    assert body["requirements"] == ["iso42001:A.6.2.4", "nist_ai_rmf:MEASURE 2.11"]
    assert body["risks"] == [risk.reference] and body["treatment_actions"] == [action.reference]


def test_unknown_requirement_or_choice_is_a_400_with_field_errors(catalogue, org, officer, api_for):
    api = api_for(officer, org)
    response = api.post("/api/v1/controls/", {"title": "X", "requirements": ["iso42001:Z.9"]}, format="json")
    assert response.status_code == 400 and "requirements" in response.json()
    response = api.post("/api/v1/controls/", {"title": "X", "implementation_status": "done"}, format="json")
    assert response.status_code == 400 and "implementation_status" in response.json()
    assert not Control.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("officer", 201), ("contributor", 201), ("auditor", 403), ("viewer", 403)]
)
def test_who_may_record_a_control(org, members, api_for, role, status):
    response = api_for(members[role], org).post("/api/v1/controls/", {"title": "X"}, format="json")
    assert response.status_code == status


def test_record_a_check_through_the_api(org, officer, api_for):
    control = services.control_create(actor=officer, organisation=org, data={"title": "X"})
    response = api_for(officer, org).post(
        f"/api/v1/controls/{control.pk}/check/", {"checked_on": "2020-01-31", "result": "effective"}, format="json"
    )
    assert response.status_code == 200 and response.json()["last_checked"] == "2020-01-31"


def test_read_only_token_cannot_write(org, officer, api_for):
    response = api_for(officer, org, read_only=True).post("/api/v1/controls/", {"title": "X"}, format="json")
    assert response.status_code == 403


# --- The SoA --------------------------------------------------------------------------------------------------------


def test_soa_endpoint_returns_the_current_soa_with_38_lines(catalogue, org, members, api_for):
    response = api_for(members["viewer"], org).get("/api/v1/soa/")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["status"], len(body["lines"])) == (1, "draft", 38)
    assert body["summary"]["undecided"] == 38


def test_decide_a_line_and_approve_through_the_api(soa, org, officer, members, api_for):
    api = api_for(officer, org)
    line = soa.lines.get(requirement__identifier="A.10.4")
    refused = api.patch(f"/api/v1/soa/lines/{line.pk}/", {"applicable": False}, format="json")
    assert refused.status_code == 400 and "exclusion_justification" in refused.json()
    response = api.patch(
        f"/api/v1/soa/lines/{line.pk}/",
        {"applicable": False, "exclusion_reason": "no_such_activity", "exclusion_justification": "We sell no AI."},
        format="json",
    )
    assert response.status_code == 200 and response.json()["applicable"] is False
    blocked = api.post("/api/v1/soa/approve/", {}, format="json")
    assert blocked.status_code == 400 and "need attention" in str(blocked.json())
    _decide_all_but(soa, officer, "A.10.4")
    assert api_for(members["contributor"], org).post("/api/v1/soa/approve/", {}, format="json").status_code == 403
    approved = api.post("/api/v1/soa/approve/", {"note": "Board"}, format="json")
    assert approved.status_code == 201
    assert (approved.json()["version"], approved.json()["excluded_count"], len(approved.json()["lines"])) == (1, 1, 38)
    assert api.post("/api/v1/soa/approve/", {}, format="json").status_code == 409
    versions = api.get("/api/v1/soa/versions/").json()
    assert [v["version"] for v in versions["results"]] == [1] and "lines" not in versions["results"][0]
    detail = api.get(f"/api/v1/soa/versions/{versions['results'][0]['id']}/").json()
    assert len(detail["lines"]) == 38


def _decide_all_but(soa, officer, identifier):
    for line in soa.lines.exclude(requirement__identifier=identifier):
        services.soa_line_update(actor=officer, line=line, data={"applicable": True, "business_need": "x"})


def test_soa_exports_through_the_api(soa, org, officer, api_for):
    _decide_all(soa, officer)
    version = services.soa_approve(actor=officer, soa=soa)
    api = api_for(officer, org)
    csv = api.get("/api/v1/soa/export/", {"file_format": "csv"})
    assert csv.status_code == 200 and "A.6.2.4" in b"".join(csv.streaming_content).decode("utf-8-sig")
    pdf = api.get(f"/api/v1/soa/versions/{version.pk}/export/", {"file_format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert api.get("/api/v1/soa/export/", {"file_format": "docx"}).status_code == 400


def test_an_auditor_exports_but_a_viewer_does_not(soa, org, members, api_for):
    assert api_for(members["auditor"], org).get("/api/v1/soa/export/", {"file_format": "csv"}).status_code == 200
    assert api_for(members["viewer"], org).get("/api/v1/soa/export/", {"file_format": "csv"}).status_code == 403


# --- Evidence ----------------------------------------------------------------------------------------------------


def test_multipart_upload_creates_evidence_and_revisions(org, officer, api_for):
    api = api_for(officer, org)
    control = services.control_create(actor=officer, organisation=org, data={"title": "X"})
    response = api.post(
        "/api/v1/evidence/",
        {"title": "Report", "controls": [control.reference], "file": upload("report.pdf", MINIMAL_PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "file" and body["controls"] == [control.reference]
    assert body["current_revision"]["sha256"] == hashlib.sha256(MINIMAL_PDF).hexdigest()
    evidence_id = body["id"]
    second = api.post(
        f"/api/v1/evidence/{evidence_id}/revisions/",
        {"file": upload("v2.txt", b"second"), "note": "fix"},
        format="multipart",
    )
    assert second.status_code == 201 and second.json()["number"] == 2
    revisions = api.get(f"/api/v1/evidence/{evidence_id}/revisions/").json()
    assert [r["number"] for r in revisions] == [2, 1]
    download = api.get(f"/api/v1/evidence/{evidence_id}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"second"
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Disposition"].startswith("attachment")
    old = api.get(revisions[1]["download_url"])
    assert b"".join(old.streaming_content) == MINIMAL_PDF


def test_refused_upload_through_the_api_is_a_400_and_leaves_nothing(org, officer, api_for, settings):
    from pathlib import Path

    response = api_for(officer, org).post(
        "/api/v1/evidence/", {"title": "Fake", "file": upload("fake.pdf", b"nope")}, format="multipart"
    )
    assert response.status_code == 400 and "does not contain a PDF document" in response.json()["file"][0]
    assert not Evidence.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_link_evidence_through_json_and_review(org, officer, members, api_for):
    api = api_for(officer, org)
    response = api.post("/api/v1/evidence/", {"title": "Dashboard", "url": "https://grafana.example/d"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "link"
    evidence_id = response.json()["id"]
    assert api.get(f"/api/v1/evidence/{evidence_id}/download/").status_code == 404
    assert (
        api_for(members["contributor"], org)
        .post(f"/api/v1/evidence/{evidence_id}/review/", {"review_status": "accepted"}, format="json")
        .status_code
        == 403
    )
    reviewed = api.post(f"/api/v1/evidence/{evidence_id}/review/", {"review_status": "accepted"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["review_status"] == "accepted"


def test_a_contributor_cannot_add_revisions_to_evidence_they_do_not_own(org, officer, members, api_for):
    evidence = services.evidence_create(
        actor=officer, organisation=org, data={"title": "x", "owner": officer}, upload=upload("a.txt", b"x")
    )
    response = api_for(members["contributor"], org).post(
        f"/api/v1/evidence/{evidence.pk}/revisions/", {"file": upload("b.txt", b"y")}, format="multipart"
    )
    assert response.status_code == 403
    assert api_for(members["contributor"], org).get(f"/api/v1/evidence/{evidence.pk}/revisions/").status_code == 200


# --- Policies, gap analysis, roadmap -------------------------------------------------------------------------------


def test_policy_api_workflow(catalogue, org, officer, api_for):
    api = api_for(officer, org)
    created = api.post(
        "/api/v1/policies/",
        {"title": "AI policy", "kind": "ai_policy", "body": "# AI policy\n<script>x</script>"},
        format="json",
    ).json()
    assert created["requirements"] == ["iso42001:5.2", "iso42001:A.2.2"] and "<script>" not in created["body_html"]
    assert api.post(f"/api/v1/policies/{created['id']}/approve/", {}, format="json").status_code == 200
    assert api.patch(f"/api/v1/policies/{created['id']}/", {"body": "changed"}, format="json").status_code == 409
    second = api.post(f"/api/v1/policies/{created['id']}/new-version/").json()
    assert second["version"] == 2 and second["status"] == "draft"
    api.post(f"/api/v1/policies/{second['id']}/approve/", {"review_date": "2030-01-01"}, format="json")
    assert Policy.objects.get(pk=created["id"]).status == "retired"
    listed = api.get("/api/v1/policies/").json()["results"]
    assert [(p["reference"], p["version"]) for p in listed] == [("POL-001", 2)]


def test_gap_analysis_api(catalogue, annex_a, org, officer, api_for):
    control = services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "X", "implementation_status": "implemented", "requirements": [annex_a["A.2.2"]]},
    )
    services.evidence_create(
        actor=officer, organisation=org, data={"title": "E", "url": "https://e.org", "controls": [control]}
    )
    api = api_for(officer, org)
    overview = api.get("/api/v1/gap-analysis/").json()
    iso = next(f for f in overview if f["framework"] == "iso42001")
    assert (iso["applicable"], iso["ready"]) == (70, 1)
    detail = api.get("/api/v1/gap-analysis/iso42001/", {"gaps_only": "true"}).json()
    assert len(detail["requirements"]) == 69 and "A.2.2" not in {r["identifier"] for r in detail["requirements"]}
    a23 = next(r for r in detail["requirements"] if r["identifier"] == "A.2.3")
    assert a23["missing"] == ["no_control", "no_evidence"]
    assert {s["identifier"] for s in detail["sections"]} >= {"4", "A.2", "A.10"}
    assert api.get("/api/v1/gap-analysis/unknown/").status_code == 404


def test_roadmap_action_api(catalogue, org, officer, api_for):
    response = api_for(officer, org).post(
        "/api/v1/roadmap-actions/",
        {"requirement": "iso42001:9.2.2", "gap_kind": "no_control", "phase": "1", "owner": officer.username},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["title"].startswith("Design and put in place a control for 9.2.2")


# --- Isolation and query budgets ------------------------------------------------------------------------------------


def test_another_organisations_records_are_404_in_the_api(soa, org, officer, outsider, other_org, api_for):
    control = services.control_create(actor=officer, organisation=org, data={"title": "Ours"})
    line = soa.lines.first()
    api = api_for(outsider, other_org)
    assert api.get(f"/api/v1/controls/{control.pk}/").status_code == 404
    assert api.patch(f"/api/v1/soa/lines/{line.pk}/", {"applicable": True}, format="json").status_code == 404
    body = api.get("/api/v1/soa/").json()
    assert str(line.pk) not in str(body)


def _fill(org, n):
    for _ in range(n):
        control = ControlFactory(organisation=org)
        control.risks.add(RiskFactory(organisation=org))
        evidence = EvidenceFactory(organisation=org)
        evidence.controls.add(control)
        EvidenceRevisionFactory(evidence=EvidenceFactory(organisation=org, kind="file", url=""))
        PolicyFactory(organisation=org)
        RoadmapActionFactory(organisation=org, control=control)
        SoAVersionFactory(soa=SoAFactory(organisation=org))


ENDPOINTS = [
    "/api/v1/controls/",
    "/api/v1/evidence/",
    "/api/v1/evidence-revisions/",
    "/api/v1/policies/",
    "/api/v1/roadmap-actions/",
    "/api/v1/soa/versions/",
]


def test_list_endpoints_use_the_same_queries_for_5_and_50_rows(org, officer, api_for):
    api = api_for(officer, org)
    assert_queries_do_not_grow(lambda n: _fill(org, n), [(api, url, {"page_size": 100}) for url in ENDPOINTS])


def test_gap_analysis_of_another_organisations_framework_is_404(catalogue, org, officer, other_org, api_for):
    from controls.tests.factories import FrameworkFactory, RequirementFactory

    theirs = FrameworkFactory(organisation=other_org, key="globex-questions")
    RequirementFactory(framework=theirs)
    assert api_for(officer, org).get("/api/v1/gap-analysis/globex-questions/").status_code == 404
    keys = {f["framework"] for f in api_for(officer, org).get("/api/v1/gap-analysis/").json()}
    assert "globex-questions" not in keys and "iso42001" in keys
