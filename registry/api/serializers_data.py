"""API shapes of datasets, suppliers, models and model versions.

Related records are written and read by their reference id (``AIS-001``, ``DS-004``, ``MDL-002``), people by
username. The serializers only parse and present; the services in ``registry.services`` apply every rule.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.api.serializers import MemberField, OrganisationRelatedField
from registry.constants import ApprovalStatus, DatasetPurpose, MetricComparison
from registry.models import AIModel, AISystem, Dataset, DatasetUsage, ModelMetric, ModelVersion, Supplier

_STAMPS = ["id", "created_at", "updated_at"]


class SupplierSerializer(serializers.ModelSerializer):
    """A supplier (Annex A.10.3). ``ai_systems`` may be written; datasets and models link to it from their side."""

    owner = MemberField()
    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    datasets = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    models = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "reference",
            "name",
            "supply_type",
            "supplies",
            "contract_reference",
            "owner",
            "due_diligence_status",
            "due_diligence_date",
            "assessment_notes",
            "next_review",
            "ai_systems",
            "datasets",
            "models",
            "created_at",
            "updated_at",
        ]
        read_only_fields = _STAMPS
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class DatasetUsageSerializer(serializers.ModelSerializer):
    """One usage of the dataset: ``{"ai_system": "AIS-001", "purpose": "training"}``."""

    ai_system = OrganisationRelatedField(AISystem)
    purpose = serializers.ChoiceField(choices=DatasetPurpose.choices)

    class Meta:
        model = DatasetUsage
        fields = ["ai_system", "purpose"]
        validators = []


class DatasetSerializer(serializers.ModelSerializer):
    """A dataset (Annex A.7). ``usages``, when sent, replaces the list of systems that use it."""

    owner = MemberField()
    supplier = OrganisationRelatedField(Supplier, required=False, allow_null=True)
    derived_from = OrganisationRelatedField(Dataset, many=True, required=False)
    usages = DatasetUsageSerializer(many=True, required=False)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "reference",
            "name",
            "version",
            "description",
            "owner",
            "source",
            "supplier",
            "provenance",
            "collection_method",
            "licence",
            "contains_personal_data",
            "contains_special_category_data",
            "legal_basis",
            "quality_checks",
            "quality_results",
            "known_biases",
            "retention",
            "derived_from",
            "usages",
            "next_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = _STAMPS
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ModelVersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "version_label", "approval_status", "created_at"]
        read_only_fields = fields


class AIModelSerializer(serializers.ModelSerializer):
    """A model; ``versions`` lists its versions (manage them at ``/model-versions/``)."""

    owner = MemberField()
    supplier = OrganisationRelatedField(Supplier, required=False, allow_null=True)
    versions = ModelVersionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = AIModel
        fields = [
            "id",
            "reference",
            "name",
            "model_type",
            "description",
            "owner",
            "supplier",
            "versions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = _STAMPS
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class ModelMetricSerializer(serializers.ModelSerializer):
    """An evaluation result against its threshold; ``passed`` is null when there is no threshold."""

    value = serializers.FloatField()
    threshold = serializers.FloatField(required=False, allow_null=True, default=None)
    comparison = serializers.ChoiceField(choices=MetricComparison.choices, default=MetricComparison.AT_LEAST)
    passed = serializers.SerializerMethodField()

    class Meta:
        model = ModelMetric
        fields = ["name", "value", "threshold", "comparison", "passed"]
        validators = []
        extra_kwargs = {"name": {"validators": []}}

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_passed(self, obj) -> bool | None:
        return obj.passed


class ModelVersionSerializer(serializers.ModelSerializer):
    """A model version. ``metrics``, when sent, replaces its metric rows. The approval is set by ``approve``."""

    model = OrganisationRelatedField(AIModel)
    training_datasets = OrganisationRelatedField(Dataset, many=True, required=False)
    deployed_in = OrganisationRelatedField(AISystem, many=True, required=False)
    metrics = ModelMetricSerializer(many=True, required=False)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    external_id = serializers.CharField(max_length=200, required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "model",
            "version_label",
            "external_id",
            "description",
            "training_datasets",
            "deployed_in",
            "metrics",
            "approval_status",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [*_STAMPS, "approval_status", "approved_by", "approved_at"]
        validators = []  # a label per model and an external id per organisation: the service says which clashes


class ModelVersionUpsertSerializer(serializers.ModelSerializer):
    """What an MLOps pipeline sends to register a version idempotently. Lists left out keep their values."""

    model = OrganisationRelatedField(AIModel)
    training_datasets = OrganisationRelatedField(Dataset, many=True, required=False)
    deployed_in = OrganisationRelatedField(AISystem, many=True, required=False)
    metrics = ModelMetricSerializer(many=True, required=False)

    class Meta:
        model = ModelVersion
        fields = ["model", "version_label", "description", "training_datasets", "deployed_in", "metrics"]
        validators = []


class ModelVersionDecisionSerializer(serializers.Serializer):
    """The decision on a version: approved, restricted (approved with restrictions), rejected or retired."""

    status = serializers.ChoiceField(
        choices=[(value, label) for value, label in ApprovalStatus.choices if value != ApprovalStatus.PROPOSED],
        default=ApprovalStatus.APPROVED,
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ModelVersionRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
