from drf_spectacular.utils import extend_schema, extend_schema_view

from aims.api.fast import FastListMixin
from aims.api.pagination import KeysetPagination
from aims.api.views import OrganisationScopedViewSet
from registry import services
from registry.api.classification import AISystemClassificationActions
from registry.api.serializers import AISystemSerializer
from registry.filtersets import AISystemFilterSet
from registry.models import AISystem


@extend_schema_view(
    list=extend_schema(summary="List AI systems", description="Filter with the same filters as the inventory page."),
    create=extend_schema(summary="Register an AI system"),
)
class AISystemViewSet(FastListMixin, AISystemClassificationActions, OrganisationScopedViewSet):
    pagination_class = KeysetPagination  # large register: keyset pages (numbered with ?page=)
    queryset = AISystem.objects.select_related("business_owner", "technical_owner").prefetch_related(
        "suppliers", "depends_on"
    )
    serializer_class = AISystemSerializer
    filterset_class = AISystemFilterSet
    search_fields = ["reference", "name", "description", "business_unit", "tags"]
    ordering_fields = ["reference", "name", "lifecycle_stage", "eu_tier", "next_review", "created_at", "updated_at"]
    ordering = ["reference"]

    def create_object(self, data):
        return services.ai_system_register(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.ai_system_update(
            actor=self.request.user, system=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.ai_system_delete(actor=self.request.user, system=instance)
