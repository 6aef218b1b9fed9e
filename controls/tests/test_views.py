"""Catalogue pages: what each role sees and may do, shipped rows read-only, exports, query budgets."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import ROLES
from controls import services
from controls.models import Framework, Requirement, RequirementMapping
from controls.tests.factories import FrameworkFactory, MappingFactory, RequirementFactory
from tests.query_budget import assert_queries_do_not_grow


def shipped(identifier, key="iso42001"):
    return Requirement.objects.get(framework__key=key, identifier=identifier, organisation__isnull=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_catalogue_pages(catalogue, members, client_for, role):
    client = client_for(members[role])
    control = shipped("A.6.2.4")
    pages = [
        reverse("controls:framework-list"),
        reverse("controls:framework-detail", args=[catalogue["iso42001"].pk]),
        reverse("controls:framework-detail", args=[catalogue["iso42001"].pk]) + "?tab=about",
        reverse("controls:framework-detail", args=[catalogue["iso42001"].pk]) + "?tab=history",
        reverse("controls:requirement-detail", args=[control.pk]),
        reverse("controls:requirement-detail", args=[control.pk]) + "?tab=history",
        reverse("controls:requirement-list") + "?q=logging",
        reverse("controls:mapping-list"),
        reverse("controls:crosswalk"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_framework_list_shows_shipped_and_own_with_counts(catalogue, own_framework, officer, client_for):
    RequirementFactory(framework=own_framework)
    page = client_for(officer).get(reverse("controls:framework-list")).content.decode()
    assert "ISO/IEC 42001" in page and "Acme AI policy" in page
    assert "Your own" in page and "Shipped" in page
    framework = Framework.objects.with_counts().get(key="iso42001")
    assert (framework.requirement_count, framework.assessable_count) == (114, 70)


def test_framework_tree_is_searchable_and_filterable_by_kind(catalogue, officer, client_for):
    url = reverse("controls:framework-detail", args=[catalogue["iso42001"].pk])
    client = client_for(officer)
    full = client.get(url).content.decode()
    assert full.count('class="tree-item"') == 114
    searched = client.get(url, {"q": "verification"})
    assert searched.context["match_count"] == 1
    assert "A.6.2.4" in searched.content.decode() and "A.7.2" not in searched.content.decode()
    controls_only = client.get(url, {"kind": "annex_c_risk_source"})
    assert controls_only.context["match_count"] == 7


def test_requirement_page_shows_guidance_and_links_in_every_framework(catalogue, officer, org, client_for):
    services.mapping_create(
        actor=officer, organisation=org, data={"source": shipped("4.1"), "target": shipped("Art. 4", "eu_ai_act")}
    )
    page = client_for(officer).get(reverse("controls:requirement-detail", args=[shipped("4.1").pk])).content.decode()
    assert "Documented analysis of internal/external issues" in page  # our own guidance line
    assert 'data-testid="links-nist_ai_rmf"' in page and 'data-testid="links-iso27001"' in page
    assert 'data-testid="links-eu_ai_act"' in page
    assert "Your mapping" in page
    assert "NIST AI RMF to ISO/IEC FDIS 42001" in page
    assert "ISO harmonized structure" in page


def test_shipped_rows_cannot_be_edited_or_deleted_in_the_ui(catalogue, officer, client_for):
    client = client_for(officer)
    framework, requirement = catalogue["iso42001"], shipped("A.6.2.4")
    mapping = RequirementMapping.objects.published().first()
    for url in [
        reverse("controls:framework-update", args=[framework.pk]),
        reverse("controls:framework-import", args=[framework.pk]),
        reverse("controls:requirement-create", args=[framework.pk]),
        reverse("controls:requirement-update", args=[requirement.pk]),
        reverse("controls:mapping-update", args=[mapping.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    for url in [
        reverse("controls:framework-delete", args=[framework.pk]),
        reverse("controls:requirement-delete", args=[requirement.pk]),
        reverse("controls:mapping-delete", args=[mapping.pk]),
    ]:
        assert client.post(url).status_code == 403, url
    page = client.get(reverse("controls:framework-detail", args=[framework.pk])).content.decode()
    assert "Add requirement" not in page and "Import CSV" not in page


def test_officer_creates_a_framework_adds_requirements_and_a_mapping(catalogue, officer, client_for):
    client = client_for(officer)
    response = client.post(
        reverse("controls:framework-create"),
        {"name": "Customer questionnaire", "key": "bank-questionnaire", "version": "2026", "kind": "custom"},
    )
    framework = Framework.objects.get(key="bank-questionnaire")
    assert response.status_code == 302
    response = client.post(
        reverse("controls:requirement-create", args=[framework.pk]),
        {"identifier": "Q1", "title": "Do you test your models for bias?", "kind": "question", "assessable": "on"},
    )
    question = framework.requirements.get(identifier="Q1")
    assert response.url == reverse("controls:requirement-detail", args=[question.pk])
    response = client.post(
        reverse("controls:mapping-create") + f"?source={question.pk}",
        {
            "source_framework": framework.pk,
            "source_identifier": "Q1",
            "target_framework": catalogue["iso42001"].pk,
            "target_identifier": "a.7.4",
            "relationship": "intersects",
            "note": "Our reading",
        },
    )
    assert response.status_code == 302
    mapping = RequirementMapping.objects.get(source=question)
    assert mapping.target == shipped("A.7.4") and mapping.organisation_id == framework.organisation_id


def test_mapping_form_names_an_unknown_identifier(catalogue, officer, client_for):
    response = client_for(officer).post(
        reverse("controls:mapping-create"),
        {
            "source_framework": catalogue["iso42001"].pk,
            "source_identifier": "A.6.2.4",
            "target_framework": catalogue["iso27001"].pk,
            "target_identifier": "A.99.9",
            "relationship": "related",
        },
    )
    assert response.status_code == 200
    assert "ISO/IEC 27001 has no requirement “A.99.9”." in response.content.decode()
    assert not RequirementMapping.objects.filter(organisation__isnull=False).exists()


def test_a_malformed_source_id_in_the_query_is_ignored(catalogue, officer, client_for):
    assert client_for(officer).get(reverse("controls:mapping-create") + "?source=not-a-uuid").status_code == 200


def test_csv_import_page_lists_bad_lines_and_saves_nothing(own_framework, officer, client_for):
    upload = io.BytesIO(b"identifier,title,parent identifier\nQ1,First,\nQ2,,\nQ3,Third,Q9\n")
    upload.name = "questions.csv"
    response = client_for(officer).post(reverse("controls:framework-import", args=[own_framework.pk]), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported." in page
    assert "<td>3</td><td>The title is empty.</td>" in page
    assert "<td>4</td><td>The parent identifier “Q9” is neither in the file nor in the framework.</td>" in page
    assert not own_framework.requirements.exists()


def test_csv_import_page_imports_a_good_file(own_framework, officer, client_for):
    upload = io.BytesIO("identifier,title\nQ1,Données personnelles\n".encode())
    upload.name = "questions.csv"
    response = client_for(officer).post(reverse("controls:framework-import", args=[own_framework.pk]), {"file": upload})
    assert response.status_code == 302
    assert own_framework.requirements.get().title == "Données personnelles"


def test_framework_export_round_trips_through_the_import(own_framework, officer, client_for):
    services.requirements_import(
        actor=officer, framework=own_framework, content=b"identifier,title,parent identifier\nS1,Section,\nQ1,Q,S1\n"
    )
    client = client_for(officer)
    url = reverse("controls:framework-detail", args=[own_framework.pk])
    exported = b"".join(client.get(url, {"export": "csv"}).streaming_content)
    other = services.framework_create(
        actor=officer, organisation=own_framework.organisation, data={"key": "copy", "name": "C"}
    )
    result = services.requirements_import(actor=officer, framework=other, content=exported)
    assert result.ok and result.created == 2
    assert other.requirements.get(identifier="Q1").parent.identifier == "S1"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_crosswalk_exports_the_pairs_between_two_frameworks(catalogue, officer, client_for, fmt):
    url = reverse("controls:crosswalk")
    response = client_for(officer).get(
        url, {"a": catalogue["iso42001"].pk, "b": catalogue["nist_ai_rmf"].pk, "export": fmt}
    )
    assert response.status_code == 200
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        assert rows[0][0] == "ISO/IEC 42001 identifier" and len(rows) == 281
    else:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert body.count("NIST AI RMF to ISO/IEC FDIS 42001") == 280
        assert "ISO/IEC 42001 identifier" in body


def test_crosswalk_filters_by_origin_and_search(catalogue, officer, org, client_for):
    services.mapping_create(
        actor=officer,
        organisation=org,
        data={"source": shipped("GOVERN 1.1", "nist_ai_rmf"), "target": shipped("A.7.4")},
    )
    client = client_for(officer)
    params = {"a": catalogue["nist_ai_rmf"].pk, "b": catalogue["iso42001"].pk}
    assert client.get(reverse("controls:crosswalk"), params).context["page_obj"].paginator.count == 281
    own = client.get(reverse("controls:crosswalk"), {**params, "origin": "own"})
    assert own.context["page_obj"].paginator.count == 1 and "Your mapping" in own.content.decode()
    searched = client.get(reverse("controls:crosswalk"), {**params, "q": "GOVERN 1.1"})
    assert searched.context["page_obj"].paginator.count == 5


def test_crosswalk_asks_for_two_different_frameworks(catalogue, officer, client_for):
    fw = catalogue["iso42001"].pk
    response = client_for(officer).get(reverse("controls:crosswalk"), {"a": fw, "b": fw})
    assert "Choose two different frameworks." in response.content.decode()


def test_viewer_and_auditor_cannot_add_frameworks_or_mappings(catalogue, members, client_for):
    for role in ("viewer", "auditor"):
        client = client_for(members[role])
        assert client.get(reverse("controls:framework-create")).status_code == 403
        assert client.get(reverse("controls:mapping-create")).status_code == 403


def test_contributor_edits_what_they_created_but_not_others(catalogue, members, org, client_for):
    contributor, officer = members["contributor"], members["officer"]
    mine = services.framework_create(actor=contributor, organisation=org, data={"key": "mine", "name": "Mine"})
    theirs = services.framework_create(actor=officer, organisation=org, data={"key": "theirs", "name": "Theirs"})
    client = client_for(contributor)
    assert client.get(reverse("controls:requirement-create", args=[mine.pk])).status_code == 200
    assert client.get(reverse("controls:requirement-create", args=[theirs.pk])).status_code == 403


# --- Query budgets: the same number of queries with 5 and with 50 rows --------------------------------


def test_list_crosswalk_and_tree_pages_cost_the_same_queries_for_5_and_50_rows(catalogue, org, officer, client_for):
    own = FrameworkFactory(organisation=org)
    target = shipped("A.6.2.4")

    def grow(n):
        """n own frameworks, each with a requirement mapped to a shipped control, and n mappings of one of them."""
        for _ in range(n):
            requirement = RequirementFactory(framework=FrameworkFactory(organisation=org))
            MappingFactory(organisation=org, source=requirement, target=target)
            MappingFactory(organisation=org, source=RequirementFactory(framework=own), target=target)

    client = client_for(officer)
    assert_queries_do_not_grow(
        grow,
        [
            (client, reverse("controls:framework-list")),
            (client, reverse("controls:framework-list"), {"export": "csv"}),
            (client, reverse("controls:requirement-list"), {"page_size": 200}),
            (client, reverse("controls:mapping-list"), {"origin": "own", "page_size": 200}),
            (client, reverse("controls:mapping-list"), {"origin": "own", "export": "json"}),
            (client, reverse("controls:crosswalk"), {"a": own.pk, "b": catalogue["iso42001"].pk}),
            (client, reverse("controls:framework-detail", args=[own.pk])),
            (client, reverse("controls:requirement-detail", args=[target.pk])),
        ],
    )
