"""The SoA API answers from values() rows (controls.selectors_soa): the same JSON as its serializers would write,
on a SoA with implementing controls (one on two lines, one of another organisation), risks of lines and of
controls, owners, exclusions with their justification and an earlier approval."""

import json

import pytest
from rest_framework.renderers import JSONRenderer

from controls import services
from controls.api.soa import SoALineSerializer, SoASerializer
from controls.constants import ImplementationStatus
from controls.tests.factories import ControlFactory
from risk.tests.factories import RiskFactory


def _line(soa, identifier):
    return soa.lines.select_related("requirement").get(requirement__identifier=identifier)


@pytest.fixture
def rich_soa(soa, org, other_org, officer, members, annex_a):
    officer.first_name, officer.last_name = "Olivia", "Officer"
    officer.save()
    scored = RiskFactory(
        organisation=org, inherent_likelihood=4, inherent_impact=4, residual_likelihood=2, residual_impact=2
    )
    inherent_only = RiskFactory(organisation=org, inherent_likelihood=5, inherent_impact=5)
    unscored = RiskFactory(organisation=org)
    both = services.control_create(
        actor=officer,
        organisation=org,
        data={
            "title": "Data checks",
            "implementation_status": ImplementationStatus.IMPLEMENTED,
            "requirements": [annex_a["A.7.4"], annex_a["A.7.5"]],
        },
    )
    both.risks.add(scored, inherent_only)
    planned = services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "Bias review", "implementation_status": "planned", "requirements": [annex_a["A.7.4"]]},
    )
    planned.risks.add(unscored)
    services.control_create(
        actor=officer,
        organisation=org,
        data={"title": "Not here", "implementation_status": "not_applicable", "requirements": [annex_a["A.6.2.2"]]},
    )
    ControlFactory(organisation=other_org).requirements.add(annex_a["A.7.4"])  # another organisation's: not shown
    for identifier in [line.requirement.identifier for line in soa.lines.select_related("requirement")]:
        services.soa_line_update(
            actor=officer, line=_line(soa, identifier), data={"applicable": True, "business_need": "Needed."}
        )
    services.soa_approve(actor=officer, soa=soa, note="First")
    services.soa_line_update(
        actor=officer,
        line=_line(soa, "A.10.4"),
        data={
            "applicable": False,
            "exclusion_reason": "outsourced",
            "exclusion_justification": "We sell to no one.\nNot even “friends”.\u2028Really.",
            "owner": members["contributor"],
        },
    )
    services.soa_line_update(
        actor=officer,
        line=_line(soa, "A.7.5"),
        data={
            "applicable": True,
            "risks": [unscored, scored],
            "obligations": "EU AI Act, Art. 10",
            "business_need": "",
            "owner": officer,
        },
    )
    line = _line(soa, "A.2.2")
    line.notes = "Reviewed yearly."
    line.save()
    line = _line(soa, "A.3.2")
    line.applicable = None
    line.save()
    return {"controls": (both, planned), "risks": (scored, inherent_only, unscored)}


def _serialised(serializer) -> bytes:
    return JSONRenderer().render(serializer.data)


def test_the_soa_api_writes_what_its_serializer_writes(rich_soa, org, officer, api_for):
    response = api_for(officer, org).get("/api/v1/soa/")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert json.loads(_serialised(SoASerializer(body))) == body
    assert response.content == _serialised(SoASerializer(body))  # same text, not only the same values

    lines = {line["identifier"]: line for line in body["lines"]}
    both, planned = rich_soa["controls"]
    scored, inherent_only, unscored = rich_soa["risks"]
    assert (body["version"], body["status"], body["approved_by"]) == (2, "draft", officer.username)
    assert body["approved_at"].endswith("Z")
    assert body["summary"] == {
        "total": 38,
        "applicable": 36,
        "excluded": 1,
        "undecided": 1,
        "implemented": 1,
        "with_problems": 1,
    }
    a74 = lines["A.7.4"]
    assert [c["reference"] for c in a74["controls"]] == sorted([both.reference, planned.reference])
    assert a74["implementation_status"] == "partial" and a74["section"] == "A.7"
    assert a74["risks"] == sorted(
        [
            {
                "reference": scored.reference,
                "title": scored.title,
                "level": scored.residual_level,
                "via": both.reference,
            },
            {
                "reference": inherent_only.reference,
                "title": inherent_only.title,
                "level": inherent_only.inherent_level,
                "via": both.reference,
            },
            {"reference": unscored.reference, "title": unscored.title, "level": "", "via": planned.reference},
        ],
        key=lambda r: r["reference"],
    )
    a75 = lines["A.7.5"]
    assert {r["reference"]: r["via"] for r in a75["risks"]} == {
        scored.reference: "line",
        inherent_only.reference: both.reference,
        unscored.reference: "line",
    }
    assert (a75["owner"], a75["obligations"], a75["implementation_status"]) == (
        "Olivia Officer",
        "EU AI Act, Art. 10",
        "implemented",
    )
    a104 = lines["A.10.4"]
    assert (a104["applicable"], a104["implementation_status"], a104["owner"]) == (
        False,
        "not_applicable",
        "contributor-acme",
    )
    assert a104["exclusion_justification"] == "We sell to no one.\nNot even “friends”.\u2028Really."
    assert a104["exclusion_reason_label"]
    assert lines["A.6.2.2"]["implementation_status"] == "not_started"
    assert lines["A.6.2.2"]["section"] == "A.6" and lines["A.6.2.2"]["section_title"]
    assert lines["A.2.2"]["notes"] == "Reviewed yearly." and lines["A.3.2"]["applicable"] is None


def test_the_lines_api_writes_what_its_serializer_writes(rich_soa, soa, org, officer, api_for):
    api = api_for(officer, org)
    whole = {line["identifier"]: line for line in api.get("/api/v1/soa/").json()["lines"]}
    for query in (
        "",
        "?applicable=false",
        "?owner=contributor-acme",
        "?identifier=a.7.5",
        "?undecided=true",
        "?search=data",
    ):
        response = api.get(f"/api/v1/soa/lines/{query}")
        assert response.status_code == 200
        body = json.loads(response.content)
        assert response.content == _serialised(SoALineSerializer(body, many=True))
        assert body == [whole[line["identifier"]] for line in body]
    assert [line["identifier"] for line in api.get("/api/v1/soa/lines/?applicable=false").json()] == ["A.10.4"]
    line = _line(soa, "A.7.5")
    one = api.get(f"/api/v1/soa/lines/{line.pk}/")
    assert one.json() == whole["A.7.5"] and one["ETag"]
    changed = api.patch(f"/api/v1/soa/lines/{line.pk}/", {"obligations": "Checked."}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {**whole["A.7.5"], "obligations": "Checked."}


def test_the_soa_api_creates_a_missing_line_before_answering(soa, org, officer, api_for):
    soa.lines.filter(requirement__identifier="A.7.4").delete()
    body = api_for(officer, org).get("/api/v1/soa/").json()
    assert len(body["lines"]) == 38 and "A.7.4" in {line["identifier"] for line in body["lines"]}
    assert soa.lines.count() == 38


def test_the_soa_api_answers_in_three_queries(rich_soa, org, officer, api_for, django_assert_max_num_queries):
    api = api_for(officer, org)
    api.get("/api/v1/soa/")
    with django_assert_max_num_queries(3):  # the token, the SoA with its lines, their controls and risks
        assert api.get("/api/v1/soa/").status_code == 200
