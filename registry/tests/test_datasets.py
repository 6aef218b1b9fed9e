"""Datasets and their usages (Annex A.7): services, pages, API, query counts and tenant isolation."""

import json

import pytest

from aims.services import ServiceError
from registry import services
from registry.models import Dataset, DatasetUsage
from registry.tests.factories import (
    AISystemFactory,
    DatasetFactory,
    DatasetUsageFactory,
    ModelVersionFactory,
    SupplierFactory,
)
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

LIST_URL = "/inventory/datasets/"
API_URL = "/api/v1/datasets/"


def _create(officer, org, **data):
    return services.dataset_create(actor=officer, organisation=org, data={"name": "Claims 2024", **data})


# --- Services -------------------------------------------------------------------------------------------


def test_create_records_usages_and_history(officer, org):
    system = AISystemFactory(organisation=org)

    dataset = _create(
        officer,
        org,
        usages=[{"ai_system": system, "purpose": "training"}, {"ai_system": system, "purpose": "test"}],
    )

    assert dataset.reference == "DS-001"
    assert sorted(dataset.usages.values_list("purpose", flat=True)) == ["test", "training"]
    assert dataset.history.get().history_change_reason == "Registered"
    usage = dataset.usages.get(purpose="training")
    assert usage.history.get().history_user == officer


def test_special_category_data_needs_a_legal_basis(officer, org):
    with pytest.raises(ServiceError) as exc:
        _create(officer, org, contains_personal_data=True, contains_special_category_data=True)

    assert "legal_basis" in exc.value.message_dict
    assert "Special-category" in exc.value.message_dict["legal_basis"][0]
    assert not Dataset.objects.exists()


def test_special_category_data_is_personal_data(officer, org):
    with pytest.raises(ServiceError) as exc:
        _create(officer, org, contains_special_category_data=True, legal_basis="consent")

    assert list(exc.value.message_dict) == ["contains_personal_data"]


def test_personal_data_with_a_legal_basis_is_accepted(officer, org):
    dataset = _create(
        officer, org, contains_personal_data=True, contains_special_category_data=True, legal_basis="public_task"
    )

    assert dataset.legal_basis == "public_task"


def test_supplier_sourced_dataset_names_its_supplier(officer, org):
    with pytest.raises(ServiceError) as exc:
        _create(officer, org, source="supplier")
    assert list(exc.value.message_dict) == ["supplier"]

    supplier = SupplierFactory(organisation=org)
    assert _create(officer, org, source="supplier", supplier=supplier).supplier == supplier


def test_rules_apply_on_update_against_current_values(officer, org):
    dataset = DatasetFactory(organisation=org, contains_personal_data=True, legal_basis="consent")

    with pytest.raises(ServiceError) as exc:
        services.dataset_update(actor=officer, dataset=dataset, data={"legal_basis": "not_applicable"})

    assert "legal_basis" in exc.value.message_dict
    dataset.refresh_from_db()
    assert dataset.legal_basis == "consent"


def test_lineage_refuses_itself_and_circles(officer, org):
    raw, cleaned = DatasetFactory(organisation=org), DatasetFactory(organisation=org)
    cleaned.derived_from.add(raw)

    with pytest.raises(ServiceError, match="itself"):
        services.dataset_update(actor=officer, dataset=raw, data={"derived_from": [raw]})
    with pytest.raises(ServiceError, match="circle"):
        services.dataset_update(actor=officer, dataset=raw, data={"derived_from": [cleaned]})
    assert not raw.derived_from.exists()


