import datetime as dt

import factory
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory, UserFactory
from controls.tests.factories import ControlFactory
from reviews.models import Notification, ReviewSettings, ReviewTask


class ReviewSettingsFactory(DjangoModelFactory):
    class Meta:
        model = ReviewSettings
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)


class ReviewTaskFactory(DjangoModelFactory):
    """An open review of a control of the same organisation."""

    class Meta:
        model = ReviewTask
        exclude = ("control",)

    organisation = factory.SubFactory(OrganisationFactory)
    control = factory.LazyAttribute(
        lambda o: ControlFactory(organisation=o.organisation, next_review=dt.date(2026, 1, 10))
    )
    kind = "control"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get(app_label="controls", model="control"))
    object_id = factory.LazyAttribute(lambda o: o.control.pk)
    object_label = factory.LazyAttribute(lambda o: str(o.control))
    due_date = factory.LazyAttribute(lambda o: o.control.next_review)
    reference = factory.Sequence(lambda n: f"REV-{500 + n}")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    organisation = factory.SubFactory(OrganisationFactory)
    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/reviews/"
