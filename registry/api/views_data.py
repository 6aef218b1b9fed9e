"""API of datasets, suppliers, models and model versions: thin viewsets over ``registry.services``."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aims.api.views import OrganisationScopedViewSet
from aims.permissions import can_for_request
from registry import services
from registry.api.serializers_data import (
    AIModelSerializer,
    DatasetSerializer,
    ModelVersionDecisionSerializer,
    ModelVersionRejectSerializer,
    ModelVersionSerializer,
    ModelVersionUpsertSerializer,
    SupplierSerializer,
)
from registry.filtersets import AIModelFilterSet, DatasetFilterSet, ModelVersionFilterSet, SupplierFilterSet
from registry.models import AIModel, Dataset, DatasetUsage, ModelVersion, Supplier


@extend_schema_view(
    list=extend_schema(summary="List suppliers", description="Filter with the same filters as the suppliers page."),
    create=extend_schema(summary="Record a supplier"),
)
class SupplierViewSet(OrganisationScopedViewSet):
    queryset = Supplier.objects.select_related("owner").prefetch_related("ai_systems", "datasets", "models")
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    search_fields = ["reference", "name", "supplies", "contract_reference", "assessment_notes"]
    ordering_fields = ["reference", "name", "supply_type", "due_diligence_status", "due_diligence_date", "next_review"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.supplier_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.supplier_update(
            actor=self.request.user, supplier=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.supplier_delete(actor=self.request.user, supplier=instance)


@extend_schema_view(
    list=extend_schema(summary="List datasets", description="Filter with the same filters as the datasets page."),
    create=extend_schema(
        summary="Record a dataset",
        description='`usages` lists the systems using it: `[{"ai_system": "AIS-001", "purpose": "training"}]`.',
    ),
    partial_update=extend_schema(description="`usages`, when sent, replaces the list of systems using the dataset."),
)
class DatasetViewSet(OrganisationScopedViewSet):
    queryset = Dataset.objects.select_related("owner", "supplier").prefetch_related(
        "derived_from", Prefetch("usages", queryset=DatasetUsage.objects.select_related("ai_system"))
    )
    serializer_class = DatasetSerializer
    filterset_class = DatasetFilterSet
    search_fields = ["reference", "name", "description", "provenance", "licence", "known_biases"]
    ordering_fields = ["reference", "name", "source", "legal_basis", "next_review", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.dataset_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        services.dataset_update(actor=self.request.user, dataset=instance, data=data, reason="Edited through the API")
        return self.get_queryset().get(pk=instance.pk)

    def delete_object(self, instance):
        services.dataset_delete(actor=self.request.user, dataset=instance)


@extend_schema_view(
    list=extend_schema(summary="List models", description="Filter with the same filters as the models page."),
    create=extend_schema(summary="Record a model"),
)
class AIModelViewSet(OrganisationScopedViewSet):
    queryset = AIModel.objects.select_related("owner", "supplier").prefetch_related("versions")
    serializer_class = AIModelSerializer
    filterset_class = AIModelFilterSet
    search_fields = ["reference", "name", "model_type", "description"]
    ordering_fields = ["reference", "name", "model_type", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.ai_model_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.ai_model_update(
            actor=self.request.user, model=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.ai_model_delete(actor=self.request.user, model=instance)


_EXTERNAL_ID = OpenApiParameter(
    "external_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The MLOps pipeline's id of the version."
)


@extend_schema_view(
    list=extend_schema(
        summary="List model versions", description="Filter with the same filters as the model versions page."
    ),
    create=extend_schema(
        summary="Record a model version",
        description="Systems running the model are flagged for reassessment. `metrics` rows: "
        "`{name, value, threshold, comparison}` with comparison `gte` (at least) or `lte` (at most).",
    ),
)
class ModelVersionViewSet(OrganisationScopedViewSet):
    queryset = ModelVersion.objects.select_related("model", "approved_by").prefetch_related(
        "training_datasets", "deployed_in", "metrics"
    )
    serializer_class = ModelVersionSerializer
    filterset_class = ModelVersionFilterSet
    search_fields = ["version_label", "description", "external_id", "model__reference", "model__name"]
    ordering_fields = ["version_label", "approval_status", "approved_at", "created_at", "updated_at"]
    ordering = ["model__reference", "-created_at"]
    permission_actions = {"approve": "approve", "reject": "approve"}

    def create_object(self, data):
        version = services.model_version_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )
        return self.get_queryset().get(pk=version.pk)

    def update_object(self, instance, data):
        services.model_version_update(
            actor=self.request.user, version=instance, data=data, reason="Edited through the API"
        )
        return self.get_queryset().get(pk=instance.pk)

    def delete_object(self, instance):
        services.model_version_delete(actor=self.request.user, version=instance)

    def _respond(self, version, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Register or update a version by its external id (idempotent)",
        description="Used by MLOps pipelines. Creates the version (201) or updates it (200); sending the same body "
        "again changes nothing. Lists left out (training datasets, deployments, metrics) keep their values. A new "
        "or changed version flags the systems running the model for reassessment.",
        parameters=[_EXTERNAL_ID],
        request=ModelVersionUpsertSerializer,
        responses={200: ModelVersionSerializer, 201: ModelVersionSerializer},
    )
    @action(detail=False, methods=["put"], url_path=r"by-external-id/(?P<external_id>[^/]{1,200})")
    def by_external_id(self, request, external_id=None):
        body = ModelVersionUpsertSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        existing = self.get_queryset().filter(external_id=external_id).first()
        if existing is not None:
            self.check_object_permissions(request, existing)
        elif not can_for_request(request, "add", ModelVersion):
            raise PermissionDenied
        with transaction.atomic():
            version, created = services.model_version_upsert_by_external_id(
                actor=request.user,
                organisation=request.organisation,
                external_id=external_id,
                data=body.validated_data,
            )
        return self._respond(version, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Decide on a model version",
        description="Approve, approve with restrictions, reject or retire. Records who decided and when. "
        "A version whose metrics miss a threshold can be approved only with restrictions.",
        request=ModelVersionDecisionSerializer,
        responses={200: ModelVersionSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        version = self.get_object()
        body = ModelVersionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.model_version_approve(actor=request.user, version=version, **body.validated_data)
        return self._respond(version)

    @extend_schema(
        summary="Reject a model version",
        request=ModelVersionRejectSerializer,
        responses={200: ModelVersionSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        version = self.get_object()
        body = ModelVersionRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.model_version_approve(
                actor=request.user, version=version, status="rejected", note=body.validated_data["note"]
            )
        return self._respond(version)