def test_update_with_usages_replaces_the_list(officer, org):
    dataset = DatasetFactory(organisation=org)
    kept = DatasetUsageFactory(dataset=dataset, purpose="training")
    DatasetUsageFactory(dataset=dataset, purpose="validation")
    new_system = AISystemFactory(organisation=org)

    services.dataset_update(
        actor=officer,
        dataset=dataset,
        data={
            "usages": [
                {"ai_system": kept.ai_system, "purpose": "training"},
                {"ai_system": new_system, "purpose": "operational"},
            ]
        },
    )

    pairs = set(DatasetUsage.objects.filter(dataset=dataset).values_list("ai_system_id", "purpose"))
    assert pairs == {(kept.ai_system_id, "training"), (new_system.pk, "operational")}
    assert DatasetUsage.objects.filter(pk=kept.pk).exists()  # unchanged rows are kept, not recreated


def test_usages_with_a_foreign_system_save_nothing(officer, org, other_org):
    foreign = AISystemFactory(organisation=other_org)

    with pytest.raises(ServiceError) as exc:
        _create(officer, org, usages=[{"ai_system": foreign, "purpose": "training"}])

    assert "usages" in exc.value.message_dict
    assert not Dataset.objects.exists() and not DatasetUsage.objects.exists()


def test_usage_add_refuses_duplicates_and_other_organisations(officer, org, other_org):
    dataset = DatasetFactory(organisation=org)
    system = AISystemFactory(organisation=org)
    services.dataset_usage_add(actor=officer, dataset=dataset, ai_system=system, purpose="training")

    with pytest.raises(ServiceError) as exc:
        services.dataset_usage_add(actor=officer, dataset=dataset, ai_system=system, purpose="training")
    assert "purpose" in exc.value.message_dict
    with pytest.raises(ServiceError) as exc:
        services.dataset_usage_add(
            actor=officer, dataset=dataset, ai_system=AISystemFactory(organisation=other_org), purpose="test"
        )
    assert "ai_system" in exc.value.message_dict
    assert DatasetUsage.objects.count() == 1


def test_delete_is_refused_while_a_model_version_was_trained_on_it(officer, org):
    dataset = DatasetFactory(organisation=org)
    version = ModelVersionFactory(model__organisation=org)
    version.training_datasets.add(dataset)

    with pytest.raises(ServiceError) as exc:
        services.dataset_delete(actor=officer, dataset=dataset)

    assert exc.value.conflict
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_delete_is_refused_while_datasets_derive_from_it(officer, org):
    raw = DatasetFactory(organisation=org)
    DatasetFactory(organisation=org).derived_from.add(raw)

    with pytest.raises(ServiceError, match="derived from this dataset"):
        services.dataset_delete(actor=officer, dataset=raw)


# --- Pages ----------------------------------------------------------------------------------------------


def test_list_filters_by_source_personal_data_and_usage(client_for, officer, org):
    system = AISystemFactory(organisation=org)
    public = DatasetFactory(organisation=org, name="Public census", source="external")
    patients = DatasetFactory(
        organisation=org, name="Patient notes", contains_personal_data=True, legal_basis="consent"
    )
    DatasetUsageFactory(dataset=patients, ai_system=system, purpose="training")
    DatasetUsageFactory(dataset=public, ai_system=system, purpose="test")
    client = client_for(officer)

    def names(params):
        html = client.get(LIST_URL, params).content.decode()
        return {name for name in ("Public census", "Patient notes") if name in html}

    assert names({"source": "external"}) == {"Public census"}
    assert names({"contains_personal_data": "true"}) == {"Patient notes"}
    assert names({"used_by": str(system.pk)}) == {"Public census", "Patient notes"}
    assert names({"used_by": str(system.pk), "purpose": "training"}) == {"Patient notes"}
    assert names({"purpose": "test"}) == {"Public census"}
    assert names({"q": "census"}) == {"Public census"}


def test_list_shows_usages_and_sorts(client_for, officer, org):
    usage = DatasetUsageFactory(dataset=DatasetFactory(organisation=org, name="Alpha"), purpose="validation")
    DatasetFactory(organisation=org, name="Beta")

    html = client_for(officer).get(LIST_URL, {"sort": "-name"}).content.decode()

    assert usage.ai_system.reference in html and "validation" in html
    assert html.index("Beta") < html.index("Alpha")


