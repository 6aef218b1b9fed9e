import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import OrganisationFactory
from registry.models import AIModel, AISystem, Dataset, ModelMetric, ModelVersion, Supplier


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
