"""Factories of the risk app. They write rows directly (for fixtures); behaviour is tested through services."""

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from registry.tests.factories import AISystemFactory, ReferencedFactory
from risk import scoring
from risk.constants import CriteriaStatus, ImpactStatus
from risk.models import ImpactArea, ImpactAssessment, Risk, RiskAssessment, RiskCriteria, TreatmentAction
from risk.services.criteria import default_criteria_fields


def _next_criteria_version(o):
    top = RiskCriteria.objects.filter(organisation=o.organisation).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


class RiskCriteriaFactory(DjangoModelFactory):
    """An approved default 5 × 5 set with the next version number of its organisation."""

    class Meta:
        model = RiskCriteria

    organisation = factory.SubFactory(OrganisationFactory)
    version = factory.LazyAttribute(_next_criteria_version)
    status = CriteriaStatus.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    name = factory.Sequence(lambda n: f"Criteria set {n}")
    method = default_criteria_fields()["method"]
    likelihood_levels = factory.LazyFunction(lambda: scoring.default_scale("likelihood"))
    impact_levels = factory.LazyFunction(lambda: scoring.default_scale("impact"))
    matrix = factory.LazyFunction(scoring.default_matrix)
    level_descriptions = factory.LazyFunction(scoring.default_level_descriptions)
    appetite = "medium"
    review_months = factory.LazyFunction(lambda: dict(scoring.DEFAULT_REVIEW_MONTHS))


def _criteria_for(o):
    current = RiskCriteria.objects.filter(organisation=o.organisation, status=CriteriaStatus.APPROVED).first()
    return current or RiskCriteriaFactory(organisation=o.organisation)


def _level(o, prefix):
    likelihood, impact = getattr(o, f"{prefix}_likelihood"), getattr(o, f"{prefix}_impact")
    if likelihood is None or impact is None:
        return ""
    return scoring.level_for(o.criteria.matrix, likelihood, impact)


class RiskFactory(ReferencedFactory):
    """A risk of its organisation, on the organisation's approved criteria; levels follow the scores given."""

    class Meta:
        model = Risk
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Risk {n}")
    cause = "A cause"
    event = "An event"
    consequence = "A consequence"
    criteria = factory.LazyAttribute(_criteria_for)
    inherent_likelihood = None
    inherent_impact = None
    residual_likelihood = None
    residual_impact = None
    inherent_level = factory.LazyAttribute(lambda o: _level(o, "inherent"))
    residual_level = factory.LazyAttribute(lambda o: _level(o, "residual"))
    status = factory.LazyAttribute(lambda o: "assessed" if o.inherent_likelihood else "identified")

    @factory.post_generation
    def ai_systems(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.ai_systems.set(extracted)


class TreatmentActionFactory(ReferencedFactory):
    class Meta:
        model = TreatmentAction
        skip_postgeneration_save = True

    risk = factory.SubFactory(RiskFactory)
    organisation = factory.SelfAttribute("risk.organisation")
    title = factory.Sequence(lambda n: f"Action {n}")


class RiskAssessmentFactory(ReferencedFactory):
    class Meta:
        model = RiskAssessment
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Assessment {n}")
    criteria = factory.LazyAttribute(_criteria_for)

    @factory.post_generation
    def ai_systems(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.ai_systems.set(extracted)


def _next_impact_version(o):
    top = ImpactAssessment.objects.filter(ai_system=o.ai_system).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


class ImpactAssessmentFactory(ReferencedFactory):
    class Meta:
        model = ImpactAssessment
        skip_postgeneration_save = True

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    version = factory.LazyAttribute(_next_impact_version)
    status = ImpactStatus.DRAFT
    affected_individuals = "Applicants"


class ImpactAreaFactory(DjangoModelFactory):
    class Meta:
        model = ImpactArea

    impact_assessment = factory.SubFactory(ImpactAssessmentFactory)
    organisation = factory.SelfAttribute("impact_assessment.organisation")
    area = "discrimination"
    affected = "Women applicants"
    potential_impact = "Qualified applicants are ranked lower."
    severity = "severe"
    likelihood = "likely"
    reversibility = "hard_to_reverse"
