"""The catalogue API: shipped + own rows, filters, mappings inline, read-only shipped rows, isolation."""

import pytest

from controls import services
from controls.models import Framework, Requirement, RequirementMapping
from controls.tests.factories import FrameworkFactory, MappingFactory, RequirementFactory
from tests.query_budget import MANY_ROWS, assert_queries_do_not_grow

FRAMEWORKS = "/api/v1/frameworks/"
REQUIREMENTS = "/api/v1/requirements/"
MAPPINGS = "/api/v1/requirement-mappings/"


def shipped(identifier, key="iso42001"):
    return Requirement.objects.get(framework__key=key, identifier=identifier, organisation__isnull=True)


def test_frameworks_lists_shipped_and_own_only(catalogue, own_framework, officer, org, api_for, other_org, outsider):
    services.framework_create(actor=outsider, organisation=other_org, data={"key": "globex", "name": "Globex secret"})
    body = api_for(officer, org).get(FRAMEWORKS).json()
    keys = {row["key"]: row for row in body["results"]}
    assert set(keys) == {"iso42001", "nist_ai_rmf", "eu_ai_act", "iso27001", "gdpr", "acme-policy"}
    assert keys["iso42001"]["shipped"] is True and keys["iso42001"]["requirement_count"] == 114
    assert keys["acme-policy"]["shipped"] is False


def test_requirements_filter_by_framework_kind_identifier_and_include_mappings(catalogue, officer, org, api_for):
    api = api_for(officer, org)
    body = api.get(REQUIREMENTS, {"framework": "iso42001", "kind": "annex_a_control", "page_size": 100}).json()
    assert body["count"] == 38
    body = api.get(REQUIREMENTS, {"framework": "nist_ai_rmf", "identifier": "govern 1.1"}).json()
    (row,) = body["results"]
    assert row["statement"].startswith("Legal and regulatory requirements")
    targets = {(link["framework"], link["identifier"], link["origin"]) for link in row["mappings"]}
    assert targets == {
        ("iso42001", "4.1", "shipped"),
        ("iso42001", "6.2", "shipped"),
        ("iso42001", "A.2.2", "shipped"),
        ("iso42001", "A.2.4", "shipped"),
    }
    assert {link["direction"] for link in row["mappings"]} == {"to"}
    assert row["mappings"][0]["source"].startswith("NIST AI RMF to ISO/IEC FDIS 42001")


def test_requirements_filter_by_parent_and_search(catalogue, officer, org, api_for):
    api = api_for(officer, org)
    parent = shipped("A.6.2")
    body = api.get(REQUIREMENTS, {"parent": str(parent.pk)}).json()
    assert [row["identifier"] for row in body["results"]] == [f"A.6.2.{n}" for n in range(2, 9)]
    body = api.get(REQUIREMENTS, {"framework": "iso27001", "search": "threat intelligence"}).json()
    assert [row["identifier"] for row in body["results"]] == ["A.5.7"]


def test_a_requirement_shows_mappings_from_other_frameworks_too(catalogue, officer, org, api_for):
    row = api_for(officer, org).get(f"{REQUIREMENTS}{shipped('4.1').pk}/").json()
    frameworks = {(link["framework"], link["direction"]) for link in row["mappings"]}
    assert ("nist_ai_rmf", "from") in frameworks and ("iso27001", "to") in frameworks


