"""Factories of the reports app (rows written directly; builds are tested through the services)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from reports.models import JobKind, ReportJob


class ReportJobFactory(DjangoModelFactory):
    class Meta:
        model = ReportJob

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"PCK-{700 + n}")
    kind = JobKind.PACK
    frameworks = factory.LazyFunction(lambda: ["iso42001"])
    as_of = factory.LazyFunction(timezone.now)
