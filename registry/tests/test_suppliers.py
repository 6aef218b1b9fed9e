"""Suppliers (Annex A.10): services, pages, API, query counts and tenant isolation."""

import datetime as dt
import io
import json

import pytest

from aims.services import ServiceError
from registry import services
from registry.models import Supplier
from registry.tests.factories import AIModelFactory, AISystemFactory, DatasetFactory, SupplierFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

LIST_URL = "/inventory/suppliers/"
API_URL = "/api/v1/suppliers/"


# --- Services -------------------------------------------------------------------------------------------


def test_create_assigns_reference_links_systems_and_records_history(officer, org):
    system = AISystemFactory(organisation=org)

    supplier = services.supplier_create(
        actor=officer,
        organisation=org,
        data={"name": "Speechly", "supply_type": "model_api", "owner": officer, "ai_systems": [system]},
    )

    assert supplier.reference == "SUP-001"
    assert list(supplier.ai_systems.all()) == [system]
    record = supplier.history.get()
    assert record.history_user == officer and record.history_change_reason == "Registered"


def test_concluded_due_diligence_needs_its_date(officer, org):
    with pytest.raises(ServiceError) as exc:
        services.supplier_create(
            actor=officer, organisation=org, data={"name": "Speechly", "due_diligence_status": "approved"}
        )

    assert "due_diligence_date" in exc.value.message_dict
    assert not Supplier.objects.exists()


def test_create_refuses_a_system_of_another_organisation_and_saves_nothing(officer, org, other_org):
    foreign = AISystemFactory(organisation=other_org)

    with pytest.raises(ServiceError) as exc:
        services.supplier_create(actor=officer, organisation=org, data={"name": "X", "ai_systems": [foreign]})

    assert "ai_systems" in exc.value.message_dict
    assert not Supplier.objects.exists()


def test_duplicate_reference_is_a_field_error(officer, org):
    SupplierFactory(organisation=org, reference="SUP-007")

    with pytest.raises(ServiceError) as exc:
        services.supplier_create(actor=officer, organisation=org, data={"name": "Y", "reference": "SUP-007"})

    assert exc.value.message_dict == {"reference": ["SUP-007 is already used in this organisation."]}


def test_update_replaces_linked_systems(officer, org):
    supplier = SupplierFactory(organisation=org)
    first, second = AISystemFactory(organisation=org), AISystemFactory(organisation=org)
    supplier.ai_systems.add(first)

    services.supplier_update(actor=officer, supplier=supplier, data={"name": "Renamed", "ai_systems": [second]})

    supplier.refresh_from_db()
    assert supplier.name == "Renamed"
    assert list(supplier.ai_systems.all()) == [second]
    assert supplier.history.first().history_change_reason == "Edited"


def test_delete_is_refused_while_datasets_come_from_the_supplier(officer, org):
    supplier = SupplierFactory(organisation=org)
    dataset = DatasetFactory(organisation=org, source="supplier", supplier=supplier)

    with pytest.raises(ServiceError) as exc:
        services.supplier_delete(actor=officer, supplier=supplier)

    assert exc.value.conflict and dataset.reference in exc.value.messages[0]
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_delete_keeps_an_attributed_history_row(officer, org):
    supplier = SupplierFactory(organisation=org)
    pk = supplier.pk

    services.supplier_delete(actor=officer, supplier=supplier)

    assert not Supplier.objects.exists()
    last = Supplier.history.filter(id=pk).first()
    assert last.history_type == "-" and last.history_user == officer


# --- Pages ----------------------------------------------------------------------------------------------


def test_list_searches_filters_and_sorts(client_for, officer, org):
    SupplierFactory(organisation=org, name="Alpha data", supply_type="data", due_diligence_status="in_progress")
    SupplierFactory(organisation=org, name="Beta models", supply_type="model_api")
    client = client_for(officer)

    html = client.get(LIST_URL, {"q": "alpha"}).content.decode()
    assert "Alpha data" in html and "Beta models" not in html

    html = client.get(LIST_URL, {"supply_type": "model_api"}).content.decode()
    assert "Beta models" in html and "Alpha data" not in html

    html = client.get(LIST_URL, {"due_diligence_status": "in_progress"}).content.decode()
    assert "Alpha data" in html and "Beta models" not in html

    html = client.get(LIST_URL, {"sort": "-name"}).content.decode()
    assert html.index("Beta models") < html.index("Alpha data")