def test_export_lists_usages_with_human_headers(client_for, officer, org):
    usage = DatasetUsageFactory(dataset=DatasetFactory(organisation=org, name="Alpha"), purpose="training")

    response = client_for(officer).get(LIST_URL, {"export": "json"})

    rows = json.loads(b"".join(response.streaming_content))
    assert rows[0]["Name"] == "Alpha"
    assert rows[0]["Used by"] == f"{usage.ai_system.reference} (training)"
    assert rows[0]["Legal basis"] == "Not applicable (no personal data)"


def test_detail_tabs_show_quality_usages_and_lineage(client_for, officer, org):
    raw = DatasetFactory(organisation=org, name="Raw extract")
    dataset = DatasetFactory(organisation=org, known_biases="Few records from rural clinics.")
    dataset.derived_from.add(raw)
    usage = DatasetUsageFactory(dataset=dataset, purpose="operational")
    client = client_for(officer)
    url = f"/inventory/datasets/{dataset.pk}/"

    assert "Few records from rural clinics." in client.get(url, {"tab": "quality"}).content.decode()
    html = client.get(url, {"tab": "usages"}).content.decode()
    assert usage.ai_system.reference in html and "Operational input" in html and 'data-testid="usage-form"' in html
    assert "Raw extract" in client.get(url, {"tab": "lineage"}).content.decode()


def test_usage_added_and_removed_from_the_dataset_page(client_for, officer, org):
    dataset = DatasetFactory(organisation=org)
    system = AISystemFactory(organisation=org)
    client = client_for(officer)

    response = client.post(
        f"/inventory/datasets/{dataset.pk}/usages/", {"ai_system": str(system.pk), "purpose": "validation"}
    )

    assert response.status_code == 302 and response["Location"].endswith("?tab=usages")
    usage = DatasetUsage.objects.get(dataset=dataset)
    assert (usage.ai_system, usage.purpose) == (system, "validation")
    response = client.post(f"/inventory/datasets/{dataset.pk}/usages/{usage.pk}/remove/")
    assert response.status_code == 302
    assert not DatasetUsage.objects.exists()


def test_bad_usage_shows_field_errors_on_the_tab_and_saves_nothing(client_for, officer, org, other_org):
    dataset = DatasetFactory(organisation=org)
    foreign = AISystemFactory(organisation=other_org)
    client = client_for(officer)

    response = client.post(
        f"/inventory/datasets/{dataset.pk}/usages/?tab=usages", {"ai_system": str(foreign.pk), "purpose": "dreaming"}
    )

    assert response.status_code == 200
    form = response.context["usage_form"]
    assert set(form.errors) == {"ai_system", "purpose"}
    assert 'id="usage_purpose_error"' in response.content.decode()
    assert not DatasetUsage.objects.exists()


def test_duplicate_usage_shows_the_service_error(client_for, officer, org):
    usage = DatasetUsageFactory(dataset=DatasetFactory(organisation=org), purpose="training")

    response = client_for(officer).post(
        f"/inventory/datasets/{usage.dataset.pk}/usages/?tab=usages",
        {"ai_system": str(usage.ai_system.pk), "purpose": "training"},
    )

    assert "already uses this dataset" in response.content.decode()
    assert DatasetUsage.objects.count() == 1


def test_viewer_may_not_add_or_remove_usages(client_for, members, org):
    usage = DatasetUsageFactory(dataset=DatasetFactory(organisation=org))
    viewer = client_for(members["viewer"])

    assert viewer.post(f"/inventory/datasets/{usage.dataset.pk}/usages/", {}).status_code == 403
    assert viewer.post(f"/inventory/datasets/{usage.dataset.pk}/usages/{usage.pk}/remove/").status_code == 403
    assert (
        'data-testid="usage-form"'
        not in viewer.get(f"/inventory/datasets/{usage.dataset.pk}/", {"tab": "usages"}).content.decode()
    )
    assert DatasetUsage.objects.count() == 1


