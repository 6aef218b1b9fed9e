import uuid

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from integrations.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Endpoint {n}")
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    event_types = ["ai_system.created"]


class WebhookDeliveryFactory(DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    organisation = factory.SelfAttribute("endpoint.organisation")
    event_id = factory.LazyFunction(uuid.uuid4)
    event_type = "ai_system.created"
    payload = {"secret": "globex"}
