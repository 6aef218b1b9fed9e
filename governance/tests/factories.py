"""Factories of the governance app. They write rows directly (for fixtures); behaviour is tested through
services. ``PolicyFactory`` and ``LinkEvidenceFactory`` make the few controls rows these tests need."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from aims.roles import Role
from controls.models import Evidence, Policy
from governance.models import (
    Acknowledgement,
    AcknowledgementRequirement,
    AimsRole,
    Communication,
    Competence,
    Objective,
    RaciEntry,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)
from registry.tests.factories import ReferencedFactory


def member_of(organisation, username=None, role=Role.CONTRIBUTOR):
    """A user who is a member of ``organisation``."""
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class AimsRoleFactory(ReferencedFactory):
    class Meta:
        model = AimsRole
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"AIMS role {n}")
    responsibilities = "Looks after part of the AIMS."


class RoleAssignmentFactory(DjangoModelFactory):
    """An assignment in force since a year ago; the member is made a member of the role's organisation."""

    class Meta:
        model = RoleAssignment

    role = factory.SubFactory(AimsRoleFactory)
    organisation = factory.LazyAttribute(lambda o: o.role.organisation)
    member = factory.LazyAttribute(lambda o: member_of(o.role.organisation))
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))


class RaciEntryFactory(DjangoModelFactory):
    class Meta:
        model = RaciEntry

    role = factory.SubFactory(AimsRoleFactory)
    organisation = factory.LazyAttribute(lambda o: o.role.organisation)
    process = "policy"
    code = "R"


class ObjectiveFactory(ReferencedFactory):
    class Meta:
        model = Objective
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Objective {n}")
    measure = "Share of systems tested"
    unit = "%"
    target = 100
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))


class CompetenceFactory(ReferencedFactory):
    class Meta:
        model = Competence
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Competence {n}")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.roles.set(extracted)


class TrainingCourseFactory(ReferencedFactory):
    class Meta:
        model = TrainingCourse
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Course {n}")
    validity_months = 24

    @factory.post_generation
    def competences(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.competences.set(extracted)


class TrainingRecordFactory(ReferencedFactory):
    class Meta:
        model = TrainingRecord
        skip_postgeneration_save = True

    course = factory.SubFactory(TrainingCourseFactory, organisation=factory.SelfAttribute("..organisation"))
    member = factory.LazyAttribute(lambda o: member_of(o.organisation))
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    result = "passed"


class CommunicationFactory(ReferencedFactory):
    class Meta:
        model = Communication
        skip_postgeneration_save = True

    topic = factory.Sequence(lambda n: f"Message {n}")
    audience_kind = "internal"
    audience = "All staff"
    frequency = "quarterly"
    channel = "email"


class PolicyFactory(DjangoModelFactory):
    """An approved policy version (written directly; the controls services own the real workflow)."""

    class Meta:
        model = Policy

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"POL-{n + 100:03d}")
    kind = "ai_policy"
    title = factory.Sequence(lambda n: f"AI policy {n}")
    version = 1
    body = "We use AI responsibly."
    status = "approved"
    approved_at = factory.LazyFunction(timezone.now)


class LinkEvidenceFactory(ReferencedFactory):
    class Meta:
        model = Evidence
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Certificate {n}")
    kind = "link"
    url = "https://example.org/certificate.pdf"


class AcknowledgementRequirementFactory(DjangoModelFactory):
    class Meta:
        model = AcknowledgementRequirement

    organisation = factory.SubFactory(OrganisationFactory)
    policy_reference = factory.LazyAttribute(lambda o: PolicyFactory(organisation=o.organisation).reference)
    membership_roles = "officer,contributor"


class AcknowledgementFactory(DjangoModelFactory):
    class Meta:
        model = Acknowledgement

    policy = factory.SubFactory(PolicyFactory)
    organisation = factory.LazyAttribute(lambda o: o.policy.organisation)
    member = factory.LazyAttribute(lambda o: member_of(o.policy.organisation))
