"""Factories of the audits app. They write rows directly (for fixtures); behaviour is tested through services."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from audits.models import (
    KPI,
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    Incident,
    IncidentEscalation,
    KPISnapshot,
    ManagementReview,
    Nonconformity,
    ReviewAction,
    ReviewDecision,
)
from controls.tests.factories import FrameworkFactory, RequirementFactory
from registry.tests.factories import ReferencedFactory


class AuditProgrammeFactory(ReferencedFactory):
    class Meta:
        model = AuditProgramme
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Audit programme {n}")
    period_start = factory.LazyFunction(lambda: dt.date(timezone.localdate().year, 1, 1))
    period_end = factory.LazyFunction(lambda: dt.date(timezone.localdate().year, 12, 31))
    objectives = "Cover every clause in three years."


class AuditFactory(ReferencedFactory):
    class Meta:
        model = Audit
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Audit {n}")
    planned_start = factory.LazyFunction(timezone.localdate)


def own_requirement(organisation, **kwargs):
    """A requirement of an own framework of ``organisation`` (no dependence on the shipped catalogue)."""
    return RequirementFactory(framework=FrameworkFactory(organisation=organisation), **kwargs)


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    audit = factory.SubFactory(AuditFactory)
    organisation = factory.SelfAttribute("audit.organisation")
    requirement = factory.LazyAttribute(lambda o: own_requirement(o.audit.organisation))
    position = factory.Sequence(lambda n: n)


class FindingFactory(ReferencedFactory):
    class Meta:
        model = Finding
        skip_postgeneration_save = True

    audit = factory.SubFactory(AuditFactory)
    organisation = factory.SelfAttribute("audit.organisation")
    kind = "observation"
    title = factory.Sequence(lambda n: f"Finding {n}")


class NonconformityFactory(ReferencedFactory):
    class Meta:
        model = Nonconformity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Nonconformity {n}")
    description = "Something does not conform."


class CorrectiveActionFactory(ReferencedFactory):
    class Meta:
        model = CorrectiveAction
        skip_postgeneration_save = True

    nonconformity = factory.SubFactory(NonconformityFactory)
    organisation = factory.SelfAttribute("nonconformity.organisation")
    title = factory.Sequence(lambda n: f"Corrective action {n}")


class KPIFactory(ReferencedFactory):
    class Meta:
        model = KPI
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"KPI {n}")
    kind = "manual"
    unit = "%"
    direction = "higher"
    target = Decimal("90")


class KPISnapshotFactory(DjangoModelFactory):
    class Meta:
        model = KPISnapshot

    kpi = factory.SubFactory(KPIFactory)
    organisation = factory.SelfAttribute("kpi.organisation")
    value = Decimal("80")
    taken_at = factory.LazyFunction(timezone.now)
    taken_on = factory.LazyAttribute(lambda o: timezone.localdate(o.taken_at))


class ManagementReviewFactory(ReferencedFactory):
    class Meta:
        model = ManagementReview
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Management review {n}")
    planned_date = factory.LazyFunction(timezone.localdate)


class ReviewDecisionFactory(DjangoModelFactory):
    class Meta:
        model = ReviewDecision

    review = factory.SubFactory(ManagementReviewFactory)
    organisation = factory.SelfAttribute("review.organisation")
    decision = "Do better."


class ReviewActionFactory(ReferencedFactory):
    class Meta:
        model = ReviewAction
        skip_postgeneration_save = True

    decision = factory.SubFactory(ReviewDecisionFactory)
    review = factory.SelfAttribute("decision.review")
    organisation = factory.SelfAttribute("decision.organisation")
    title = factory.Sequence(lambda n: f"Review action {n}")


class IncidentFactory(ReferencedFactory):
    class Meta:
        model = Incident
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Incident {n}")
    description = "Something happened."
    detected_at = factory.LazyFunction(timezone.now)


class IncidentEscalationFactory(DjangoModelFactory):
    class Meta:
        model = IncidentEscalation

    incident = factory.SubFactory(IncidentFactory)
    organisation = factory.SelfAttribute("incident.organisation")
    notified = "Safety officer"