def test_list_paginates(client_for, officer, org):
    for _ in range(30):
        SupplierFactory(organisation=org)

    html = client_for(officer).get(LIST_URL, {"page_size": 25}).content.decode()

    assert "Page 1 of 2" in html
    assert "30 suppliers" in html


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_has_human_headers_and_the_filtered_rows(client_for, officer, org, fmt):
    system = AISystemFactory(organisation=org, name="Triage")
    alpha = SupplierFactory(organisation=org, name="Alpha", contract_reference="C-1")
    alpha.ai_systems.add(system)
    SupplierFactory(organisation=org, name="Beta")

    response = client_for(officer).get(LIST_URL, {"q": "Alpha", "export": fmt})

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Reference,Name,Supply type,What they supply,Contract reference")
        assert "Alpha" in text and "Beta" not in text and system.reference in text
    elif fmt == "json":
        rows = json.loads(content)
        assert [r["Name"] for r in rows] == ["Alpha"]
        assert rows[0]["Contract reference"] == "C-1"
    else:
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(content)).active.values)
        assert rows[0][:2] == ("Reference", "Name") and [r[1] for r in rows[1:]] == ["Alpha"]


def test_detail_shows_linked_systems_datasets_and_models(client_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    system = AISystemFactory(organisation=org, name="Dictation assistant")
    system.suppliers.add(supplier)
    dataset = DatasetFactory(organisation=org, name="Partner extract", source="supplier", supplier=supplier)
    model = AIModelFactory(organisation=org, name="Hosted speech model", supplier=supplier)
    client = client_for(officer)
    url = f"/inventory/suppliers/{supplier.pk}/"

    assert "Dictation assistant" in client.get(url, {"tab": "systems"}).content.decode()
    assert dataset.name in client.get(url, {"tab": "datasets"}).content.decode()
    assert model.name in client.get(url, {"tab": "models"}).content.decode()
    assert "History" in client.get(url, {"tab": "history"}).content.decode()


def test_create_page_saves_through_the_service(client_for, officer, org):
    system = AISystemFactory(organisation=org)

    response = client_for(officer).post(
        "/inventory/suppliers/new/",
        {
            "name": "Speechly",
            "supply_type": "model_api",
            "due_diligence_status": "approved",
            "due_diligence_date": "2025-01-31",
            "ai_systems": [str(system.pk)],
        },
    )

    supplier = Supplier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inventory/suppliers/{supplier.pk}/"
    assert supplier.due_diligence_date == dt.date(2025, 1, 31)
    assert list(supplier.ai_systems.all()) == [system]


def test_create_page_shows_field_errors_and_saves_nothing(client_for, officer, org, other_org):
    foreign = AISystemFactory(organisation=other_org)

    response = client_for(officer).post(
        "/inventory/suppliers/new/",
        {"name": "X", "supply_type": "teleport", "due_diligence_status": "approved", "ai_systems": [str(foreign.pk)]},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "supply_type" in form.errors and "ai_systems" in form.errors
    assert not Supplier.objects.exists()


def test_service_rule_shows_on_its_field(client_for, officer, org):
    response = client_for(officer).post(
        "/inventory/suppliers/new/", {"name": "X", "supply_type": "data", "due_diligence_status": "approved"}
    )

    assert response.status_code == 200
    assert "due_diligence_date" in response.context["form"].errors
    assert not Supplier.objects.exists()


def test_edit_form_preselects_linked_systems(client_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    system = AISystemFactory(organisation=org)
    supplier.ai_systems.add(system)

    form = client_for(officer).get(f"/inventory/suppliers/{supplier.pk}/edit/").context["form"]

    assert form.initial["ai_systems"] == [system.pk]


def test_viewer_may_not_create_and_contributor_edits_only_own(client_for, members, org):
    own = SupplierFactory(organisation=org, owner=members["contributor"])
    other = SupplierFactory(organisation=org)

    assert client_for(members["viewer"]).get("/inventory/suppliers/new/").status_code == 403
    contributor = client_for(members["contributor"])
    assert contributor.get(f"/inventory/suppliers/{own.pk}/edit/").status_code == 200
    assert contributor.get(f"/inventory/suppliers/{other.pk}/edit/").status_code == 403


def test_delete_page_reports_a_refusal(client_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    DatasetFactory(organisation=org, source="supplier", supplier=supplier)

    response = client_for(officer).post(f"/inventory/suppliers/{supplier.pk}/delete/", follow=True)

    assert "come from this supplier" in response.content.decode()
    assert Supplier.objects.filter(pk=supplier.pk).exists()


# --- API ------------------------------------------------------------------------------------------------


def test_api_creates_with_system_references_and_reads_links(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    api = api_for(officer, org)

    response = api.post(
        API_URL,
        {"name": "Speechly", "supply_type": "model_api", "owner": officer.username, "ai_systems": [system.reference]},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "SUP-001" and body["ai_systems"] == [system.reference]
    supplier = Supplier.objects.get()
    DatasetFactory(organisation=org, supplier=supplier, reference="DS-009")
    AIModelFactory(organisation=org, supplier=supplier, reference="MDL-004")
    detail = api.get(f"{API_URL}{supplier.pk}/").json()
    assert detail["datasets"] == ["DS-009"] and detail["models"] == ["MDL-004"]


def test_api_bad_input_is_400_with_field_errors_and_saves_nothing(api_for, officer, org, other_org):
    foreign = AISystemFactory(organisation=other_org, reference="AIS-900")
    api = api_for(officer, org)

    response = api.post(
        API_URL, {"name": "X", "supply_type": "teleport", "ai_systems": [foreign.reference]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"supply_type", "ai_systems"}
    response = api.post(API_URL, {"name": "X", "due_diligence_status": "approved"}, format="json")
    assert response.status_code == 400 and "due_diligence_date" in response.json()
    assert not Supplier.objects.exists()


def test_api_filters_searches_and_orders(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    alpha = SupplierFactory(organisation=org, name="Alpha", supply_type="data")
    alpha.ai_systems.add(system)
    SupplierFactory(organisation=org, name="Beta", supply_type="platform")
    api = api_for(officer, org)

    def names(params):
        return [row["name"] for row in api.get(API_URL, params).json()["results"]]

    assert names({"supply_type": "data"}) == ["Alpha"]
    assert names({"ai_system": str(system.pk)}) == ["Alpha"]
    assert names({"search": "bet"}) == ["Beta"]
    assert names({"ordering": "-name"}) == ["Beta", "Alpha"]


def test_api_delete_refusal_is_a_conflict(api_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    DatasetFactory(organisation=org, source="supplier", supplier=supplier)

    response = api_for(officer, org).delete(f"{API_URL}{supplier.pk}/")

    assert response.status_code == 409
    assert Supplier.objects.filter(pk=supplier.pk).exists()


# --- Query counts and isolation -------------------------------------------------------------------------


def test_list_page_and_endpoint_cost_the_same_queries_for_5_and_50_rows(client_for, api_for, officer, org):
    def make(n):
        for _ in range(n):
            supplier = SupplierFactory(organisation=org, owner=officer)
            supplier.ai_systems.add(AISystemFactory(organisation=org))
            DatasetFactory(organisation=org, supplier=supplier)
            AIModelFactory(organisation=org, supplier=supplier)

    assert_queries_do_not_grow(make, [(client_for(officer), LIST_URL), (api_for(officer, org), API_URL)])


def test_other_organisation_gets_404_in_ui_and_api(client_for, api_for, outsider, other_org, org):
    supplier = SupplierFactory(organisation=org, name="Secret supplier")
    ui, api = client_for(outsider), api_for(outsider, other_org)
    base = f"/inventory/suppliers/{supplier.pk}/"

    for url in (base, f"{base}edit/", f"{base}?tab=systems"):
        assert ui.get(url).status_code == 404
    assert ui.post(f"{base}delete/").status_code == 404
    assert api.get(f"{API_URL}{supplier.pk}/").status_code == 404
    assert api.patch(f"{API_URL}{supplier.pk}/", {"name": "x"}, format="json").status_code == 404
    assert api.delete(f"{API_URL}{supplier.pk}/").status_code == 404
    assert "Secret supplier" not in ui.get(LIST_URL).content.decode()
    assert api.get(API_URL).json()["count"] == 0
    assert Supplier.objects.get().name == "Secret supplier"
