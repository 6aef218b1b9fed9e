"""The AI system register: services, pages and API."""

import pytest

from registry import services
from registry.models import AISystem
from registry.tests.factories import AISystemFactory, SupplierFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Loan default predictor",
    "intended_purpose": "Estimate default risk",
    "scope_justification": "Decides about people",
    "operator_role": "provider",
    "lifecycle_stage": "design_development",
    "deployment_status": "planned",
    "automation_level": "advisory",
    "criticality": "high",
    "review_cadence_months": "6",
    "in_scope": "on",
}


def test_register_assigns_reference_next_review_and_history(org, officer):
    system = services.ai_system_register(
        actor=officer,
        organisation=org,
        data={"name": "Triage", "scope_justification": "Clinical", "review_cadence_months": 6},
    )
    assert system.reference == "AIS-001"
    assert system.next_review is not None
    record = system.history.get()
    assert record.history_user == officer
    assert record.history_change_reason == "Registered"


def test_register_requires_scope_justification_and_saves_nothing(org, officer):
    with pytest.raises(services.ServiceError) as exc:
        services.ai_system_register(actor=officer, organisation=org, data={"name": "X", "scope_justification": " "})
    assert "scope_justification" in exc.value.message_dict
    assert not AISystem.objects.exists()


def test_owner_must_be_a_member(org, officer, outsider):
    with pytest.raises(services.ServiceError) as exc:
        services.ai_system_register(
            actor=officer, organisation=org, data={"name": "X", "scope_justification": "y", "business_owner": outsider}
        )
    assert "business_owner" in exc.value.message_dict


def test_supplier_of_another_organisation_is_refused(org, other_org, officer):
    foreign = SupplierFactory(organisation=other_org)
    with pytest.raises(services.ServiceError) as exc:
        services.ai_system_register(
            actor=officer, organisation=org, data={"name": "X", "scope_justification": "y", "suppliers": [foreign]}
        )
    assert "suppliers" in exc.value.message_dict
    assert not AISystem.objects.exists()


def test_create_through_the_form(client_for, officer, org):
    response = client_for(officer).post("/inventory/systems/new/", {**VALID, "business_owner": officer.pk})
    system = AISystem.objects.get(organisation=org)
    assert response.status_code == 302 and response.url == f"/inventory/systems/{system.pk}/"
    assert system.business_owner == officer and system.in_scope


@pytest.mark.parametrize(
    ("field", "value"), [("lifecycle_stage", "bogus"), ("scope_justification", ""), ("review_cadence_months", "0")]
)
def test_form_shows_field_error_and_saves_nothing(client_for, officer, field, value):
    response = client_for(officer).post("/inventory/systems/new/", {**VALID, field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AISystem.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "auditor", "admin"])
def test_roles_without_add_get_403(client_for, members, role):
    assert client_for(members[role]).post("/inventory/systems/new/", VALID).status_code == 403
    assert not AISystem.objects.exists()


def test_contributor_edits_own_system_only(client_for, members, org):
    contributor = members["contributor"]
    own = AISystemFactory(organisation=org, business_owner=contributor)
    other = AISystemFactory(organisation=org, business_owner=members["officer"])
    client = client_for(contributor)
    assert client.get(f"/inventory/systems/{own.pk}/edit/").status_code == 200
    assert client.get(f"/inventory/systems/{other.pk}/edit/").status_code == 403


def test_delete_keeps_history(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    response = client_for(officer).post(f"/inventory/systems/{system.pk}/delete/")
    assert response.status_code == 302
    assert not AISystem.objects.filter(pk=system.pk).exists()
    assert AISystem.history.filter(id=system.pk, history_type="-").exists()


def test_detail_history_tab_shows_field_changes(client_for, officer, org):
    system = services.ai_system_register(
        actor=officer, organisation=org, data={"name": "Old name", "scope_justification": "y"}
    )
    services.ai_system_update(actor=officer, system=system, data={"name": "New name"})
    body = client_for(officer).get(f"/inventory/systems/{system.pk}/?tab=history").content.decode()
    assert "Old name" in body and "New name" in body and "Edited" in body


def test_list_filters_by_tier_and_search(client_for, officer, org):
    AISystemFactory(organisation=org, name="Alpha", eu_tier="high")
    AISystemFactory(organisation=org, name="Beta", eu_tier="minimal")
    body = client_for(officer).get("/inventory/systems/?eu_tier=high").content.decode()
    assert "Alpha" in body and "Beta" not in body
    body = client_for(officer).get("/inventory/systems/?q=bet").content.decode()
    assert "Beta" in body and "Alpha" not in body


def test_my_systems_filter(client_for, members, org):
    AISystemFactory(organisation=org, name="Mine", technical_owner=members["contributor"])
    AISystemFactory(organisation=org, name="Theirs")
    body = client_for(members["contributor"]).get("/inventory/systems/?mine=true").content.decode()
    assert "Mine" in body and "Theirs" not in body


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_of_filtered_list(client_for, officer, org, fmt):
    AISystemFactory(organisation=org, name="Alpha", eu_tier="high")
    AISystemFactory(organisation=org, name="Beta", eu_tier="minimal")
    response = client_for(officer).get(f"/inventory/systems/?eu_tier=high&export={fmt}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        import io

        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(content)).active.values)
        assert rows[0][0] == "Reference" and [r[1] for r in rows[1:]] == ["Alpha"]
    else:
        assert b"Alpha" in content and b"Beta" not in content


