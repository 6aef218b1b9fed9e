"""AIMS roles, assignments and the RACI view: services, pages and API."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from aims.services import ServiceError
from governance import services
from governance.models import AimsRole, RaciEntry, RoleAssignment
from governance.selectors import raci_matrix
from governance.tests.factories import AimsRoleFactory, RaciEntryFactory, RoleAssignmentFactory, member_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _role(org, officer, **extra):
    data = {"name": "Model validator", "responsibilities": "Validates models before release.", **extra}
    return services.aims_role_create(actor=officer, organisation=org, data=data)


# --- Services ----------------------------------------------------------------------------------------------


def test_role_gets_a_reference_and_history(org, officer):
    role = _role(org, officer)
    assert role.reference == "ROL-001"
    assert role.history.first().history_change_reason == "Role defined"


def test_role_needs_responsibilities(org, officer):
    with pytest.raises(ServiceError) as exc:
        _role(org, officer, responsibilities="  ")
    assert "responsibilities" in exc.value.message_dict
    assert not AimsRole.objects.exists()


def test_role_receiving_concerns_needs_a_channel(org, officer):
    with pytest.raises(ServiceError) as exc:
        _role(org, officer, receives_concerns=True)
    assert "concern_channel" in exc.value.message_dict


def test_assign_member_and_end_the_assignment(org, officer, members):
    role = _role(org, officer)
    assignment = services.role_assign(
        actor=officer, organisation=org, data={"role": role, "member": members["contributor"]}
    )
    assert assignment.is_active
    services.role_assignment_end(actor=officer, assignment=assignment, end=TODAY() - dt.timedelta(days=0))
    assignment.refresh_from_db()
    assert assignment.end == TODAY()
    with pytest.raises(ServiceError):
        services.role_assignment_end(actor=officer, assignment=assignment)


def test_assigning_a_member_of_another_organisation_is_refused(org, officer, outsider):
    role = _role(org, officer)
    with pytest.raises(ServiceError) as exc:
        services.role_assign(actor=officer, organisation=org, data={"role": role, "member": outsider})
    assert "member" in exc.value.message_dict
    assert not RoleAssignment.objects.exists()


def test_assignment_cannot_overlap_for_the_same_member(org, officer, members):
    role = _role(org, officer)
    data = {"role": role, "member": members["viewer"], "start": TODAY() - dt.timedelta(days=30)}
    services.role_assign(actor=officer, organisation=org, data=data)
    with pytest.raises(ServiceError):
        services.role_assign(actor=officer, organisation=org, data={**data, "start": TODAY()})


def test_assignment_end_before_start_is_refused(org, officer, members):
    role = _role(org, officer)
    with pytest.raises(ServiceError) as exc:
        services.role_assign(
            actor=officer,
            organisation=org,
            data={"role": role, "member": members["viewer"], "start": TODAY(), "end": TODAY() - dt.timedelta(1)},
        )
    assert "end" in exc.value.message_dict


def test_role_someone_holds_cannot_be_deleted(org, officer):
    assignment = RoleAssignmentFactory(role=AimsRoleFactory(organisation=org))
    with pytest.raises(ServiceError):
        services.aims_role_delete(actor=officer, role=assignment.role)
    services.role_assignment_end(actor=officer, assignment=assignment, end=TODAY() - dt.timedelta(days=1))
    services.aims_role_delete(actor=officer, role=assignment.role)
    assert not AimsRole.objects.exists()


def test_raci_allows_only_one_accountable_role_per_process(org, officer):
    first, second = AimsRoleFactory(organisation=org), AimsRoleFactory(organisation=org)
    services.raci_save(actor=officer, organisation=org, cells={(first, "policy"): "A", (second, "policy"): "R"})
    with pytest.raises(ServiceError):
        services.raci_save(actor=officer, organisation=org, cells={(second, "policy"): "A"})
    assert RaciEntry.objects.get(role=second).code == "R"
    # Moving the A in one save is fine.
    services.raci_save(actor=officer, organisation=org, cells={(first, "policy"): "C", (second, "policy"): "A"})
    assert RaciEntry.objects.get(role=second).code == "A"


def test_raci_clearing_a_cell_deletes_the_entry(org, officer):
    entry = RaciEntryFactory(role=AimsRoleFactory(organisation=org))
    services.raci_save(actor=officer, organisation=org, cells={(entry.role, entry.process): ""})
    assert not RaciEntry.objects.exists()


def test_raci_matrix_flags_processes_without_accountable_or_responsible(org, officer):
    role = AimsRoleFactory(organisation=org)
    RaciEntryFactory(role=role, process="policy", code="A")
    matrix = raci_matrix(user=officer, organisation=org)
    policy = next(row for row in matrix.rows if row.process == "policy")
    assert policy.problems == ["no role is responsible"]
    assert matrix.incomplete == len(matrix.rows)


# --- Pages -------------------------------------------------------------------------------------------------


def test_officer_assigns_a_role_on_the_role_page(client_for, officer, org, members):
    role = AimsRoleFactory(organisation=org)
    response = client_for(officer).post(
        f"/governance/roles/{role.pk}/assign/",
        {"member": members["viewer"].pk, "start": TODAY().isoformat(), "end": "", "note": "Interim"},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.get(role=role).member == members["viewer"]
    page = client_for(officer).get(f"/governance/roles/{role.pk}/?tab=holders").content.decode()
    assert "Interim" in page


def test_assign_form_refuses_member_of_another_organisation(client_for, officer, org, outsider):
    role = AimsRoleFactory(organisation=org)
    response = client_for(officer).post(f"/governance/roles/{role.pk}/assign/", {"member": outsider.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RoleAssignment.objects.exists()


def test_contributor_cannot_assign_roles(client_for, members, org):
    role = AimsRoleFactory(organisation=org)
    response = client_for(members["contributor"]).post(
        f"/governance/roles/{role.pk}/assign/", {"member": members["contributor"].pk}
    )
    assert response.status_code == 403


def test_role_list_shows_holders_and_reporting_lines(client_for, officer, org):
    role = AimsRoleFactory(organisation=org, reports_performance=True, name="AIMS manager")
    RoleAssignmentFactory(role=role, member=member_of(org, "priya"))
    page = client_for(officer).get("/governance/roles/").content.decode()
    assert 'data-testid="reporting-lines"' in page
    assert "priya" in page or "AIMS manager" in page


def test_raci_page_saves_the_grid(client_for, officer, org):
    role = AimsRoleFactory(organisation=org)
    client = client_for(officer)
    assert client.get("/governance/raci/?edit=1").status_code == 200
    response = client.post("/governance/raci/", {f"policy__{role.pk}": "A", f"objectives__{role.pk}": "R"})
    assert response.status_code == 302
    assert set(RaciEntry.objects.values_list("process", "code")) == {("policy", "A"), ("objectives", "R")}


def test_raci_page_shows_a_refusal_without_saving(client_for, officer, org):
    one, two = AimsRoleFactory(organisation=org), AimsRoleFactory(organisation=org)
    response = client_for(officer).post("/governance/raci/", {f"policy__{one.pk}": "A", f"policy__{two.pk}": "A"})
    assert response.status_code == 200
    assert "only one role can be accountable" in response.content.decode()
    assert not RaciEntry.objects.exists()


def test_raci_page_refuses_a_bad_code(client_for, officer, org):
    role = AimsRoleFactory(organisation=org)
    response = client_for(officer).post("/governance/raci/", {f"policy__{role.pk}": "X"})
    assert response.status_code == 200
    assert not RaciEntry.objects.exists()


def test_viewer_cannot_edit_the_raci(client_for, members, org):
    AimsRoleFactory(organisation=org)
    assert client_for(members["viewer"]).post("/governance/raci/", {}).status_code == 403


def test_raci_export(client_for, officer, org):
    RaciEntryFactory(role=AimsRoleFactory(organisation=org, name="Ethics lead"), code="A")
    response = client_for(officer).get("/governance/raci/?export=csv")
    content = b"".join(response.streaming_content).decode()
    assert "Ethics lead" in content and "AI policy (5.2)" in content


# --- API ---------------------------------------------------------------------------------------------------


def test_api_creates_a_role_and_assigns_it(api_for, officer, org, members):
    api = api_for(officer, org)
    response = api.post(
        "/api/v1/aims-roles/", {"name": "Data steward", "responsibilities": "Keeps the data register."}, format="json"
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    response = api.post(
        "/api/v1/role-assignments/", {"role": reference, "member": members["contributor"].username}, format="json"
    )
    assert response.status_code == 201, response.json()
    role = api.get(f"/api/v1/aims-roles/{AimsRole.objects.get().pk}/").json()
    assert [h["member"] for h in role["holders"]] == [members["contributor"].username]
    assignment_id = response.json()["id"]
    ended = api.post(f"/api/v1/role-assignments/{assignment_id}/end/", {}, format="json")
    assert ended.status_code == 200 and ended.json()["end"] == TODAY().isoformat()


def test_api_refuses_assignment_of_another_organisations_member(api_for, officer, org, outsider):
    role = AimsRoleFactory(organisation=org)
    response = api_for(officer, org).post(
        "/api/v1/role-assignments/", {"role": role.reference, "member": outsider.username}, format="json"
    )
    assert response.status_code == 400
    assert "member" in response.json()


def test_api_raci_entry_second_accountable_is_400(api_for, officer, org):
    one, two = AimsRoleFactory(organisation=org), AimsRoleFactory(organisation=org)
    api = api_for(officer, org)
    assert (
        api.post("/api/v1/raci-entries/", {"role": one.reference, "process": "policy", "code": "A"}).status_code == 201
    )
    response = api.post("/api/v1/raci-entries/", {"role": two.reference, "process": "policy", "code": "A"})
    assert response.status_code == 400
    response = api.post("/api/v1/raci-entries/", {"role": two.reference, "process": "nope", "code": "Z"})
    assert response.status_code == 400 and {"process", "code"} <= set(response.json())


def test_contributor_cannot_create_roles_through_the_api(api_for, members, org):
    response = api_for(members["contributor"], org).post(
        "/api/v1/aims-roles/", {"name": "X", "responsibilities": "Y"}, format="json"
    )
    assert response.status_code == 403


def test_roles_export_names_each_role_s_current_holders(client_for, officer, org):
    role = AimsRoleFactory(organisation=org, name="Ethics lead")
    holder = RoleAssignmentFactory(role=role).member
    RoleAssignmentFactory(role=role, end=TODAY() - dt.timedelta(days=30))  # ended: no longer a holder
    response = client_for(officer).get("/governance/roles/?export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    (row,) = (r for r in rows if r["Name"] == "Ethics lead")
    assert row["Current holders"] == str(holder)
