import factory
from django.db.models import Max
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from registry.models import (
    AIModel,
    AISystem,
    Classification,
    ContextIssue,
    Dataset,
    DatasetUsage,
    InterestedParty,
    ModelMetric,
    ModelVersion,
    ScopeStatement,
    Supplier,
)


class ReferencedFactory(DjangoModelFactory):
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def _assign_reference(obj, create, extracted, **kwargs):
        if not obj.reference:
            obj.assign_reference()
            if create:
                obj.save(update_fields=["reference"])


class AISystemFactory(ReferencedFactory):
    class Meta:
        model = AISystem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"AI system {n}")
    intended_purpose = "Support a business decision."
    scope_justification = "Used in a core business process."


class SupplierFactory(ReferencedFactory):
    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Supplier {n}")


class DatasetFactory(ReferencedFactory):
    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dataset {n}")


class AIModelFactory(ReferencedFactory):
    class Meta:
        model = AIModel
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Model {n}")


class ModelVersionFactory(DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(AIModelFactory)
    organisation = factory.SelfAttribute("model.organisation")
    version_label = factory.Sequence(lambda n: f"1.{n}")


class ModelMetricFactory(DjangoModelFactory):
    class Meta:
        model = ModelMetric

    model_version = factory.SubFactory(ModelVersionFactory)
    organisation = factory.SelfAttribute("model_version.organisation")
    name = factory.Sequence(lambda n: f"metric {n}")
    value = 0.9
    threshold = 0.8


class ScopeStatementFactory(DjangoModelFactory):
    """A scope version; by default a draft with the next free version number of its organisation."""

    class Meta:
        model = ScopeStatement

    organisation = factory.SubFactory(OrganisationFactory)
    version = factory.LazyAttribute(
        lambda o: (
            (ScopeStatement.objects.filter(organisation=o.organisation).aggregate(top=Max("version"))["top"] or 0) + 1
        )
    )
    boundaries = "All AI systems the organisation develops or deploys in its products and operations."
    units = "Product, Data Science, Operations"
    locations = "London, Berlin"
    ai_roles = "Provider of in-house models; deployer of third-party models."


class ContextIssueFactory(ReferencedFactory):
    class Meta:
        model = ContextIssue
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Context issue {n}")
    effect_on_aims = "Changes what the AIMS must cover."


class InterestedPartyFactory(ReferencedFactory):
    class Meta:
        model = InterestedParty
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Interested party {n}")
    requirements = "Wants AI decisions explained."


class ClassificationFactory(DjangoModelFactory):
    """A stored EU AI Act classification (tests that need many rows; real ones come from ai_system_classify)."""

    class Meta:
        model = Classification

    ai_system = factory.SubFactory(AISystemFactory)
    organisation = factory.SelfAttribute("ai_system.organisation")
    answers = factory.LazyFunction(lambda: {"operator_role": "provider", "annex_iii_point": "4(a)"})
    tier = "high"
    basis = "Art. 6(2) and Annex III point 4(a)"
    operator_role = "provider"
    obligations = factory.LazyFunction(
        lambda: [
            {
                "article": "Art. 9",
                "title": "Risk management system",
                "summary": "Run a risk-management process.",
                "applies_from": "2026-08-02",
                "note": "",
            }
        ]
    )
    reasons = factory.LazyFunction(
        lambda: [{"answer": "annex_iii_point", "question": "High-risk use (Annex III)", "value": "4(a)", "text": "x"}]
    )


class DatasetUsageFactory(DjangoModelFactory):
    """A system's use of a dataset (training by default); both in the dataset's organisation."""

    class Meta:
        model = DatasetUsage

    dataset = factory.SubFactory(DatasetFactory)
    organisation = factory.SelfAttribute("dataset.organisation")
    ai_system = factory.SubFactory(AISystemFactory, organisation=factory.SelfAttribute("..organisation"))
    purpose = "training"
