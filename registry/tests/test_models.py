"""Models, model versions and metrics (Annex A.6.2): services, pages, API, upsert, approval, query counts, isolation."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from aims.services import ServiceError
from registry import services
from registry.models import AIModel, AISystem, ModelMetric, ModelVersion
from registry.tests.factories import (
    AIModelFactory,
    AISystemFactory,
    DatasetFactory,
    ModelMetricFactory,
    ModelVersionFactory,
    SupplierFactory,
)
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

MODELS_URL = "/inventory/models/"
VERSIONS_URL = "/inventory/model-versions/"
API_MODELS = "/api/v1/models/"
API_VERSIONS = "/api/v1/model-versions/"


def _upsert_url(external_id):
    return f"{API_VERSIONS}by-external-id/{external_id}/"


@pytest.fixture
def deployed(org):
    """MDL-001 with version 1.0 deployed in AIS-001; AIS-002 runs nothing."""
    model = AIModelFactory(organisation=org, name="Triage model")
    system = AISystemFactory(organisation=org)
    idle = AISystemFactory(organisation=org)
    assert (model.reference, system.reference, idle.reference) == ("MDL-001", "AIS-001", "AIS-002")
    version = ModelVersionFactory(model=model, version_label="1.0")
    version.deployed_in.add(system)
    return model, version, system, idle


def _flagged(system) -> bool:
    system.refresh_from_db()
    return system.reassessment_required


# --- Services: versions and reassessment ----------------------------------------------------------------


def test_new_version_of_a_deployed_model_flags_its_systems(officer, org, deployed):
    model, _, system, idle = deployed
    dataset = DatasetFactory(organisation=org)

    version = services.model_version_create(
        actor=officer,
        organisation=org,
        data={
            "model": model,
            "version_label": "1.1",
            "training_datasets": [dataset],
            "metrics": [{"name": "accuracy", "value": 0.93, "threshold": 0.9, "comparison": "gte"}],
        },
    )

    assert version.approval_status == "proposed"
    assert list(version.training_datasets.all()) == [dataset]
    assert version.metrics.get().passed is True
    assert _flagged(system) and not _flagged(idle)
    assert "New version 1.1 of model MDL-001" in system.reassessment_reason


def test_new_version_of_an_undeployed_model_flags_nothing(officer, org):
    system = AISystemFactory(organisation=org)

    services.model_version_create(
        actor=officer, organisation=org, data={"model": AIModelFactory(organisation=org), "version_label": "0.1"}
    )

    assert not _flagged(system)


def test_update_without_changes_writes_nothing(officer, org, deployed):
    _, version, system, _ = deployed
    before = version.history.count()

    services.model_version_update(
        actor=officer,
        version=version,
        data={"version_label": "1.0", "description": version.description, "deployed_in": [system]},
    )

    assert version.history.count() == before
    assert not _flagged(system)


def test_changed_training_data_flags_the_systems_running_the_version(officer, org, deployed):
    _, version, system, idle = deployed

    services.model_version_update(
        actor=officer, version=version, data={"training_datasets": [DatasetFactory(organisation=org)]}
    )

    assert _flagged(system) and not _flagged(idle)
    assert version.history.first().history_change_reason == "Edited: training datasets"


def test_release_notes_alone_do_not_flag(officer, org, deployed):
    _, version, system, _ = deployed

    services.model_version_update(actor=officer, version=version, data={"description": "Typo fixed"})

    assert not _flagged(system)
    assert version.history.first().history_change_reason == "Edited: release notes"


def test_deploying_a_version_flags_only_the_system_it_enters(officer, org, deployed):
    _, version, system, idle = deployed

    services.model_version_update(actor=officer, version=version, data={"deployed_in": [system, idle]})

    assert _flagged(idle) and not _flagged(system)
    assert "MDL-001 1.0 deployed" in idle.reassessment_reason


def test_flags_keep_earlier_pending_reasons(officer, org, deployed):
    model, version, system, _ = deployed
    services.ai_system_flag_reassessment(actor=officer, system=system, reason="Purpose widened")

    services.model_version_create(actor=officer, organisation=org, data={"model": model, "version_label": "2.0"})

    system.refresh_from_db()
    assert system.reassessment_reason.startswith("Purpose widened; New version 2.0")


def test_version_rules_are_field_errors(officer, org, other_org, deployed):
    model, *_ = deployed
    foreign_system = AISystemFactory(organisation=other_org)

    with pytest.raises(ServiceError) as exc:
        services.model_version_create(actor=officer, organisation=org, data={"model": model, "version_label": "1.0"})
    assert "version_label" in exc.value.message_dict
    with pytest.raises(ServiceError) as exc:
        services.model_version_create(
            actor=officer,
            organisation=org,
            data={"model": model, "version_label": "3.0", "deployed_in": [foreign_system]},
        )
    assert "deployed_in" in exc.value.message_dict
    with pytest.raises(ServiceError) as exc:
        services.model_version_create(
            actor=officer,
            organisation=org,
            data={
                "model": model,
                "version_label": "3.0",
                "metrics": [{"name": "auc", "value": float("nan")}, {"name": "auc", "value": 0.5}],
            },
        )
    assert len(exc.value.message_dict["metrics"]) == 2
    assert ModelVersion.objects.count() == 1


def test_version_cannot_move_to_another_model(officer, org, deployed):
    _, version, *_ = deployed

    with pytest.raises(ServiceError) as exc:
        services.model_version_update(actor=officer, version=version, data={"model": AIModelFactory(organisation=org)})

    assert "model" in exc.value.message_dict


# --- Services: upsert by external id ----------------------------------------------------------------------


def test_upsert_creates_then_updates_then_changes_nothing(officer, org, deployed):
    model, _, system, _ = deployed
    data = {
        "model": model,
        "version_label": "1.1",
        "deployed_in": [system],
        "metrics": [{"name": "accuracy", "value": 0.95, "threshold": 0.9, "comparison": "gte"}],
    }

    version, created = services.model_version_upsert_by_external_id(
        actor=officer, organisation=org, external_id="run-42", data=data
    )
    assert created and version.external_id == "run-42"
    system.refresh_from_db()
    flagged_history = system.history.count()

    again, created = services.model_version_upsert_by_external_id(
        actor=officer, organisation=org, external_id="run-42", data=data
    )
    assert not created and again.pk == version.pk
    assert version.history.count() == 1
    assert ModelMetric.history.count() == 1
    assert system.history.count() == flagged_history

    changed = {**data, "metrics": [{"name": "accuracy", "value": 0.97, "threshold": 0.9, "comparison": "gte"}]}
    services.model_version_upsert_by_external_id(actor=officer, organisation=org, external_id="run-42", data=changed)
    assert version.history.count() == 2
    assert version.metrics.get().value == 0.97


def test_upsert_adopts_a_version_recorded_by_hand(officer, org, deployed):
    model, version, *_ = deployed

    adopted, created = services.model_version_upsert_by_external_id(
        actor=officer, organisation=org, external_id="run-1", data={"model": model, "version_label": "1.0"}
    )

    assert not created and adopted.pk == version.pk
    version.refresh_from_db()
    assert version.external_id == "run-1"


def test_upsert_refuses_moving_a_version_to_another_model(officer, org, deployed):
    model, *_ = deployed
    services.model_version_upsert_by_external_id(
        actor=officer, organisation=org, external_id="run-9", data={"model": model, "version_label": "9"}
    )

    with pytest.raises(ServiceError) as exc:
        services.model_version_upsert_by_external_id(
            actor=officer,
            organisation=org,
            external_id="run-9",
            data={"model": AIModelFactory(organisation=org), "version_label": "9"},
        )

    assert "model" in exc.value.message_dict


def test_external_ids_are_per_organisation(officer, org, other_org, outsider):
    services.model_version_upsert_by_external_id(
        actor=officer,
        organisation=org,
        external_id="run-1",
        data={"model": AIModelFactory(organisation=org), "version_label": "1"},
    )

    theirs, created = services.model_version_upsert_by_external_id(
        actor=outsider,
        organisation=other_org,
        external_id="run-1",
        data={"model": AIModelFactory(organisation=other_org), "version_label": "1"},
    )

    assert created and theirs.organisation == other_org
    assert ModelVersion.objects.filter(external_id="run-1").count() == 2


# --- Services: approval, metrics, deletion --------------------------------------------------------------


def test_approve_records_who_and_when(officer, org, deployed):
    _, version, *_ = deployed

    services.model_version_approve(actor=officer, version=version, status="approved", note="Validated")

    version.refresh_from_db()
    assert version.approval_status == "approved"
    assert version.approved_by == officer and version.approved_at is not None
    assert version.history.first().history_change_reason == "Approved: Validated"


def test_failing_metric_allows_only_a_restricted_approval(officer, org, deployed):
    _, version, *_ = deployed
    ModelMetricFactory(model_version=version, name="fairness gap", value=0.12, threshold=0.05, comparison="lte")

    with pytest.raises(ServiceError) as exc:
        services.model_version_approve(actor=officer, version=version, status="approved")
    assert "fairness gap" in exc.value.message_dict["status"][0]

    services.model_version_approve(actor=officer, version=version, status="restricted")
    version.refresh_from_db()
    assert version.approval_status == "restricted"


def test_same_decision_twice_is_a_conflict_and_members_who_may_not_approve_are_refused(members, org, deployed):
    _, version, *_ = deployed
    services.model_version_approve(actor=members["officer"], version=version, status="rejected")

    with pytest.raises(ServiceError) as exc:
        services.model_version_approve(actor=members["officer"], version=version, status="rejected")
    assert exc.value.conflict
    with pytest.raises(PermissionDenied):
        services.model_version_approve(actor=members["contributor"], version=version, status="approved")
    with pytest.raises(ServiceError):
        services.model_version_approve(actor=members["officer"], version=version, status="proposed")


def test_metric_rows_are_added_updated_and_removed(officer, org, deployed):
    _, version, system, _ = deployed

    services.model_metric_save(actor=officer, version=version, name="accuracy", value=0.8, threshold=0.9)
    metric = services.model_metric_save(actor=officer, version=version, name="accuracy", value=0.95, threshold=0.9)
    assert ModelMetric.objects.get(model_version=version).value == 0.95 and metric.passed
    assert _flagged(system)

    services.model_metric_remove(actor=officer, metric=metric)
    assert not ModelMetric.objects.filter(model_version=version).exists()
    assert [h.history_change_reason for h in version.history.all()[:3]] == ["Metrics edited: metrics"] * 3


def test_deployed_versions_and_their_models_cannot_be_deleted(officer, org, deployed):
    model, version, *_ = deployed

    with pytest.raises(ServiceError, match="AIS-001"):
        services.model_version_delete(actor=officer, version=version)
    with pytest.raises(ServiceError, match="AIS-001"):
        services.ai_model_delete(actor=officer, model=model)

    version.deployed_in.clear()
    services.ai_model_delete(actor=officer, model=model)
    assert not ModelVersion.objects.exists()


def test_model_create_and_update_go_through_the_rules(officer, org, other_org):
    model = services.ai_model_create(
        actor=officer, organisation=org, data={"name": "Scorer", "supplier": SupplierFactory(organisation=org)}
    )
    assert model.reference == "MDL-001"

    with pytest.raises(ServiceError) as exc:
        services.ai_model_update(actor=officer, model=model, data={"supplier": SupplierFactory(organisation=other_org)})
    assert "supplier" in exc.value.message_dict


# --- Pages ----------------------------------------------------------------------------------------------


def test_model_detail_lists_versions_with_metric_results(client_for, officer, org, deployed):
    model, version, *_ = deployed
    ModelMetricFactory(model_version=version, name="accuracy", value=0.95, threshold=0.9)
    ModelMetricFactory(model_version=version, name="fairness gap", value=0.2, threshold=0.1, comparison="lte")

    html = client_for(officer).get(f"/inventory/models/{model.pk}/", {"tab": "versions"}).content.decode()

    assert "Version 1.0" in html and "accuracy" in html and "fairness gap" in html
    assert "Pass" in html and "Fail" in html
    assert f"/inventory/model-versions/new/?model={model.pk}" in html


def test_model_list_filters_and_shows_version_counts(client_for, officer, org, deployed):
    model, _, system, _ = deployed
    AIModelFactory(organisation=org, name="Unused model")
    client = client_for(officer)

    html = client.get(MODELS_URL, {"deployed_in": str(system.pk)}).content.decode()

    assert "Triage model" in html and "Unused model" not in html and "1 version" in html
    assert "Unused model" in client.get(MODELS_URL, {"q": "unused"}).content.decode()


def test_version_list_filters_by_failing_metrics_and_approval(client_for, officer, org, deployed):
    model, good, *_ = deployed
    bad = ModelVersionFactory(model=model, version_label="2.0-beta", approval_status="rejected")
    ModelMetricFactory(model_version=good, name="accuracy", value=0.95, threshold=0.9)
    ModelMetricFactory(model_version=bad, name="accuracy", value=0.5, threshold=0.9)
    client = client_for(officer)

    def labels(params):
        html = client.get(VERSIONS_URL, params).content.decode()
        return {label for label in ("1.0", "2.0-beta") if f">{label}</a>" in html}

    assert labels({}) == {"1.0", "2.0-beta"}
    assert labels({"failing_metrics": "true"}) == {"2.0-beta"}
    assert labels({"failing_metrics": "false"}) == {"1.0"}
    assert labels({"approval_status": "rejected"}) == {"2.0-beta"}
    assert labels({"q": "beta"}) == {"2.0-beta"}


def test_version_export_has_metrics_and_deployments(client_for, officer, org, deployed):
    _, version, system, _ = deployed
    ModelMetricFactory(model_version=version, name="accuracy", value=0.95, threshold=0.9)

    response = client_for(officer).get(VERSIONS_URL, {"export": "json"})

    row = json.loads(b"".join(response.streaming_content))[0]
    assert row["Model reference"] == "MDL-001" and row["Version"] == "1.0"
    assert row["Metrics"] == "accuracy=0.95 (≥0.9: pass)"
    assert system.reference in row["Deployed in"]


def test_version_create_page_prefills_the_model_and_flags_systems(client_for, officer, org, deployed):
    model, _, system, _ = deployed
    client = client_for(officer)

    form = client.get("/inventory/model-versions/new/", {"model": str(model.pk)}).context["form"]
    assert form.initial["model"] == model.pk
    response = client.post("/inventory/model-versions/new/", {"model": str(model.pk), "version_label": "1.1"})

    version = ModelVersion.objects.get(version_label="1.1")
    assert response["Location"] == f"/inventory/model-versions/{version.pk}/"
    html = client.get(f"/inventory/systems/{system.pk}/").content.decode()
    assert "Reassessment required" in html and "New version 1.1 of model MDL-001" in html


def test_version_form_refuses_a_system_of_another_organisation(client_for, officer, org, other_org, deployed):
    model, *_ = deployed
    foreign = AISystemFactory(organisation=other_org)

    response = client_for(officer).post(
        "/inventory/model-versions/new/",
        {"model": str(model.pk), "version_label": "5.0", "deployed_in": [str(foreign.pk)]},
    )

    assert response.status_code == 200
    assert "deployed_in" in response.context["form"].errors
    assert not ModelVersion.objects.filter(version_label="5.0").exists()


def test_version_form_shows_a_duplicate_label_on_its_field(client_for, officer, org, deployed):
    model, *_ = deployed

    response = client_for(officer).post(
        "/inventory/model-versions/new/", {"model": str(model.pk), "version_label": "1.0"}
    )

    assert response.context["form"].errors["version_label"] == ["MDL-001 already has a version 1.0."]


def test_version_edit_keeps_the_model_fixed(client_for, officer, org, deployed):
    _, version, system, _ = deployed
    other_model = AIModelFactory(organisation=org)

    client_for(officer).post(
        f"/inventory/model-versions/{version.pk}/edit/",
        {"model": str(other_model.pk), "version_label": "1.0.1", "deployed_in": [str(system.pk)]},
    )

    version.refresh_from_db()
    assert version.model_id != other_model.pk and version.version_label == "1.0.1"


def test_metric_form_adds_updates_and_removes_rows(client_for, officer, org, deployed):
    _, version, *_ = deployed
    client = client_for(officer)
    url = f"/inventory/model-versions/{version.pk}/metrics/"

    response = client.post(url, {"name": "accuracy", "value": "0.88", "threshold": "0.9", "comparison": "gte"})
    assert response.status_code == 302 and response["Location"].endswith("?tab=metrics")
    client.post(url, {"name": "accuracy", "value": "0.93", "threshold": "0.9", "comparison": "gte"})
    metric = ModelMetric.objects.get(model_version=version)
    assert metric.value == 0.93

    page = client.get(f"/inventory/model-versions/{version.pk}/", {"tab": "metrics", "edit": str(metric.pk)})
    assert page.context["metric_form"].initial["value"] == 0.93
    assert "Pass" in page.content.decode()
    client.post(f"/inventory/model-versions/{version.pk}/metrics/{metric.pk}/remove/")
    assert not ModelMetric.objects.exists()


def test_metric_form_shows_field_errors_and_saves_nothing(client_for, officer, org, deployed):
    _, version, *_ = deployed

    response = client_for(officer).post(
        f"/inventory/model-versions/{version.pk}/metrics/?tab=metrics",
        {"name": "", "value": "high", "threshold": "inf", "comparison": "about"},
    )

    assert response.status_code == 200
    assert set(response.context["metric_form"].errors) == {"name", "value", "threshold", "comparison"}
    assert not ModelMetric.objects.exists()


def test_decision_buttons_are_for_approvers_only(client_for, members, org, deployed):
    _, version, *_ = deployed
    url = f"/inventory/model-versions/{version.pk}/"

    assert 'data-testid="decision-form"' in client_for(members["officer"]).get(url).content.decode()
    assert 'data-testid="decision-form"' not in client_for(members["contributor"]).get(url).content.decode()
    response = client_for(members["contributor"]).post(f"{url}decide/", {"status": "approved"})
    assert response.status_code == 403
    response = client_for(members["officer"]).post(f"{url}decide/", {"status": "approved", "note": "ok"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.approval_status == "approved" and version.approved_by == members["officer"]
    page = client_for(members["officer"]).get(url).content.decode()
    assert 'data-testid="decided-by"' in page


def test_refused_decision_is_reported_on_the_page(client_for, officer, org, deployed):
    _, version, *_ = deployed
    ModelMetricFactory(model_version=version, name="robustness", value=0.1, threshold=0.5)

    response = client_for(officer).post(
        f"/inventory/model-versions/{version.pk}/decide/", {"status": "approved"}, follow=True
    )

    assert "miss their threshold: robustness" in response.content.decode()
    version.refresh_from_db()
    assert version.approval_status == "proposed"


# --- API ------------------------------------------------------------------------------------------------


def test_api_put_by_external_id_creates_updates_and_is_idempotent(api_for, officer, org, deployed):
    model, _, system, _ = deployed
    DatasetFactory(organisation=org, reference="DS-001")
    api = api_for(officer, org)
    body = {
        "model": "MDL-001",
        "version_label": "1.1",
        "description": "Retrained on Q3 data",
        "training_datasets": ["DS-001"],
        "deployed_in": ["AIS-001"],
        "metrics": [
            {"name": "accuracy", "value": 0.94, "threshold": 0.9, "comparison": "gte"},
            {"name": "fairness gap", "value": 0.03, "threshold": 0.05, "comparison": "lte"},
        ],
    }

    first = api.put(_upsert_url("mlflow-run-7"), body, format="json")
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["external_id"] == "mlflow-run-7" and created["training_datasets"] == ["DS-001"]
    assert {m["name"]: m["passed"] for m in created["metrics"]} == {"accuracy": True, "fairness gap": True}
    version = ModelVersion.objects.get(external_id="mlflow-run-7")
    system.refresh_from_db()
    assert system.reassessment_required
    histories = (version.history.count(), ModelMetric.history.count(), system.history.count())

    again = api.put(_upsert_url("mlflow-run-7"), body, format="json")
    assert again.status_code == 200
    assert again.json()["updated_at"] == created["updated_at"]
    assert (version.history.count(), ModelMetric.history.count(), system.history.count()) == histories

    body["metrics"][0]["value"] = 0.96
    changed = api.put(_upsert_url("mlflow-run-7"), body, format="json")
    assert changed.status_code == 200
    assert version.history.count() == histories[0] + 1
    assert ModelVersion.objects.filter(model=model).count() == 2


def test_api_put_by_external_id_bad_input_saves_nothing(api_for, officer, org, other_org, deployed):
    AISystemFactory(organisation=other_org, reference="AIS-900")
    AIModelFactory(organisation=other_org, reference="MDL-900")
    api = api_for(officer, org)

    response = api.put(
        _upsert_url("run-x"), {"model": "MDL-001", "version_label": "7", "deployed_in": ["AIS-900"]}, format="json"
    )
    assert response.status_code == 400 and "deployed_in" in response.json()
    response = api.put(_upsert_url("run-x"), {"model": "MDL-900", "version_label": "7"}, format="json")
    assert response.status_code == 400 and "model" in response.json()
    response = api.put(
        _upsert_url("run-x"),
        {"model": "MDL-001", "version_label": "7", "metrics": [{"name": "acc", "value": 1, "comparison": "near"}]},
        format="json",
    )
    assert response.status_code == 400 and "metrics" in response.json()
    response = api.put(_upsert_url("run-x"), {"model": "MDL-001", "version_label": "1.0 "}, format="json")
    assert response.status_code == 200  # the hand-made 1.0 is adopted
    assert not ModelVersion.objects.filter(version_label="7").exists()


def test_api_put_by_external_id_respects_roles(api_for, members, org, deployed):
    body = {"model": "MDL-001", "version_label": "8"}

    assert api_for(members["viewer"], org).put(_upsert_url("r8"), body, format="json").status_code == 403
    assert (
        api_for(members["officer"], org, read_only=True).put(_upsert_url("r8"), body, format="json").status_code == 403
    )
    contributor = api_for(members["contributor"], org)
    assert contributor.put(_upsert_url("r8"), body, format="json").status_code == 201
    # Updating a version of a model the contributor does not own is refused.
    assert contributor.put(_upsert_url("r8"), {**body, "description": "x"}, format="json").status_code == 403


def test_api_version_crud_with_nested_metrics(api_for, officer, org, deployed):
    api = api_for(officer, org)

    created = api.post(
        API_VERSIONS,
        {"model": "MDL-001", "version_label": "3.0", "metrics": [{"name": "auc", "value": 0.8, "threshold": 0.85}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["metrics"] == [
        {"name": "auc", "value": 0.8, "threshold": 0.85, "comparison": "gte", "passed": False}
    ]
    url = f"{API_VERSIONS}{created.json()['id']}/"
    patched = api.patch(url, {"metrics": [{"name": "auc", "value": 0.9, "threshold": 0.85}]}, format="json")
    assert patched.json()["metrics"][0]["passed"] is True
    assert api.patch(url, {"approval_status": "approved"}, format="json").json()["approval_status"] == "proposed"
    assert api.delete(url).status_code == 204


def test_api_approve_and_reject_actions(api_for, members, org, deployed):
    _, version, *_ = deployed
    officer_api = api_for(members["officer"], org)
    url = f"{API_VERSIONS}{version.pk}/"

    assert api_for(members["contributor"], org).post(f"{url}approve/", {}, format="json").status_code == 403
    response = officer_api.post(f"{url}approve/", {"status": "restricted", "note": "Monitor drift"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["approval_status"] == "restricted" and body["approved_by"] == members["officer"].username
    assert body["approved_at"]
    assert officer_api.post(f"{url}approve/", {"status": "restricted"}, format="json").status_code == 409
    assert officer_api.post(f"{url}approve/", {"status": "maybe"}, format="json").status_code == 400
    assert officer_api.post(f"{url}reject/", {}, format="json").json()["approval_status"] == "rejected"


def test_api_deployed_version_delete_is_a_conflict(api_for, officer, org, deployed):
    _, version, *_ = deployed

    assert api_for(officer, org).delete(f"{API_VERSIONS}{version.pk}/").status_code == 409
    assert ModelVersion.objects.filter(pk=version.pk).exists()


def test_api_filters_versions_and_models(api_for, officer, org, deployed):
    model, good, system, _ = deployed
    bad = ModelVersionFactory(model=model, version_label="2.0", external_id="run-2")
    ModelMetricFactory(model_version=bad, name="acc", value=0.1, threshold=0.5)
    AIModelFactory(organisation=org, name="Other", model_type="LLM")
    api = api_for(officer, org)

    def labels(params):
        return [row["version_label"] for row in api.get(API_VERSIONS, params).json()["results"]]

    assert labels({"failing_metrics": "true"}) == ["2.0"]
    assert labels({"deployed_in": str(system.pk)}) == ["1.0"]
    assert labels({"external_id": "run-2"}) == ["2.0"]
    assert labels({"ordering": "version_label"}) == ["1.0", "2.0"]
    assert labels({"search": "Triage"}) == ["2.0", "1.0"]
    models = api.get(API_MODELS, {"search": "llm"}).json()["results"]
    assert [m["name"] for m in models] == ["Other"]
    triage = api.get(API_MODELS, {"deployed_in": str(system.pk)}).json()["results"]
    assert [m["reference"] for m in triage] == ["MDL-001"]
    assert {v["version_label"] for v in triage[0]["versions"]} == {"1.0", "2.0"}


def test_api_model_create_and_bad_input(api_for, officer, org, other_org):
    SupplierFactory(organisation=other_org, reference="SUP-900")
    api = api_for(officer, org)

    assert api.post(API_MODELS, {"name": "X", "supplier": "SUP-900"}, format="json").status_code == 400
    response = api.post(API_MODELS, {"name": "Scorer", "model_type": "GBM", "owner": officer.username}, format="json")
    assert response.status_code == 201 and response.json()["reference"] == "MDL-001"
    assert AIModel.objects.count() == 1


# --- Query counts and isolation -------------------------------------------------------------------------


def test_lists_cost_the_same_queries_for_5_and_50_rows(client_for, api_for, officer, org):
    supplier = SupplierFactory(organisation=org)
    system = AISystemFactory(organisation=org)
    dataset = DatasetFactory(organisation=org)

    def make(n):
        for _ in range(n):
            model = AIModelFactory(organisation=org, owner=officer, supplier=supplier)
            version = ModelVersionFactory(model=model, approved_by=officer)
            version.deployed_in.add(system)
            version.training_datasets.add(dataset)
            ModelMetricFactory(model_version=version)

    client, api = client_for(officer), api_for(officer, org)
    assert_queries_do_not_grow(
        make, [(client, MODELS_URL), (client, VERSIONS_URL), (api, API_MODELS), (api, API_VERSIONS)]
    )


def test_other_organisation_gets_404_in_ui_and_api(client_for, api_for, outsider, other_org, org, deployed):
    model, version, *_ = deployed
    metric = ModelMetricFactory(model_version=version, name="secret-metric")
    ui, api = client_for(outsider), api_for(outsider, other_org)
    model_url, version_url = f"/inventory/models/{model.pk}/", f"/inventory/model-versions/{version.pk}/"

    for url in (model_url, f"{model_url}edit/", version_url, f"{version_url}edit/", f"{version_url}?tab=metrics"):
        assert ui.get(url).status_code == 404, url
    for url in (
        f"{model_url}delete/",
        f"{version_url}delete/",
        f"{version_url}decide/",
        f"{version_url}metrics/",
        f"{version_url}metrics/{metric.pk}/remove/",
    ):
        assert ui.post(url, {"status": "approved", "name": "x", "value": "1", "comparison": "gte"}).status_code == 404
    for url in (f"{API_MODELS}{model.pk}/", f"{API_VERSIONS}{version.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {}, format="json").status_code == 404
        assert api.delete(url).status_code == 404
    assert api.post(f"{API_VERSIONS}{version.pk}/approve/", {}, format="json").status_code == 404
    assert "secret-metric" not in ui.get(VERSIONS_URL).content.decode()
    version.refresh_from_db()
    assert version.approval_status == "proposed" and ModelMetric.objects.filter(pk=metric.pk).exists()
    assert AISystem.objects.filter(organisation=org).count() == 2
