import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from controls.constants import (
    ControlType,
    EvidenceKind,
    FrameworkKind,
    ImplementationStatus,
    PolicyKind,
    Relationship,
    RequirementKind,
)
from controls.models import (
    Control,
    Evidence,
    EvidenceRevision,
    Framework,
    Policy,
    Requirement,
    RequirementMapping,
    RoadmapAction,
    SoALine,
    SoAVersion,
    StatementOfApplicability,
)


class FrameworkFactory(DjangoModelFactory):
    """An organisation's own framework (pass ``organisation=None`` only to fake a shipped one)."""

    class Meta:
        model = Framework

    organisation = factory.SubFactory(OrganisationFactory)
    key = factory.Sequence(lambda n: f"own-framework-{n}")
    name = factory.Sequence(lambda n: f"Customer questionnaire {n}")
    version = "1"
    kind = FrameworkKind.CUSTOM


class RequirementFactory(DjangoModelFactory):
    class Meta:
        model = Requirement

    framework = factory.SubFactory(FrameworkFactory)
    organisation = factory.LazyAttribute(lambda r: r.framework.organisation)
    identifier = factory.Sequence(lambda n: f"Q{n}")
    title = factory.Sequence(lambda n: f"Question {n}")
    kind = RequirementKind.QUESTION
    assessable = True
    sort_order = factory.Sequence(lambda n: n + 1)


class MappingFactory(DjangoModelFactory):
    """An organisation's own mapping between two of its requirements."""

    class Meta:
        model = RequirementMapping

    organisation = factory.SubFactory(OrganisationFactory)
    source = factory.LazyAttribute(
        lambda m: RequirementFactory(framework=FrameworkFactory(organisation=m.organisation))
    )
    target = factory.LazyAttribute(lambda m: RequirementFactory(framework=m.source.framework))
    relationship = Relationship.RELATED


# --- Controls, SoA, evidence, policies, roadmap -----------------------------------------------------------


class ControlFactory(DjangoModelFactory):
    class Meta:
        model = Control

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"CTL-{500 + n}")
    title = factory.Sequence(lambda n: f"Control {n}")
    control_type = ControlType.PROCESS
    implementation_status = ImplementationStatus.IMPLEMENTED


class EvidenceFactory(DjangoModelFactory):
    """Link evidence (no file); use ``EvidenceRevisionFactory`` for a stored file."""

    class Meta:
        model = Evidence

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"EVD-{500 + n}")
    title = factory.Sequence(lambda n: f"Evidence {n}")
    kind = EvidenceKind.LINK
    url = factory.Sequence(lambda n: f"https://intranet.example.org/evidence/{n}")


class EvidenceRevisionFactory(DjangoModelFactory):
    """A stored text file as the next revision of file evidence (bypasses the upload checks)."""

    class Meta:
        model = EvidenceRevision
        skip_postgeneration_save = True

    evidence = factory.SubFactory(EvidenceFactory, kind=EvidenceKind.FILE, url="")
    organisation = factory.LazyAttribute(lambda r: r.evidence.organisation)
    number = factory.Sequence(lambda n: n + 1)
    file = factory.LazyFunction(lambda: ContentFile(b"evidence text\n", name="note.txt"))
    original_name = "note.txt"
    sha256 = hashlib.sha256(b"evidence text\n").hexdigest()
    size = 14
    content_type = "text/plain"

    @factory.post_generation
    def make_current(obj, create, extracted, **kwargs):
        if create:
            Evidence.objects.filter(pk=obj.evidence_id).update(current_revision=obj)


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"POL-{500 + n}")
    title = factory.Sequence(lambda n: f"Policy {n}")
    kind = PolicyKind.TOPIC
    body = "# A policy\n\nText."


class RoadmapActionFactory(DjangoModelFactory):
    class Meta:
        model = RoadmapAction

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"RMA-{500 + n}")
    title = factory.Sequence(lambda n: f"Roadmap action {n}")


class SoAFactory(DjangoModelFactory):
    class Meta:
        model = StatementOfApplicability
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)


class SoALineFactory(DjangoModelFactory):
    """A line on an own requirement (so it never depends on the shipped catalogue being loaded)."""

    class Meta:
        model = SoALine

    soa = factory.SubFactory(SoAFactory)
    organisation = factory.LazyAttribute(lambda line: line.soa.organisation)
    requirement = factory.LazyAttribute(
        lambda line: RequirementFactory(framework=FrameworkFactory(organisation=line.soa.organisation))
    )
    applicable = True
    business_need = "Needed."


class SoAVersionFactory(DjangoModelFactory):
    class Meta:
        model = SoAVersion

    soa = factory.SubFactory(SoAFactory)
    organisation = factory.LazyAttribute(lambda version: version.soa.organisation)
    version = factory.Sequence(lambda n: n + 1)
    approved_at = factory.LazyFunction(timezone.now)
    lines = factory.LazyFunction(list)
