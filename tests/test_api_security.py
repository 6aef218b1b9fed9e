"""API security (issue 10): optimistic concurrency, idempotent creates, resource limits, headers, uploads and
mass assignment — the cross-cutting parts in aims/api/safety.py, aims/concurrency.py, aims/crud.py."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from registry.models import AISystem
from registry.tests.factories import AISystemFactory

API = "/api/v1/ai-systems/"


def _detail(system):
    return f"{API}{system.pk}/"


# --- ETag / If-Match -------------------------------------------------------------------------------------
def test_get_answers_an_etag_and_a_stale_if_match_is_412(org, officer, api_for):
    system = AISystemFactory(organisation=org, name="Triage")
    api = api_for(officer, org)
    etag = api.get(_detail(system))["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    first = api.patch(_detail(system), {"name": "Triage v2"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag and first["ETag"] == api.get(_detail(system))["ETag"]
    stale = api.patch(_detail(system), {"name": "Lost update"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert AISystem.objects.get(pk=system.pk).name == "Triage v2"
    assert api.delete(_detail(system), HTTP_IF_MATCH=etag).status_code == 412
    assert api.delete(_detail(system), HTTP_IF_MATCH=first["ETag"]).status_code == 204


def test_every_object_read_of_the_api_answers_an_etag(org, members, api_for):
    """Every API route with a ``retrieve`` action, on an object of the caller's organisation."""
    from tests.test_tenant_isolation import ROUTE_MODELS, ROUTES, _factory_for

    api = api_for(members["admin"], org)
    checked = []
    for name, model, methods, arguments in ROUTES:
        if arguments != ("pk",) or not name.endswith("-detail") or "get" not in methods or name in ROUTE_MODELS:
            continue
        if name in ("membership-detail", "apitoken-detail", "accesslog-detail"):
            continue  # accounts' read-only API (members, tokens, the access log): no writes to protect
        if name.startswith("accounts"):
            continue  # accounts' token/membership API, read-only by design
        target = _factory_for(model)(org)
        url = reverse(name, kwargs={"pk": target.pk})
        if not url.startswith("/api/"):
            continue  # a web page (every app's, whatever its namespace): the API's concurrency does not apply
        response = api.get(url)
        if response.status_code == 404:
            continue  # a record the route does not show (another SoA version's line); isolation is proved elsewhere
        assert response.status_code == 200, (name, response.status_code)
        assert response.has_header("ETag"), f"{name} answers no ETag"
        checked.append(name)
    assert len(checked) > 20, checked


