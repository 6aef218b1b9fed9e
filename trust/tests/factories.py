import factory

from registry.tests.factories import AISystemFactory
from trust.models import Concern, PublishedSystem, TrustPage


class TrustPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustPage

    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")
    slug = factory.Sequence(lambda n: f"trust-{n}")
    display_name = factory.LazyAttribute(lambda o: o.organisation.name)


class PublishedSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishedSystem

    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")
    ai_system = factory.LazyAttribute(lambda o: AISystemFactory(organisation=o.organisation))


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")
    reference = factory.Sequence(lambda n: f"CON-{n + 500:03d}")
    what_happened = "The chatbot refused a refund it should have granted."
    submission_token = factory.Sequence(lambda n: f"{n:064d}")