def test_create_page_shows_the_legal_basis_rule_on_its_field(client_for, officer, org):
    response = client_for(officer).post(
        "/inventory/datasets/new/",
        {
            "name": "Biometrics",
            "source": "internal",
            "legal_basis": "not_applicable",
            "contains_personal_data": "on",
            "contains_special_category_data": "on",
        },
    )

    assert response.status_code == 200
    assert "legal_basis" in response.context["form"].errors
    assert not Dataset.objects.exists()


def test_create_page_rejects_an_invalid_choice(client_for, officer, org):
    response = client_for(officer).post(
        "/inventory/datasets/new/", {"name": "X", "source": "rumour", "legal_basis": "not_applicable"}
    )

    assert "source" in response.context["form"].errors
    assert not Dataset.objects.exists()


def test_create_and_edit_pages_save(client_for, officer, org):
    client = client_for(officer)
    response = client.post(
        "/inventory/datasets/new/",
        {"name": "Claims", "version": "2024.1", "source": "internal", "legal_basis": "not_applicable"},
    )
    dataset = Dataset.objects.get()
    assert response["Location"] == f"/inventory/datasets/{dataset.pk}/"

    client.post(
        f"/inventory/datasets/{dataset.pk}/edit/",
        {"name": "Claims", "version": "2024.2", "source": "internal", "legal_basis": "not_applicable"},
    )

    dataset.refresh_from_db()
    assert dataset.version == "2024.2"
    history = client.get(f"/inventory/datasets/{dataset.pk}/", {"tab": "history"}).content.decode()
    assert "2024.1" in history and "2024.2" in history


# --- API ------------------------------------------------------------------------------------------------


