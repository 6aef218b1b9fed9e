"""Competences, courses, training records and the competence matrix (clause 7.2)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.services import ServiceError
from controls.models import Evidence
from governance import services
from governance.constants import CompetenceState
from governance.models import TrainingRecord
from governance.selectors import competence_matrix
from governance.tests.factories import (
    AimsRoleFactory,
    CompetenceFactory,
    LinkEvidenceFactory,
    RoleAssignmentFactory,
    TrainingCourseFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def setup(org, members):
    """The viewer holds the data steward role, which needs data protection, given by one course."""
    role = AimsRoleFactory(organisation=org, name="Data steward")
    competence = CompetenceFactory(organisation=org, name="Data protection for AI", roles=[role])
    course = TrainingCourseFactory(organisation=org, title="GDPR for AI", competences=[competence], validity_months=12)
    RoleAssignmentFactory(role=role, member=members["viewer"])
    return {"role": role, "competence": competence, "course": course, "member": members["viewer"]}


def _record(org, actor, member, course, **extra):
    data = {"member": member, "course": course, "completed_on": TODAY() - dt.timedelta(days=10), **extra}
    return services.training_record_create(actor=actor, organisation=org, data=data)


def _cell(matrix, member, competence):
    row = next(r for r in matrix.rows if r.member == member)
    return next(c for c in row.cells if c.competence == competence)


# --- Training records --------------------------------------------------------------------------------------


def test_training_record_for_a_member_of_another_organisation_is_refused(org, officer, outsider, setup):
    with pytest.raises(ServiceError) as exc:
        _record(org, officer, outsider, setup["course"])
    assert "member" in exc.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_course_of_another_organisation_is_refused(org, other_org, officer, setup):
    foreign = TrainingCourseFactory(organisation=other_org)
    with pytest.raises(ServiceError) as exc:
        _record(org, officer, setup["member"], foreign)
    assert "course" in exc.value.message_dict


def test_expiry_follows_from_the_course_validity(org, officer, setup):
    record = _record(org, officer, setup["member"], setup["course"], completed_on=dt.date(2025, 1, 31))
    assert record.expires_on == dt.date(2026, 1, 31)
    record = _record(
        org, officer, setup["member"], setup["course"], completed_on=dt.date(2025, 3, 1), expires_on=dt.date(2025, 9, 1)
    )
    assert record.expires_on == dt.date(2025, 9, 1)


def test_failed_training_does_not_expire_nor_count(org, officer, setup):
    record = _record(org, officer, setup["member"], setup["course"], result="failed")
    assert record.expires_on is None
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], setup["competence"]).state == CompetenceState.MISSING


def test_training_in_the_future_or_expiring_before_completion_is_refused(org, officer, setup):
    with pytest.raises(ServiceError) as exc:
        _record(org, officer, setup["member"], setup["course"], completed_on=TODAY() + dt.timedelta(days=2))
    assert "completed_on" in exc.value.message_dict
    with pytest.raises(ServiceError) as exc:
        _record(org, officer, setup["member"], setup["course"], expires_on=TODAY() - dt.timedelta(days=100))
    assert "expires_on" in exc.value.message_dict


def test_contributor_records_only_their_own_training(org, members, setup):
    contributor = members["contributor"]
    own = _record(org, contributor, contributor, setup["course"])
    assert own.member == contributor
    with pytest.raises(ServiceError) as exc:
        _record(org, contributor, members["viewer"], setup["course"])
    assert "member" in exc.value.message_dict


def test_certificate_upload_becomes_evidence(org, officer, setup):
    upload = SimpleUploadedFile("certificate.txt", b"Certificate of completion\n", content_type="text/plain")
    record = services.training_record_create(
        actor=officer,
        organisation=org,
        data={"member": setup["member"], "course": setup["course"], "completed_on": TODAY()},
        certificate_file=upload,
    )
    evidence = record.certificate
    assert evidence is not None and evidence.organisation == org
    assert evidence.current_revision.sha256 and evidence.expiry_date == record.expires_on
    assert evidence.owner == setup["member"]


def test_bad_certificate_file_is_refused_on_its_field(org, officer, setup):
    upload = SimpleUploadedFile("certificate.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ServiceError) as exc:
        services.training_record_create(
            actor=officer,
            organisation=org,
            data={"member": setup["member"], "course": setup["course"]},
            certificate_file=upload,
        )
    assert "certificate_file" in exc.value.message_dict
    assert not TrainingRecord.objects.exists() and not Evidence.objects.exists()


def test_course_with_records_cannot_be_deleted(org, officer, setup):
    _record(org, officer, setup["member"], setup["course"])
    with pytest.raises(ServiceError):
        services.course_delete(actor=officer, course=setup["course"])


# --- The matrix --------------------------------------------------------------------------------------------


def test_matrix_states_met_expiring_expired_missing(org, officer, members, setup):
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], setup["competence"]).state == CompetenceState.MISSING
    assert [g.member for g in matrix.gaps] == [setup["member"]]

    _record(org, officer, setup["member"], setup["course"], expires_on=TODAY() + dt.timedelta(days=10))
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], setup["competence"]).state == CompetenceState.EXPIRING

    TrainingRecord.objects.update(completed_on=TODAY() - dt.timedelta(days=400), expires_on=TODAY() - dt.timedelta(1))
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], setup["competence"]).state == CompetenceState.EXPIRED

    _record(org, officer, setup["member"], setup["course"])
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], setup["competence"]).state == CompetenceState.MET
    assert matrix.gaps == [] and matrix.met_share == 100


def test_matrix_marks_competences_other_roles_need_as_not_required(org, officer, members, setup):
    other_role = AimsRoleFactory(organisation=org)
    other = CompetenceFactory(organisation=org, roles=[other_role])
    RoleAssignmentFactory(role=other_role, member=members["auditor"])
    matrix = competence_matrix(user=officer, organisation=org)
    assert _cell(matrix, setup["member"], other).required is False
    assert len(matrix.rows) == 2


def test_ended_assignment_removes_the_requirement(org, officer, setup):
    assignment = setup["role"].assignments.get()
    services.role_assignment_end(actor=officer, assignment=assignment, end=TODAY() - dt.timedelta(days=1))
    assert competence_matrix(user=officer, organisation=org).rows == []


def test_matrix_filter_by_role(org, officer, members, setup):
    other_role = AimsRoleFactory(organisation=org)
    CompetenceFactory(organisation=org, roles=[other_role])
    RoleAssignmentFactory(role=other_role, member=members["auditor"])
    matrix = competence_matrix(user=officer, organisation=org, role=setup["role"])
    assert [row.member for row in matrix.rows] == [setup["member"]]


def test_matrix_page_and_gap_links(client_for, officer, org, setup):
    page = client_for(officer).get("/governance/competence-matrix/").content.decode()
    assert 'data-testid="competence-matrix"' in page
    assert f"?member={setup['member'].pk}&amp;course={setup['course'].pk}" in page
    # A malformed or unknown role filter is ignored, never a 500.
    assert client_for(officer).get("/governance/competence-matrix/?role=nonsense").status_code == 200
    assert client_for(officer).get(f"/governance/competence-matrix/?role={org.pk}").status_code == 200


# --- Pages and API -----------------------------------------------------------------------------------------


def test_training_form_prefills_from_the_gap_link_and_saves(client_for, officer, org, setup):
    client = client_for(officer)
    page = client.get(
        f"/governance/training/new/?member={setup['member'].pk}&course={setup['course'].pk}"
    ).content.decode()
    assert f'value="{setup["course"].pk}" selected' in page
    response = client.post(
        "/governance/training/new/",
        {
            "member": setup["member"].pk,
            "course": setup["course"].pk,
            "completed_on": TODAY().isoformat(),
            "result": "passed",
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get().expires_on is not None


def test_training_form_refuses_a_member_of_another_organisation(client_for, officer, org, outsider, setup):
    response = client_for(officer).post(
        "/governance/training/new/",
        {"member": outsider.pk, "course": setup["course"].pk, "completed_on": TODAY().isoformat(), "result": "passed"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_contributor_form_offers_only_themselves(client_for, members, org, setup):
    page = client_for(members["contributor"]).get("/governance/training/new/").content.decode()
    assert members["contributor"].username in page
    assert members["viewer"].username not in page.split('name="member"')[1].split("</select>")[0]


def test_api_training_record_for_another_organisations_member_is_400(api_for, officer, org, outsider, setup):
    response = api_for(officer, org).post(
        "/api/v1/training-records/",
        {"member": outsider.username, "course": setup["course"].reference, "completed_on": TODAY().isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "member" in response.json()
    assert not TrainingRecord.objects.exists()


def test_api_training_record_links_evidence_of_the_organisation_only(api_for, officer, org, other_org, setup):
    api = api_for(officer, org)
    foreign = LinkEvidenceFactory(organisation=other_org)
    body = {"member": setup["member"].username, "course": setup["course"].reference, "certificate": foreign.reference}
    assert api.post("/api/v1/training-records/", body, format="json").status_code == 400
    own = LinkEvidenceFactory(organisation=org)
    response = api.post("/api/v1/training-records/", {**body, "certificate": own.reference}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["certificate"] == own.reference


def test_api_competence_matrix(api_for, officer, org, setup):
    TrainingRecordFactory(organisation=org, member=setup["member"], course=setup["course"])
    data = api_for(officer, org).get("/api/v1/competence-matrix/").json()
    assert data["met_share"] == 100
    assert data["rows"][0]["cells"][0]["state"] == "met"
    assert data["gaps"] == []


def test_api_competence_and_course_bad_input(api_for, officer, org):
    api = api_for(officer, org)
    response = api.post("/api/v1/competences/", {"name": "", "roles": ["ROL-999"]}, format="json")
    assert response.status_code == 400 and {"name", "roles"} <= set(response.json())
    response = api.post("/api/v1/training-courses/", {"title": "Long", "validity_months": 500}, format="json")
    assert response.status_code == 400 and "validity_months" in response.json()
