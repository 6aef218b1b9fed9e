"""AI objectives (clause 6.2): approval needs a measure and a target; progress, closure, pages and API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aims.services import ServiceError
from governance import services
from governance.constants import ObjectiveStatus
from governance.models import Objective
from governance.tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _draft(org, officer, **extra):
    data = {
        "title": "Bias-test every high-risk system",
        "annex_c_objective": "fairness",
        "measure": "Share of high-risk systems with a passed bias test",
        "unit": "%",
        "baseline": Decimal("40"),
        "target": Decimal("100"),
        "deadline": TODAY() + dt.timedelta(days=180),
        "owner": officer,
        **extra,
    }
    return services.objective_create(actor=officer, organisation=org, data=data)


def test_objective_without_a_measure_cannot_be_approved(org, officer):
    objective = _draft(org, officer, measure="")
    with pytest.raises(ServiceError) as exc:
        services.objective_approve(actor=officer, objective=objective)
    assert "measure" in exc.value.message_dict
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.DRAFT


def test_objective_without_a_target_cannot_be_approved(org, officer):
    objective = _draft(org, officer, target=None)
    with pytest.raises(ServiceError) as exc:
        services.objective_approve(actor=officer, objective=objective)
    assert "target" in exc.value.message_dict
    assert Objective.objects.get().status == ObjectiveStatus.DRAFT


def test_measurable_objective_is_approved_with_who_and_when(org, officer):
    objective = _draft(org, officer)
    services.objective_approve(actor=officer, objective=objective)
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.APPROVED
    assert objective.approved_by == officer and objective.approved_at is not None


def test_contributor_cannot_approve(org, officer, members):
    objective = _draft(org, officer)
    with pytest.raises(PermissionDenied):
        services.objective_approve(actor=members["contributor"], objective=objective)


def test_changing_the_target_of_an_approved_objective_needs_approval_again(org, officer):
    objective = _draft(org, officer)
    services.objective_approve(actor=officer, objective=objective)
    services.objective_update(actor=officer, objective=objective, data={"target": Decimal("90")})
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.DRAFT and objective.approved_by is None
    services.objective_update(actor=officer, objective=objective, data={"title": "Renamed"})
    assert Objective.objects.get().status == ObjectiveStatus.DRAFT


def test_deadline_before_start_is_refused(org, officer):
    with pytest.raises(ServiceError) as exc:
        _draft(org, officer, start=TODAY(), deadline=TODAY() - dt.timedelta(days=1))
    assert "deadline" in exc.value.message_dict


def test_progress_runs_from_baseline_to_target(org, officer):
    objective = _draft(org, officer)
    services.objective_approve(actor=officer, objective=objective)
    services.objective_record_value(actor=officer, objective=objective, value=Decimal("70"))
    objective.refresh_from_db()
    assert objective.progress == 50
    assert objective.target_met is False
    services.objective_record_value(actor=officer, objective=objective, value=Decimal("100"))
    assert Objective.objects.get().progress == 100


def test_progress_of_a_lower_is_better_objective(org, officer):
    objective = _draft(org, officer, direction="at_most", baseline=Decimal("21"), target=Decimal("7"), unit="days")
    services.objective_approve(actor=officer, objective=objective)
    services.objective_record_value(actor=officer, objective=objective, value=Decimal("14"))
    objective.refresh_from_db()
    assert objective.progress == 50
    services.objective_record_value(actor=officer, objective=objective, value=Decimal("6"))
    objective.refresh_from_db()
    assert objective.target_met and objective.progress == 100


def test_values_are_recorded_only_against_approved_objectives(org, officer):
    objective = _draft(org, officer)
    with pytest.raises(ServiceError):
        services.objective_record_value(actor=officer, objective=objective, value=Decimal("1"))


def test_measurement_cannot_be_in_the_future(org, officer):
    objective = _draft(org, officer)
    services.objective_approve(actor=officer, objective=objective)
    with pytest.raises(ServiceError) as exc:
        services.objective_record_value(
            actor=officer, objective=objective, value=Decimal("1"), measured_on=TODAY() + dt.timedelta(days=1)
        )
    assert "measured_on" in exc.value.message_dict


def test_close_needs_an_evaluation_and_closed_objectives_are_not_edited(org, officer):
    objective = _draft(org, officer)
    services.objective_approve(actor=officer, objective=objective)
    with pytest.raises(ServiceError):
        services.objective_close(actor=officer, objective=objective, status="achieved", note=" ")
    services.objective_close(actor=officer, objective=objective, status="achieved", note="Checked at the review.")
    with pytest.raises(ServiceError):
        services.objective_update(actor=officer, objective=objective, data={"title": "Changed"})
    with pytest.raises(ServiceError):
        services.objective_delete(actor=officer, objective=objective)


def test_only_drafts_are_deleted(org, officer):
    objective = _draft(org, officer)
    services.objective_delete(actor=officer, objective=objective)
    assert not Objective.objects.exists()


def test_overdue_objectives(org):
    ObjectiveFactory(organisation=org, deadline=TODAY() - dt.timedelta(days=1))
    ObjectiveFactory(organisation=org, deadline=TODAY() - dt.timedelta(days=1), status="achieved")
    ObjectiveFactory(organisation=org)
    assert Objective.objects.overdue().count() == 1


# --- Pages -------------------------------------------------------------------------------------------------


def test_approve_button_refuses_objective_without_target(client_for, officer, org):
    objective = ObjectiveFactory(organisation=org, owner=officer, target=None)
    client = client_for(officer)
    page = client.get(f"/governance/objectives/{objective.pk}/").content.decode()
    assert 'data-testid="approval-problems"' in page and "Set the target" in page
    response = client.post(f"/governance/objectives/{objective.pk}/approve/", follow=True)
    assert "Set the target before approving" in response.content.decode()
    assert Objective.objects.get().status == ObjectiveStatus.DRAFT


def test_form_creates_an_objective(client_for, officer, org):
    response = client_for(officer).post(
        "/governance/objectives/new/",
        {
            "title": "Explain triage",
            "annex_c_objective": "transparency_explainability",
            "owner": officer.pk,
            "measure": "Share explained",
            "unit": "%",
            "direction": "at_least",
            "target": "95",
            "deadline": (TODAY() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Objective.objects.get().reference == "OBJ-001"


def test_form_shows_errors_on_bad_input(client_for, officer, org):
    response = client_for(officer).post(
        "/governance/objectives/new/",
        {"title": "", "annex_c_objective": "not-a-key", "direction": "sideways", "target": "lots"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the fields" in page
    assert not Objective.objects.exists()


def test_measure_form_records_a_value_and_rejects_garbage(client_for, officer, org):
    objective = ObjectiveFactory(organisation=org, owner=officer, status="approved")
    client = client_for(officer)
    response = client.post(f"/governance/objectives/{objective.pk}/measure/", {"value": "abc"})
    assert response.status_code == 200 and "Enter a number" in response.content.decode()
    response = client.post(f"/governance/objectives/{objective.pk}/measure/", {"value": "40"})
    assert response.status_code == 302
    assert Objective.objects.get().current_value == Decimal("40")


def test_objective_export_lists_progress(client_for, officer, org):
    ObjectiveFactory(organisation=org, title="Export me")
    response = client_for(officer).get("/governance/objectives/?export=csv")
    content = b"".join(response.streaming_content).decode()
    assert "Export me" in content and "Progress (%)" in content


# --- API ---------------------------------------------------------------------------------------------------


def test_api_objective_lifecycle(api_for, officer, org):
    api = api_for(officer, org)
    response = api.post(
        "/api/v1/objectives/",
        {"title": "Close incidents within a week", "measure": "Median days to close", "unit": "days"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    refused = api.post(f"/api/v1/objectives/{pk}/approve/")
    assert refused.status_code == 400
    assert {"target", "deadline", "owner"} <= set(refused.json())
    api.patch(
        f"/api/v1/objectives/{pk}/",
        {"target": "7", "direction": "at_most", "deadline": "2030-01-01", "owner": officer.username},
        format="json",
    )
    approved = api.post(f"/api/v1/objectives/{pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api.post(f"/api/v1/objectives/{pk}/approve/")
    assert again.status_code == 409
    measured = api.post(f"/api/v1/objectives/{pk}/record-value/", {"value": "5"}, format="json")
    assert measured.json()["target_met"] is True
    closed = api.post(f"/api/v1/objectives/{pk}/close/", {"status": "achieved", "note": "Met"}, format="json")
    assert closed.json()["status"] == "achieved"


def test_api_objective_bad_input_is_400(api_for, officer, org):
    api = api_for(officer, org)
    response = api.post(
        "/api/v1/objectives/",
        {"title": "", "target": "many", "annex_c_objective": "nope", "owner": "nobody"},
        format="json",
    )
    assert response.status_code == 400
    assert {"title", "target", "annex_c_objective", "owner"} <= set(response.json())
    assert not Objective.objects.exists()


def test_viewer_cannot_record_values_through_the_api(api_for, members, org):
    objective = ObjectiveFactory(organisation=org, status="approved")
    response = api_for(members["viewer"], org).post(
        f"/api/v1/objectives/{objective.pk}/record-value/", {"value": "1"}, format="json"
    )
    assert response.status_code == 403
