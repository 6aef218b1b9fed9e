"""OSCAL: every exported document validates against NIST's OSCAL 1.2 JSON schema; a catalog imports back."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations import oscal

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(seeded_demo):
    """Northwind (seeded once for the module), its officer and its viewer."""
    return seeded_demo.northwind, seeded_demo.users["officer"], seeded_demo.users["viewer"]


def _download(client, kind, **params):
    response = client.get(reverse("integrations:oscal-download", args=[kind]), params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    return json.loads(response.content)


def test_every_document_validates_against_the_oscal_schema(demo, client_for):
    from audits.models import Audit
    from controls.models import Control, Framework, SoALine
    from registry.models import AISystem

    organisation, officer, viewer = demo
    client = client_for(viewer)  # reading is enough
    own = Framework.objects.filter(organisation=organisation).first()
    documents = {
        "catalog (shipped)": _download(client, "catalog", framework="iso42001"),
        "catalog (own)": _download(client, "catalog", framework=own.key),
        "profile": _download(client, "profile"),
        "component-definition": _download(client, "component-definition"),
        "assessment-results": _download(client, "assessment-results"),
    }
    for name, document in documents.items():
        assert oscal.validate(document) == [], name
        root = next(iter(document.values()))
        assert root["metadata"]["oscal-version"] == oscal.OSCAL_VERSION

    own_ids = {oscal.token(i) for i in own.requirements.values_list("identifier", flat=True)}

    def ids(controls):
        for control in controls:
            yield control["id"]
            yield from ids(control.get("controls", []))

    assert set(ids(documents["catalog (own)"]["catalog"]["controls"])) == own_ids

    applicable = SoALine.objects.filter(organisation=organisation, applicable=True)
    selected = documents["profile"]["profile"]["imports"][0]["include-controls"][0]["with-ids"]
    assert sorted(selected) == sorted(oscal.token(line.requirement.identifier) for line in applicable)
    assert len(selected) < SoALine.objects.filter(organisation=organisation).count()  # excluded ones stay out

    components = documents["component-definition"]["component-definition"]["components"]
    assert len(components) == AISystem.objects.filter(organisation=organisation).count()
    implemented = [
        r for c in components for ci in c.get("control-implementations", []) for r in ci["implemented-requirements"]
    ]
    assert implemented and any(
        Control.objects.filter(organisation=organisation, reference=p["value"]).exists()
        for r in implemented
        for p in r["props"]
        if p["name"] == "implemented-by"
    )

    audit = Audit.objects.filter(organisation=organisation).order_by("-created_at").first()
    result = documents["assessment-results"]["assessment-results"]["results"][0]
    assert len(result.get("findings", [])) == audit.findings.count() > 0
    states = {f["target"]["status"]["state"] for f in result["findings"]}
    assert "not-satisfied" in states


def test_the_validator_finds_errors():
    """So that the test above can fail: a broken document is reported with its path."""
    assert oscal.validate({"catalog": {"uuid": "not-a-uuid"}})
    document = {
        "catalog": {
            "uuid": oscal.stable_uuid("x"),
            "metadata": {"title": "T", "last-modified": "yesterday", "version": "1", "oscal-version": "1.2.3"},
        }
    }
    assert any("last-modified" in e for e in oscal.validate(document))
    assert oscal.validate({"catalogue": {}})


@pytest.mark.parametrize("identifier", ["A.6.2.4", "GOVERN 1.1", "Art. 9", "6.1", "Q1", "Ü-7"])
def test_control_ids_are_oscal_tokens(identifier):
    import re

    assert re.match(r"^[^\W\d_]|_", oscal.token(identifier))
    assert re.fullmatch(r"([^\W\d_]|_)([^\W\d_]|\d|[.\-_])*", oscal.token(identifier))


def test_an_exported_catalog_imports_back_as_an_own_framework(demo, client_for):
    from controls.models import Framework

    organisation, officer, _ = demo
    own = Framework.objects.filter(organisation=organisation).first()
    exported = json.dumps(oscal.catalog(own)).encode()
    count = Framework.objects.count()

    dry = oscal.import_catalog(actor=officer, organisation=organisation, content=exported, key="copy", dry_run=True)
    assert dry.ok and dry.created == own.requirements.count() and dry.framework is None
    assert Framework.objects.count() == count  # a dry run writes nothing

    response = client_for(officer).post(
        reverse("integrations:oscal-import"),
        {"file": SimpleUploadedFile("catalog.json", exported), "key": "copy", "dry_run": ""},
    )
    assert response.status_code == 302
    copy = Framework.objects.get(organisation=organisation, key="copy")
    pairs = lambda f: sorted(f.requirements.values_list("identifier", "title", "parent__identifier"))  # noqa: E731
    assert pairs(copy) == pairs(own)
    again = oscal.import_catalog(actor=officer, organisation=organisation, content=exported, key="copy", dry_run=False)
    assert again.ok and again.created == 0 and again.unchanged == own.requirements.count()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"profile": {}}', "not an OSCAL catalog"),
        (b'{"catalog": {"uuid": "x"}}', "metadata"),
    ],
)
def test_a_bad_catalog_is_refused_with_its_errors(demo, client_for, content, message):
    from controls.models import Framework

    organisation, officer, _ = demo
    count = Framework.objects.count()
    response = client_for(officer).post(
        reverse("integrations:oscal-import"), {"file": SimpleUploadedFile("c.json", content), "dry_run": "on"}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert Framework.objects.count() == count


def test_api_serves_documents_and_imports_catalogs(demo, api_for, other_org, make_member):
    from audits.tests.factories import AuditFactory
    from controls.models import Framework

    organisation, officer, viewer = demo
    api = api_for(viewer, organisation)
    profile = api.get("/api/v1/oscal/profile/")
    assert profile.status_code == 200 and oscal.validate(profile.json()) == []
    assert api.get("/api/v1/oscal/nonsense/").status_code == 404
    foreign = AuditFactory(organisation=other_org)
    assert api.get("/api/v1/oscal/assessment-results/", {"audit": str(foreign.pk)}).status_code == 404
    catalog = json.dumps(oscal.catalog(Framework.objects.filter(organisation=organisation).first())).encode()
    upload = {"file": SimpleUploadedFile("c.json", catalog), "key": "via-api"}
    assert api.post("/api/v1/oscal-import/", upload, format="multipart").status_code == 403  # a viewer
    response = api_for(officer, organisation).post(
        "/api/v1/oscal-import/", {"file": SimpleUploadedFile("c.json", catalog), "key": "via-api"}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["dry_run"] is True and response.json()["created"] > 0
    assert not Framework.objects.filter(key="via-api").exists()


def test_the_oscal_page_lists_the_documents(demo, client_for):
    organisation, officer, _ = demo
    page = client_for(officer).get(reverse("integrations:oscal"))
    assert page.status_code == 200
    for label in ("Download catalog", "Download profile", "Download component definition", "Import an OSCAL catalog"):
        assert label in page.content.decode()


def test_documents_are_built_in_the_site_language_whoever_reads(org, officer, monkeypatch):
    """OSCAL content is machine-facing: a German reader's request must not translate titles or statuses."""
    from django.utils import translation

    from integrations.services.oscal_documents import build

    seen = []
    monkeypatch.setattr(
        oscal, "component_definition", lambda organisation: seen.append(translation.get_language()) or {}
    )
    with translation.override("de"):
        build(officer, org, "component-definition", {})
        assert translation.get_language() == "de"
    assert seen == ["en-gb"]


def test_a_refusal_reaches_a_german_reader_in_german(org, officer, api_for):
    from django.utils import translation

    with translation.override("de"):
        response = api_for(officer, org).get("/api/v1/oscal/component-definition/", HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 400
        assert response.json()["detail"] == "Das Inventar enthält noch kein KI-System."
