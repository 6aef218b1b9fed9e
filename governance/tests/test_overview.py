"""The documented-information index (clause 7.5), the leadership view, the dashboard panels and the demo data."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance import docindex
from governance.models import AimsRole, Objective, RoleAssignment, TrainingRecord
from governance.tests.factories import (
    AcknowledgementRequirementFactory,
    AimsRoleFactory,
    ObjectiveFactory,
    PolicyFactory,
    RoleAssignmentFactory,
    TrainingRecordFactory,
)
from registry.tests.factories import ScopeStatementFactory
from risk.tests.factories import RiskCriteriaFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def restore_holders():
    saved = dict(docindex._HOLDERS)
    yield
    docindex._HOLDERS.clear()
    docindex._HOLDERS.update(saved)


def test_every_expected_item_is_listed_from_the_data_file(org):
    rows = docindex.documented_information_index(org)
    ids = [row.spec.id for row in rows]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert {"scope", "ai_policy", "objectives", "competence", "management_review"} <= set(ids)
    # A fresh organisation holds nothing yet.
    assert all(row.state == "missing" for row in rows)


def test_an_item_without_a_holder_says_its_register_comes_later(org, restore_holders):
    docindex._HOLDERS.pop("management_review", None)  # as before the audits app registers its holder
    review = docindex.documented_information_index(org, only=("management_review",))[0]
    assert review.state == "missing" and not review.has_holder and "audits module" in review.note


def test_holders_find_the_records_of_the_organisation(org, other_org, officer):
    ScopeStatementFactory(organisation=org, version=1, status="approved", approved_at=timezone.now())
    PolicyFactory(organisation=org, reference="POL-001")
    RiskCriteriaFactory(organisation=org)
    ObjectiveFactory(organisation=org, status="approved")
    TrainingRecordFactory(organisation=org)
    PolicyFactory(organisation=other_org, reference="POL-009")
    states = {row.spec.id: row for row in docindex.documented_information_index(org)}
    for item in ("scope", "ai_policy", "risk_process", "objectives", "competence"):
        assert states[item].state == "held", item
    assert states["ai_policy"].holding.version == "v1"
    assert states["ai_policy"].holding.url == "" or "/" in states["ai_policy"].holding.url
    assert docindex.resolve("ai_policy", other_org).label.startswith("POL-009")


def test_a_draft_is_shown_as_not_approved_yet(org):
    ScopeStatementFactory(organisation=org, version=1, status="draft")
    PolicyFactory(organisation=org, status="draft", approved_at=None)
    ObjectiveFactory(organisation=org)
    rows = {row.spec.id: row for row in docindex.documented_information_index(org)}
    assert rows["scope"].state == rows["ai_policy"].state == rows["objectives"].state == "incomplete"


def test_a_higher_app_can_register_a_holder_later(org, restore_holders):
    docindex.register_holder(
        "management_review", lambda organisation: ("Management review 2026", "/reviews/1/", "", TODAY())
    )
    row = docindex.documented_information_index(org, only=("management_review",))[0]
    assert row.state == "held" and row.holding.label == "Management review 2026" and row.date == TODAY()
    with pytest.raises(ValueError):
        docindex.register_holder("not_an_item", lambda organisation: None)


def test_documented_information_page_and_api(client_for, api_for, officer, org, members):
    ObjectiveFactory(organisation=org, status="approved")
    page = client_for(members["viewer"]).get("/governance/documented-information/").content.decode()
    assert page.count("<tr data-item=") == 15
    assert 'data-item="objectives" data-state="held"' in page
    data = api_for(members["auditor"], org).get("/api/v1/documented-information/").json()
    assert len(data) == 15
    assert next(item for item in data if item["id"] == "objectives")["state"] == "held"


def test_leadership_view_reads_live_figures(client_for, officer, org):
    PolicyFactory(organisation=org, reference="POL-001", title="Northwind AI policy")
    ObjectiveFactory(organisation=org, status="approved", deadline=TODAY() - dt.timedelta(days=3))
    role = AimsRoleFactory(organisation=org, name="AIMS manager", reports_performance=True)
    RoleAssignmentFactory(role=role, member=officer)
    AcknowledgementRequirementFactory(organisation=org, policy_reference="POL-001")
    page = client_for(officer).get("/governance/leadership/").content.decode()
    assert "Northwind AI policy" in page
    assert "1 AI objective past the deadline" in page
    assert "Acknowledgements</a>" in page and "0 of 2" in page
    assert "None yet." in page  # management review and audits come with the audits app
    assert "AIMS manager" in page


def test_leadership_view_without_any_data(client_for, officer, org):
    page = client_for(officer).get("/governance/leadership/").content.decode()
    assert "No AI policy has been approved." in page


def test_outsider_without_membership_gets_404_on_overview_pages(client_for, outsider, org):
    # The outsider's current organisation is their own; nothing of ``org`` shows.
    ObjectiveFactory(organisation=org, title="Acme secret objective")
    page = client_for(outsider).get("/governance/leadership/").content.decode()
    assert "Acme secret objective" not in page


def test_dashboard_shows_the_governance_panels(client_for, officer, org):
    ObjectiveFactory(organisation=org, status="approved")
    role = AimsRoleFactory(organisation=org)
    RoleAssignmentFactory(role=role, member=officer)
    from governance.tests.factories import CompetenceFactory

    CompetenceFactory(organisation=org, roles=[role])
    page = client_for(officer).get("/").content.decode()
    assert "AI objectives" in page and 'data-testid="stat-competence-met"' in page


@pytest.mark.django_db(transaction=True)
def test_demo_data_is_complete_and_idempotent():
    call_command("seed_demo")
    counts = (AimsRole.objects.count(), RoleAssignment.objects.count(), Objective.objects.count())
    call_command("seed_demo")
    assert (AimsRole.objects.count(), RoleAssignment.objects.count(), Objective.objects.count()) == counts
    from accounts.models import Organisation

    northwind = Organisation.objects.get(slug="northwind")
    roles = AimsRole.objects.filter(organisation=northwind)
    assert roles.count() == 8
    assert RoleAssignment.objects.filter(organisation=northwind).active().values("role").distinct().count() == 8
    objectives = Objective.objects.filter(organisation=northwind)
    assert objectives.count() == 5 and all(o.target is not None for o in objectives)
    assert TrainingRecord.objects.filter(organisation=northwind).expired().exists()
    assert TrainingRecord.objects.filter(organisation=northwind, expires_on__gte=TODAY()).exists()


def test_every_governance_page_renders_for_officer_and_viewer(client_for, officer, members, org):
    """Detail, edit and create pages of every register answer 200 (edit pages 403 for a viewer)."""
    from governance.tests.factories import (
        CommunicationFactory,
        CompetenceFactory,
        TrainingCourseFactory,
    )

    role = AimsRoleFactory(organisation=org)
    assignment = RoleAssignmentFactory(role=role, member=members["viewer"])
    objective = ObjectiveFactory(organisation=org, status="approved", current_value=10)
    competence = CompetenceFactory(organisation=org, roles=[role])
    course = TrainingCourseFactory(organisation=org, competences=[competence])
    record = TrainingRecordFactory(organisation=org, course=course, member=members["viewer"])
    communication = CommunicationFactory(organisation=org)
    requirement = AcknowledgementRequirementFactory(organisation=org)
    details = [
        f"/governance/roles/{role.pk}/",
        f"/governance/roles/{role.pk}/?tab=holders",
        f"/governance/roles/{role.pk}/?tab=competences",
        f"/governance/roles/{role.pk}/?tab=history",
        f"/governance/objectives/{objective.pk}/",
        f"/governance/objectives/{objective.pk}/?tab=plan",
        f"/governance/competences/{competence.pk}/",
        f"/governance/courses/{course.pk}/?tab=records",
        f"/governance/training/{record.pk}/",
        f"/governance/communications/{communication.pk}/",
        f"/governance/acknowledgements/{requirement.pk}/",
        f"/governance/acknowledgements/{requirement.pk}/?tab=settings",
    ]
    edits = [
        f"/governance/roles/{role.pk}/edit/",
        f"/governance/assignments/{assignment.pk}/edit/",
        f"/governance/objectives/{objective.pk}/edit/",
        f"/governance/competences/{competence.pk}/edit/",
        f"/governance/courses/{course.pk}/edit/",
        f"/governance/training/{record.pk}/edit/",
        f"/governance/communications/{communication.pk}/edit/",
        f"/governance/acknowledgements/{requirement.pk}/edit/",
        "/governance/roles/new/",
        "/governance/objectives/new/",
        "/governance/competences/new/",
        "/governance/courses/new/",
        "/governance/training/new/",
        "/governance/communications/new/",
        "/governance/acknowledgements/new/",
    ]
    officer_client, viewer_client = client_for(officer), client_for(members["viewer"])
    for url in details + edits:
        assert officer_client.get(url).status_code == 200, url
    for url in details:
        assert viewer_client.get(url).status_code == 200, url
    for url in edits:
        assert viewer_client.get(url).status_code == 403, url
    assert officer_client.get(f"/governance/assignments/{assignment.pk}/").status_code == 302
