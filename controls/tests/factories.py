import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from controls.constants import FrameworkKind, Relationship, RequirementKind
from controls.models import Framework, Requirement, RequirementMapping


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
