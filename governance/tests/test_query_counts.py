"""Every governance list page and endpoint, the competence matrix, the documented-information index and the
leadership view run the same number of queries with 5 rows as with 50."""

import pytest

from governance.tests.factories import (
    AcknowledgementFactory,
    AcknowledgementRequirementFactory,
    AimsRoleFactory,
    CommunicationFactory,
    CompetenceFactory,
    ObjectiveFactory,
    PolicyFactory,
    RaciEntryFactory,
    RoleAssignmentFactory,
    TrainingCourseFactory,
    TrainingRecordFactory,
    member_of,
)
from registry.tests.factories import InterestedPartyFactory
from tests.query_budget import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

PAGES = [
    "/governance/roles/",
    "/governance/assignments/",
    "/governance/raci/",
    "/governance/raci/?edit=1",
    "/governance/objectives/",
    "/governance/competences/",
    "/governance/competence-matrix/",
    "/governance/courses/",
    "/governance/training/",
    "/governance/acknowledgements/",
    "/governance/communications/",
    "/governance/documented-information/",
    "/governance/leadership/",
    "/",
]
ENDPOINTS = [
    "/api/v1/aims-roles/",
    "/api/v1/role-assignments/",
    "/api/v1/raci-entries/",
    "/api/v1/objectives/",
    "/api/v1/competences/",
    "/api/v1/training-courses/",
    "/api/v1/training-records/",
    "/api/v1/communications/",
    "/api/v1/acknowledgement-requirements/",
    "/api/v1/acknowledgements/",
    "/api/v1/competence-matrix/",
    "/api/v1/documented-information/",
]


def _rows(org, officer, n):
    """``n`` of everything, linked the way real data is (roles held, competences required, courses taken)."""
    for i in range(n):
        role = AimsRoleFactory(
            organisation=org,
            reports_performance=i % 2 == 0,
            receives_concerns=i % 3 == 0,
            concern_channel="ai-concerns@example.org",
        )
        member = member_of(org)
        RoleAssignmentFactory(role=role, member=member)
        RaciEntryFactory(role=role, process="policy" if i == 0 else "monitoring", code="A" if i == 0 else "C")
        competence = CompetenceFactory(organisation=org, roles=[role])
        course = TrainingCourseFactory(organisation=org, competences=[competence], owner=officer)
        TrainingRecordFactory(organisation=org, member=member, course=course)
        ObjectiveFactory(organisation=org, owner=officer, status="approved", current_value=50)
        party = InterestedPartyFactory(organisation=org)
        CommunicationFactory(organisation=org, owner=officer).interested_parties.add(party)
        policy = PolicyFactory(organisation=org)
        requirement = AcknowledgementRequirementFactory(organisation=org, policy_reference=policy.reference)
        requirement.aims_roles.add(role)
        AcknowledgementFactory(policy=policy, member=member)


def test_pages_and_endpoints_cost_the_same_queries_for_5_and_50_rows(client_for, api_for, officer, org):
    client, api = client_for(officer), api_for(officer, org)
    assert_queries_do_not_grow(
        lambda n: _rows(org, officer, n),
        [(client, url) for url in PAGES] + [(api, url) for url in ENDPOINTS],
    )