# --- Idempotency-Key -------------------------------------------------------------------------------------
def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(org, officer, api_for):
    api = api_for(officer, org)
    body = {"name": "Fraud scoring", "intended_purpose": "Score card payments.", "scope_justification": "Core."}
    first = api.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = api.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert AISystem.objects.filter(organisation=org, name="Fraud scoring").count() == 1
    other = api.post(API, {**body, "name": "Something else"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    fresh = api.post(API, {**body, "name": "Something else"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert fresh.status_code == 201
    assert AISystem.objects.filter(organisation=org).count() == 2


def test_a_refused_create_does_not_burn_its_key(org, officer, api_for):
    api = api_for(officer, org)
    assert api.post(API, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    body = {"name": "Chatbot", "intended_purpose": "Answer questions.", "scope_justification": "Customer facing."}
    assert api.post(API, body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201


# --- Forms: a concurrent edit is detected ------------------------------------------------------------------
def test_form_refuses_to_overwrite_a_concurrent_edit(org, officer, client_for):
    system = AISystemFactory(organisation=org, name="Triage")
    client = client_for(officer)
    url = reverse("registry:aisystem-update", args=[system.pk])
    page = client.get(url)
    version = re.search(r'name="_version" value="([0-9a-f]+)"', page.content.decode()).group(1)
    AISystem.objects.filter(pk=system.pk).update(name="Changed by someone else")
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None and not isinstance(v, list)}
    response = client.post(url, {**form, "name": "Mine", "_version": version})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert AISystem.objects.get(pk=system.pk).name == "Changed by someone else"


# --- Resource limits -------------------------------------------------------------------------------------
def test_page_size_is_capped(org, officer, api_for):
    api = api_for(officer, org)
    response = api.get(API, {"page_size": 100000})
    assert response.status_code == 200
    from aims.api.pagination import StandardPagination

    assert StandardPagination.max_page_size <= 500


def test_a_body_over_the_limit_is_413_json(org, officer, api_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    api = api_for(officer, org)
    response = api.post(API, {"name": "x" * 5000}, format="json")
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    settings.REQUEST_MAX_BYTES = 2048
    response = api.post(API, {"name": "x" * 5000}, format="json")
    assert response.status_code == 413 and "larger than" in response.json()["detail"]


def test_exports_are_rate_limited_per_organisation(org, other_org, officer, outsider, api_for, client_for, settings):
    settings.AIMS_EXPORT_RATE = "2/hour"
    client = client_for(officer)
    url = reverse("registry:aisystem-list")
    assert [client.get(url, {"export": "csv"}).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url).status_code == 200  # browsing is not an export
    assert client_for(outsider).get(url, {"export": "csv"}).status_code == 200  # another organisation's budget


# --- Headers, CSP, templates -----------------------------------------------------------------------------
def test_pages_carry_a_strict_csp_and_the_security_headers(officer, client_for):
    response = client_for(officer).get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_doc_pages_relax_styles_only(client, db):
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        csp = client.get(url)["Content-Security-Policy"]
        assert "style-src 'self' 'unsafe-inline'" in csp
        assert "script-src 'self';" in csp + ";"


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP forbids them: behaviour lives in static files (static/js/aims.js: data-confirm, data-autosubmit)."""
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "pdf" in path.parts:  # PDFs are rendered by WeasyPrint, never by a browser
            continue
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert not offenders, offenders


def test_production_settings_send_hsts():
    from django.conf import settings

    assert settings.SECURE_CONTENT_TYPE_NOSNIFF
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE


# --- Uploads ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", b"<html><script>alert(1)</script>"), ("image.png", b"<html><script>alert(1)</script>")],
)
def test_uploads_are_sniffed_and_html_is_refused(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims.services import ServiceError
    from controls.uploads import check_upload, clean_file_name

    with pytest.raises(ServiceError):
        check_upload(SimpleUploadedFile(name, content, content_type="image/png"))
    assert clean_file_name('..\\..\\etc/"pass<wd>.txt') == "passwd.txt"


def test_evidence_is_downloaded_as_an_attachment_never_inline(org, officer, client_for):
    from controls.models import EvidenceRevision
    from controls.tests.factories import EvidenceRevisionFactory
    from controls.views_evidence import revision_file_response
    from tests.isolation_factories import FACTORIES

    revision = FACTORIES[EvidenceRevision](org)
    response = revision_file_response(revision)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert EvidenceRevisionFactory  # the factory the isolation matrix uses


# --- Mass assignment -------------------------------------------------------------------------------------
PROTECTED = re.compile(r"^(organisation(_id)?|created_by|created_at|updated_at|history.*|approved_(by|at)|approval.*)$")
# Fields that look like approval fields but are inputs by design, with the reason.
ALLOWED_INPUTS = {
    ("AcceptInputRequest", "approver"): "names the approver the criteria require; the service checks it",
    ("RiskCriteriaRequest", "appetite_approver"): "configures who must approve; it records no approval",
    ("PatchedRiskCriteriaRequest", "appetite_approver"): "configures who must approve; it records no approval",
    ("TokenObtainInputRequest", "organisation"): "chooses which of the user's organisations the token is for",
}


def test_no_request_body_of_the_schema_accepts_protected_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    loose = re.compile(r"organi[sz]ation|created_by|histor|approv")
    offenders = []
    checked = 0
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        checked += 1
        for field in component.get("properties", {}):
            if (PROTECTED.match(field) or loose.search(field)) and (name, field) not in ALLOWED_INPUTS:
                offenders.append(f"{name}.{field}")
    assert checked > 50
    assert not offenders, offenders


def test_patching_protected_fields_changes_nothing_on_any_api_object(org, other_org, members, outsider, api_for):
    """PATCH every API object route with organisation, created_by, history and approval fields: each is ignored."""
    from tests.test_tenant_isolation import ROUTES, _factory_for

    api = api_for(members["officer"], org)
    forged = {
        "organisation": str(other_org.pk),
        "organisation_id": str(other_org.pk),
        "created_by": outsider.username,
        "approved_by": outsider.username,
        "approved_at": "2020-01-01T00:00:00Z",
        "history": [],
        "created_at": "2020-01-01T00:00:00Z",
    }
    patched = 0
    for name, model, methods, arguments in ROUTES:
        if "patch" not in methods or arguments != ("pk",) or not name.endswith("-detail") or ":" in name:
            continue
        target = _factory_for(model)(org)
        target = model._default_manager.get(pk=target.pk)  # as stored
        before = {f.attname: getattr(target, f.attname) for f in model._meta.concrete_fields}
        response = api.patch(reverse(name, kwargs={"pk": target.pk}), forged, format="json")
        assert response.status_code in (200, 400, 404, 409), (name, response.status_code, response.content[:300])
        target.refresh_from_db()
        for attname in ("organisation_id", "created_by_id", "approved_by_id"):
            if attname in before:
                assert getattr(target, attname) == before[attname], f"{name}: {attname} was written from input"
                assert getattr(target, attname) not in (other_org.pk, outsider.pk), f"{name}: {attname} forged"
        for attname in ("approved_at", "created_at"):
            if attname in before and getattr(target, attname) is not None:
                assert getattr(target, attname).year != 2020, f"{name}: {attname} was written from input"
        patched += 1
    assert patched > 15


def test_an_import_with_an_idempotency_key_runs_once(org, officer, api_for):
    api = api_for(officer, org)
    rows = [{"name": "Imported once", "intended_purpose": "Triage.", "scope_justification": "Core."}]
    first = api.post("/api/v1/imports/ai-systems/", rows, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.status_code == 200, first.content
    again = api.post("/api/v1/imports/ai-systems/", rows, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AISystem.objects.filter(organisation=org, name="Imported once").count() == 1
    changed = [{**rows[0], "name": "Another"}]
    assert (
        api.post("/api/v1/imports/ai-systems/", changed, format="json", HTTP_IDEMPOTENCY_KEY="import-1").status_code
        == 422
    )


def test_a_multipart_create_with_an_idempotency_key_is_fingerprinted_by_its_file(org, officer, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims.models import IdempotencyKey

    api = api_for(officer, org)
    rows = b"name,intended_purpose,scope_justification\nFrom a file,Triage.,Core.\n"
    upload = SimpleUploadedFile("systems.csv", rows, content_type="text/csv")
    response = api.post("/api/v1/imports/ai-systems/", {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="f")
    assert response.status_code == 200, response.content
    other = SimpleUploadedFile("systems.csv", rows.replace(b"From a file", b"Other"), content_type="text/csv")
    response = api.post("/api/v1/imports/ai-systems/", {"file": other}, format="multipart", HTTP_IDEMPOTENCY_KEY="f")
    assert response.status_code == 422
    assert IdempotencyKey.objects.filter(organisation=org, key="f").count() == 1
