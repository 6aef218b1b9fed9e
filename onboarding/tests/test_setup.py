"""The guided setup: organisation creation, each step writing real records, the gap questionnaire, the roadmap
and the readiness figure (the gap analysis's own)."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Membership, Organisation
from aims.roles import Role
from controls.constants import ImplementationStatus, RoadmapPhase
from controls.models import Control, Evidence, RoadmapAction, SoALine
from onboarding import selectors, services
from onboarding.models import GapAnswer
from registry.models import AISystem, InterestedParty, ScopeStatement
from registry.tests.factories import AISystemFactory


def test_signed_in_user_creates_an_organisation_and_becomes_its_owner(client_for, make_member, org):
    user = make_member(org, Role.VIEWER, username="founder")
    client = client_for(user)
    response = client.post(reverse("onboarding:organisation-new"), {"name": "Fresh Start AI", "time_zone": "UTC"})
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:setup")
    created = Organisation.objects.get(slug="fresh-start-ai")
    assert Membership.objects.get(organisation=created, user=user).role == Role.OWNER
    # The new organisation is now the current one: its setup opens for its owner.
    page = client.get(reverse("onboarding:setup"))
    assert page.status_code == 200 and page.context["current_organisation"] == created


def test_an_address_already_taken_is_a_field_error(client_for, officer, org):
    response = client_for(officer).post(
        reverse("onboarding:organisation-new"), {"name": "X", "slug": "acme", "time_zone": "UTC"}
    )
    assert response.status_code == 200
    assert "This address is taken" in response.content.decode()


def test_only_a_site_administrator_creates_an_organisation_for_someone_else(db, make_member, org, officer):
    from accounts.tests.factories import UserFactory

    boss = UserFactory(username="root", is_superuser=True, is_staff=True)
    organisation = services.organisation_sign_up(actor=boss, name="Client Co", administrator=officer)
    assert Membership.objects.get(organisation=organisation, user=officer).role == Role.OWNER
    assert not Membership.objects.filter(organisation=organisation, user=boss).exists()
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.organisation_sign_up(actor=officer, name="Sneaky", administrator=boss)


@pytest.mark.parametrize("role", ["contributor", "auditor", "viewer"])
def test_other_roles_cannot_run_the_setup(client_for, members, role, catalogue):
    assert client_for(members[role]).get(reverse("onboarding:setup")).status_code == 403


def test_steps_write_real_records_through_the_pages(client_for, members, org, catalogue):
    client = client_for(members["admin"])  # the creator of a new organisation is its administrator
    r = client.post(
        reverse("onboarding:scope"),
        {
            "action": "scope",
            "scope-boundaries": "All AI in claims",
            "scope-units": "Claims",
            "scope-ai_roles": "Deployer",
        },
    )
    assert r.status_code == 302
    scope = ScopeStatement.objects.get(organisation=org)
    assert scope.units == "Claims" and scope.status == "draft"
    client.post(reverse("onboarding:scope"), {"action": "scope", "scope-boundaries": "All AI in claims and sales"})
    assert ScopeStatement.objects.filter(organisation=org).count() == 1  # the draft is edited, not forked
    client.post(
        reverse("onboarding:scope"),
        {"action": "party", "party-name": "Policy holders", "party-kind": "external", "party-requirements": "Fair"},
    )
    assert InterestedParty.objects.filter(organisation=org, name="Policy holders").exists()
    r = client.post(
        reverse("onboarding:systems"),
        {"name": "Claims triage", "operator_role": "deployer", "in_scope": "on", "scope_justification": "Core"},
    )
    assert r.status_code == 302
    system = AISystem.objects.get(organisation=org, name="Claims triage")
    steps = {s.key: s.done for s in selectors.setup_steps(user=members["admin"], organisation=org)}
    assert steps["scope"] and steps["systems"] and not steps["classify"]
    r = client.post(
        reverse("onboarding:classify-system", args=[system.pk]),
        {"operator_role": "deployer", "prohibited_practice": "none", "derogation_condition": "none"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("onboarding:classify")
    system.refresh_from_db()
    assert system.eu_tier != "unclassified"


def test_a_system_form_error_is_shown_and_nothing_saved(client_for, officer, org, catalogue):
    r = client_for(officer).post(reverse("onboarding:systems"), {"name": "", "operator_role": "deployer"})
    assert r.status_code == 200 and not AISystem.objects.filter(organisation=org).exists()


def test_a_yes_with_a_link_makes_the_requirement_ready(officer, org, iso):
    answer = services.gap_answer_save(
        actor=officer,
        organisation=org,
        requirement=iso["5.2"],
        answer="yes",
        evidence_note="https://intranet.example/ai-policy.pdf",
    )
    assert answer.control.implementation_status == ImplementationStatus.IMPLEMENTED
    assert list(answer.control.requirements.all()) == [iso["5.2"]]
    assert answer.evidence.url == "https://intranet.example/ai-policy.pdf"
    readiness = selectors.certification_readiness(user=officer, organisation=org)
    item = next(i for i in readiness.items if i.identifier == "5.2")
    assert item.ready and readiness.ready == 1


def test_a_description_makes_a_placeholder_that_does_not_count(officer, org, iso):
    answer = services.gap_answer_save(
        actor=officer, organisation=org, requirement=iso["A.3.2"], answer="yes", evidence_note="HR drive, RACI.xlsx"
    )
    assert answer.evidence.url == "" and answer.evidence.current_revision is None
    assert "HR drive" in answer.evidence.description
    line = SoALine.objects.get(organisation=org, requirement=iso["A.3.2"])
    assert line.applicable is True
    readiness = selectors.certification_readiness(user=officer, organisation=org)
    assert not next(i for i in readiness.items if i.identifier == "A.3.2").ready


def test_answering_again_updates_the_same_records(officer, org, iso):
    services.gap_answer_save(actor=officer, organisation=org, requirement=iso["A.6.2.4"], answer="no")
    services.gap_answer_save(
        actor=officer,
        organisation=org,
        requirement=iso["A.6.2.4"],
        answer="partly",
        evidence_note="Test reports in Jira",
    )
    services.gap_answer_save(
        actor=officer,
        organisation=org,
        requirement=iso["A.6.2.4"],
        answer="yes",
        evidence_note="https://jira.example/VAL",
    )
    assert GapAnswer.objects.filter(organisation=org).count() == 1
    assert Control.objects.filter(organisation=org).count() == 1
    assert Control.objects.get(organisation=org).implementation_status == ImplementationStatus.IMPLEMENTED
    # The placeholder was answered by the link: one evidence record remains.
    assert list(Evidence.objects.filter(organisation=org).values_list("url", flat=True)) == ["https://jira.example/VAL"]


def test_not_applicable_excludes_the_annex_a_line_with_its_justification(officer, org, iso):
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.gap_answer_save(actor=officer, organisation=org, requirement=iso["A.10.4"], answer="na")
    with pytest.raises(ServiceError):
        services.gap_answer_save(
            actor=officer, organisation=org, requirement=iso["4.1"], answer="na", evidence_note="We think not"
        )
    services.gap_answer_save(
        actor=officer,
        organisation=org,
        requirement=iso["A.10.4"],
        answer="na",
        evidence_note="We have no customers for AI systems.",
    )
    line = SoALine.objects.get(organisation=org, requirement=iso["A.10.4"])
    assert line.applicable is False and line.exclusion_justification == "We have no customers for AI systems."
    readiness = selectors.certification_readiness(user=officer, organisation=org)
    assert readiness.excluded == 1


def test_the_questionnaire_page_saves_a_section(client_for, officer, org, iso):
    client = client_for(officer)
    page = client.get(reverse("onboarding:gap") + "?section=4")
    assert page.status_code == 200 and "4.1" in page.content.decode()
    data = {
        f"answer-{iso['4.1'].pk}": "yes",
        f"note-{iso['4.1'].pk}": "https://wiki.example/context",
        f"answer-{iso['4.2'].pk}": "no",
        "next": "5",
    }
    r = client.post(reverse("onboarding:gap") + "?section=4", data)
    assert r.status_code == 302 and r["Location"].endswith("?section=5")
    assert GapAnswer.objects.filter(organisation=org).count() == 2
    assert client.get(reverse("onboarding:gap") + "?section=nope").status_code == 404


def test_setup_readiness_equals_the_gap_analysis_figure(client_for, officer, org, iso):
    for identifier in ("4.1", "4.2", "5.2", "A.2.2"):
        services.gap_answer_save(
            actor=officer,
            organisation=org,
            requirement=iso[identifier],
            answer="yes",
            evidence_note=f"https://docs.example/{identifier}",
        )
    services.gap_answer_save(
        actor=officer, organisation=org, requirement=iso["A.10.4"], answer="na", evidence_note="No customers"
    )
    client = client_for(officer)
    setup = client.get(reverse("onboarding:setup")).context["readiness"]
    gap = client.get(reverse("controls:gap-analysis")).context["selected"]
    assert setup.percent == gap.percent and setup.ready == gap.ready == 4
    assert setup.applicable == gap.applicable and setup.percent > 0


def test_roadmap_puts_pilot_and_foundations_first_with_owner_and_dates(officer, members, org, iso):
    services.gap_answer_save(actor=officer, organisation=org, requirement=iso["A.7.4"], answer="no")
    pilot = AISystemFactory(organisation=org, name="Claims triage")
    start = dt.date(2026, 1, 1)
    created = services.roadmap_generate(
        actor=officer, organisation=org, pilot_system=pilot, owner=members["contributor"], start=start
    )
    assert created and all(a.owner == members["contributor"] and a.due_date for a in created)
    pilot_action = RoadmapAction.objects.get(organisation=org, title__startswith="Pilot the AIMS")
    assert pilot_action.phase == RoadmapPhase.FOUNDATIONS and pilot_action.due_date == start + dt.timedelta(days=90)
    by_identifier = {a.requirement.identifier: a for a in created if a.requirement}
    assert by_identifier["4.1"].phase == RoadmapPhase.FOUNDATIONS
    assert by_identifier["9.2.1"].phase == RoadmapPhase.OPERATE
    assert by_identifier["A.7.4"].phase == RoadmapPhase.BUILD
    # Again: nothing new (idempotent).
    assert services.roadmap_generate(actor=officer, organisation=org, pilot_system=pilot, owner=officer) == []


def test_roadmap_puts_gaps_of_high_risk_systems_in_the_first_phase(officer, org, iso):
    system = AISystemFactory(organisation=org, eu_tier="high")
    answer = services.gap_answer_save(actor=officer, organisation=org, requirement=iso["A.7.4"], answer="no")
    answer.control.ai_systems.add(system)
    created = services.roadmap_generate(actor=officer, organisation=org, pilot_system=None)
    assert next(a for a in created if a.requirement == iso["A.7.4"]).phase == RoadmapPhase.FOUNDATIONS


def test_roadmap_refuses_another_organisations_pilot(officer, org, other_org, catalogue):
    from aims.services import ServiceError

    with pytest.raises(ServiceError):
        services.roadmap_generate(actor=officer, organisation=org, pilot_system=AISystemFactory(organisation=other_org))


def test_roadmap_page_generates(client_for, officer, org, catalogue):
    client = client_for(officer)
    r = client.post(reverse("onboarding:roadmap"), {"owner": officer.pk, "start": "2026-02-01"})
    assert r.status_code == 302
    assert RoadmapAction.objects.filter(organisation=org).count() > 30
    assert {s.key: s.done for s in selectors.setup_steps(user=officer, organisation=org)}["roadmap"]