def test_api_creates_with_nested_usages(api_for, officer, org):
    system = AISystemFactory(organisation=org, reference="AIS-001")
    supplier = SupplierFactory(organisation=org, reference="SUP-002")

    response = api_for(officer, org).post(
        API_URL,
        {
            "name": "Partner extract",
            "source": "supplier",
            "supplier": "SUP-002",
            "usages": [{"ai_system": "AIS-001", "purpose": "training"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supplier"] == "SUP-002"
    assert body["usages"] == [{"ai_system": "AIS-001", "purpose": "training"}]
    assert DatasetUsage.objects.get().ai_system == system
    assert Dataset.objects.get().supplier == supplier


def test_api_patch_usages_adds_and_removes(api_for, officer, org):
    dataset = DatasetFactory(organisation=org)
    old = DatasetUsageFactory(dataset=dataset, purpose="training")
    AISystemFactory(organisation=org, reference="AIS-050")
    api = api_for(officer, org)

    response = api.patch(
        f"{API_URL}{dataset.pk}/", {"usages": [{"ai_system": "AIS-050", "purpose": "test"}]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["usages"] == [{"ai_system": "AIS-050", "purpose": "test"}]
    assert not DatasetUsage.objects.filter(pk=old.pk).exists()
    response = api.patch(f"{API_URL}{dataset.pk}/", {"name": "Renamed"}, format="json")
    assert response.json()["usages"] == [{"ai_system": "AIS-050", "purpose": "test"}]  # left out: kept


def test_api_bad_input_is_400_with_field_errors_and_saves_nothing(api_for, officer, org, other_org):
    AISystemFactory(organisation=other_org, reference="AIS-777")
    api = api_for(officer, org)

    response = api.post(
        API_URL, {"name": "X", "usages": [{"ai_system": "AIS-777", "purpose": "training"}]}, format="json"
    )
    assert response.status_code == 400 and "usages" in response.json()
    response = api.post(API_URL, {"name": "X", "legal_basis": "whim"}, format="json")
    assert response.status_code == 400 and "legal_basis" in response.json()
    response = api.post(
        API_URL,
        {"name": "X", "contains_personal_data": True, "contains_special_category_data": True},
        format="json",
    )
    assert response.status_code == 400 and "legal_basis" in response.json()
    response = api.post(API_URL, {"name": "X", "source": "supplier"}, format="json")
    assert response.status_code == 400 and "supplier" in response.json()
    assert not Dataset.objects.exists()


def test_api_filters_searches_and_orders(api_for, officer, org):
    system = AISystemFactory(organisation=org)
    alpha = DatasetFactory(organisation=org, name="Alpha", contains_personal_data=True, legal_basis="consent")
    DatasetUsageFactory(dataset=alpha, ai_system=system, purpose="training")
    DatasetFactory(organisation=org, name="Beta", source="external")
    api = api_for(officer, org)

    def names(params):
        return [row["name"] for row in api.get(API_URL, params).json()["results"]]

    assert names({"used_by": str(system.pk), "purpose": "training"}) == ["Alpha"]
    assert names({"used_by": str(system.pk), "purpose": "test"}) == []
    assert names({"contains_personal_data": "false"}) == ["Beta"]
    assert names({"source": "external"}) == ["Beta"]
    assert names({"search": "alp"}) == ["Alpha"]
    assert names({"ordering": "-name"}) == ["Beta", "Alpha"]


def test_api_viewer_and_read_only_token_cannot_write(api_for, members, org):
    assert api_for(members["viewer"], org).post(API_URL, {"name": "X"}, format="json").status_code == 403
    read_only = api_for(members["officer"], org, read_only=True)
    assert read_only.post(API_URL, {"name": "X"}, format="json").status_code == 403
    assert not Dataset.objects.exists()


# --- Query counts and isolation -------------------------------------------------------------------------


def test_list_page_and_endpoint_cost_the_same_queries_for_5_and_50_rows(client_for, api_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    parent = DatasetFactory(organisation=org)

    def make(n):
        for _ in range(n):
            dataset = DatasetFactory(organisation=org, owner=officer, source="supplier", supplier=supplier)
            dataset.derived_from.add(parent)
            DatasetUsageFactory(dataset=dataset, purpose="training")

    assert_queries_do_not_grow(make, [(client_for(officer), LIST_URL), (api_for(officer, org), API_URL)])


def test_other_organisation_gets_404_in_ui_and_api(client_for, api_for, outsider, other_org, org):
    dataset = DatasetFactory(organisation=org, name="Secret dataset")
    usage = DatasetUsageFactory(dataset=dataset)
    own_system = AISystemFactory(organisation=other_org)
    ui, api = client_for(outsider), api_for(outsider, other_org)
    base = f"/inventory/datasets/{dataset.pk}/"

    for url in (base, f"{base}edit/", f"{base}?tab=usages"):
        assert ui.get(url).status_code == 404
    assert ui.post(f"{base}usages/", {"ai_system": str(own_system.pk), "purpose": "test"}).status_code == 404
    assert ui.post(f"{base}usages/{usage.pk}/remove/").status_code == 404
    assert ui.post(f"{base}delete/").status_code == 404
    assert api.get(f"{API_URL}{dataset.pk}/").status_code == 404
    assert api.patch(f"{API_URL}{dataset.pk}/", {"usages": []}, format="json").status_code == 404
    assert api.delete(f"{API_URL}{dataset.pk}/").status_code == 404
    assert "Secret dataset" not in ui.get(LIST_URL).content.decode()
    assert DatasetUsage.objects.filter(dataset=dataset).count() == 1


def test_usage_of_another_dataset_cannot_be_removed_through_this_one(client_for, officer, org):
    mine, other = DatasetFactory(organisation=org), DatasetFactory(organisation=org)
    usage = DatasetUsageFactory(dataset=other)

    assert client_for(officer).post(f"/inventory/datasets/{mine.pk}/usages/{usage.pk}/remove/").status_code == 404
    assert DatasetUsage.objects.filter(pk=usage.pk).exists()