def test_own_mapping_created_through_the_api_is_labelled_as_ours(catalogue, contributor_api, org):
    response = contributor_api.post(
        MAPPINGS,
        {
            "source": str(shipped("A.6.2.8").pk),
            "target": str(shipped("A.8.15", "iso27001").pk),
            "relationship": "intersects",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["origin"] == "own" and body["source_label"] == "Your mapping"
    assert body["target_framework"] == "iso27001" and body["target_identifier"] == "A.8.15"
    assert RequirementMapping.objects.own(org).count() == 1


@pytest.fixture
def contributor_api(members, org, api_for):
    return api_for(members["contributor"], org)


def test_writes_to_shipped_rows_answer_403(catalogue, officer, org, api_for):
    api = api_for(officer, org)
    mapping = RequirementMapping.objects.published().first()
    framework, requirement = catalogue["iso42001"], shipped("A.6.2.4")
    for url in (f"{MAPPINGS}{mapping.pk}/", f"{FRAMEWORKS}{framework.pk}/", f"{REQUIREMENTS}{requirement.pk}/"):
        assert api.patch(url, {"note": "mine", "name": "mine", "title": "mine"}, format="json").status_code == 403, url
        assert api.delete(url).status_code == 403, url
    requirement.refresh_from_db()
    assert requirement.title == "AI system verification and validation"
    assert RequirementMapping.objects.filter(pk=mapping.pk).exists()


def test_a_requirement_cannot_be_added_to_a_shipped_framework(catalogue, officer, org, api_for):
    response = api_for(officer, org).post(
        REQUIREMENTS, {"framework": "iso42001", "identifier": "A.99", "title": "Mine"}, format="json"
    )
    assert response.status_code == 400
    assert "shipped frameworks are read-only" in response.json()["framework"][0]


def test_own_framework_and_requirement_round_trip(catalogue, officer, org, api_for):
    api = api_for(officer, org)
    response = api.post(FRAMEWORKS, {"key": "vendor-q", "name": "Vendor questionnaire"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "custom"
    section = api.post(
        REQUIREMENTS,
        {"framework": "vendor-q", "identifier": "S1", "title": "Security", "assessable": False},
        format="json",
    ).json()
    response = api.post(
        REQUIREMENTS,
        {"framework": "vendor-q", "identifier": "S1.1", "title": "Pen tests", "parent": section["id"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["parent_identifier"] == "S1" and response.json()["depth"] == 1
    assert api.post(FRAMEWORKS, {"key": "iso42001", "name": "Clash"}, format="json").status_code == 400


def test_another_organisations_rows_are_404_and_not_linkable(catalogue, officer, org, api_for, other_org, outsider):
    theirs = services.framework_create(actor=outsider, organisation=other_org, data={"key": "globex", "name": "Globex"})
    their_requirement = services.requirement_create(
        actor=outsider, framework=theirs, data={"identifier": "G1", "title": "T"}
    )
    their_mapping = services.mapping_create(
        actor=outsider, organisation=other_org, data={"source": their_requirement, "target": shipped("A.2.2")}
    )
    api = api_for(officer, org)
    for url in (
        f"{FRAMEWORKS}{theirs.pk}/",
        f"{REQUIREMENTS}{their_requirement.pk}/",
        f"{MAPPINGS}{their_mapping.pk}/",
    ):
        assert api.get(url).status_code == 404, url
        assert api.delete(url).status_code == 404, url
    response = api.post(
        MAPPINGS, {"source": str(their_requirement.pk), "target": str(shipped("A.2.2").pk)}, format="json"
    )
    assert response.status_code == 400
    listed = api.get(MAPPINGS, {"requirement": str(shipped("A.2.2").pk), "page_size": 500}).json()
    assert str(their_mapping.pk) not in {row["id"] for row in listed["results"]}


def test_read_only_token_cannot_create_mappings(catalogue, officer, org, api_for):
    api = api_for(officer, org, read_only=True)
    response = api.post(
        MAPPINGS, {"source": str(shipped("A.2.2").pk), "target": str(shipped("A.2.3").pk)}, format="json"
    )
    assert response.status_code == 403


def test_viewer_cannot_create_a_framework(catalogue, members, org, api_for):
    response = api_for(members["viewer"], org).post(FRAMEWORKS, {"key": "x", "name": "X"}, format="json")
    assert response.status_code == 403


# --- Query budgets ------------------------------------------------------------------------------------


def test_list_endpoints_cost_the_same_queries_for_5_and_50_rows(catalogue, org, officer, api_for):
    target = shipped("A.6.2.4")

    def grow(n):
        for _ in range(n):
            requirement = RequirementFactory(framework=FrameworkFactory(organisation=org))
            MappingFactory(organisation=org, source=requirement, target=target)
            MappingFactory(organisation=org, source=target, target=requirement)

    api = api_for(officer, org)
    assert_queries_do_not_grow(
        grow,
        [
            (api, FRAMEWORKS, {"origin": "own", "page_size": 500}),
            (api, REQUIREMENTS, {"page_size": 500}),
            (api, REQUIREMENTS, {"framework": "iso42001", "page_size": 500}),
            (api, MAPPINGS, {"origin": "own", "page_size": 500}),
        ],
    )
    assert Framework.objects.own(org).count() == MANY_ROWS