def test_viewer_cannot_export(client_for, members, org):
    assert client_for(members["viewer"]).get("/inventory/systems/?export=csv").status_code == 403


def test_list_page_and_endpoint_cost_the_same_queries_for_5_and_50_rows(client_for, api_for, officer, org):
    supplier = SupplierFactory(organisation=org)

    def make(n):
        for _ in range(n):
            system = AISystemFactory(organisation=org, business_owner=officer, technical_owner=officer)
            system.suppliers.add(supplier)

    assert_queries_do_not_grow(
        make, [(client_for(officer), "/inventory/systems/"), (api_for(officer, org), "/api/v1/ai-systems/")]
    )


def test_api_create_update_and_errors(api_for, officer, org):
    api = api_for(officer, org)
    supplier = SupplierFactory(organisation=org)
    created = api.post(
        "/api/v1/ai-systems/",
        {
            "name": "Chatbot",
            "scope_justification": "Public facing",
            "ai_techniques": ["generative"],
            "suppliers": [supplier.reference],
            "business_owner": officer.username,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["reference"] == "AIS-001" and body["suppliers"] == [supplier.reference]
    assert body["ai_techniques"] == ["generative"]
    patched = api.patch(f"/api/v1/ai-systems/{body['id']}/", {"lifecycle_stage": "deployment"}, format="json")
    assert patched.status_code == 200 and patched.json()["lifecycle_stage"] == "deployment"
    bad = api.post(
        "/api/v1/ai-systems/", {"name": "X", "lifecycle_stage": "nope", "scope_justification": ""}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"lifecycle_stage", "scope_justification"}
    assert AISystem.objects.count() == 1


def test_api_refuses_foreign_supplier_reference(api_for, officer, org, other_org):
    foreign = SupplierFactory(organisation=other_org)
    response = api_for(officer, org).post(
        "/api/v1/ai-systems/",
        {"name": "X", "scope_justification": "y", "suppliers": [foreign.reference]},
        format="json",
    )
    assert response.status_code == 400 and "suppliers" in response.json()


def test_read_only_token_cannot_write(api_for, officer, org):
    api = api_for(officer, org, read_only=True)
    assert api.get("/api/v1/ai-systems/").status_code == 200
    response = api.post("/api/v1/ai-systems/", {"name": "X", "scope_justification": "y"}, format="json")
    assert response.status_code == 403
    assert not AISystem.objects.exists()


def test_api_history_user_is_the_token_user(api_for, officer, org):
    api_for(officer, org).post("/api/v1/ai-systems/", {"name": "X", "scope_justification": "y"}, format="json")
    record = AISystem.history.get()
    assert record.history_user == officer


def test_technique_labels_are_joined_in_the_active_language():
    # Regression: the labels are lazy translations, which str.join refused (a 500 on the German overview tab).
    from django.utils import translation

    system = AISystem(ai_techniques="machine_learning,generative")
    assert system.get_ai_techniques_display() == "Machine learning, Generative AI / LLM"
    with translation.override("de"):
        assert system.get_ai_techniques_display() == "Maschinelles Lernen, Generative KI / LLM"


def test_classification_reasons_read_in_the_readers_language():
    # Reasons are stored as written when classifying; the question and the yes/no words follow the reader.
    from django.utils import translation

    from registry.models import Classification

    classification = Classification(
        reasons=[{"answer": "annex_i_product", "question": "Regulated product (Annex I)", "value": "no", "text": "x"}]
    )
    with translation.override("de"):
        row = classification.reason_rows()[0]
        assert (str(row["question"]), str(row["value"])) == ("Reguliertes Produkt (Annex I)", "nein")
