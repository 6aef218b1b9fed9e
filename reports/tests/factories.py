"""Factories of the reports app (rows written directly; builds are tested through the services)."""

import datetime as dt

import factory
from django.apps import apps
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


def age_history(organisation, days):
    """Move every history row and creation stamp of ``organisation`` ``days`` into the past."""
    moment = timezone.now() - dt.timedelta(days=days)
    for model in apps.get_models():
        if hasattr(model, "history") and hasattr(model, "organisation"):
            model.history.model.objects.filter(organisation_id=organisation.pk).update(history_date=moment)
        names = {f.name for f in model._meta.fields}
        if model._meta.app_label in ("controls", "audits") and {"created_at", "organisation"} <= names:
            model.objects.filter(organisation_id=organisation.pk).update(created_at=moment)
    return moment
