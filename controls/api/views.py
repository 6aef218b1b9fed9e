"""API of the catalogue: frameworks, requirements (with their mappings) and requirement mappings.

Reads return the shipped reference rows plus the organisation's own; another organisation's rows are
not in the queryset (404). Shipped rows are read-only: a write to one answers 403.
"""

from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_view

from aims.api.permissions import RolePermission, _action_for
from aims.api.views import OrganisationScopedViewSet
from aims.permissions import can_for_request
from controls import services
from controls.api.serializers import FrameworkSerializer, RequirementMappingSerializer, RequirementSerializer
from controls.filtersets import FrameworkFilterSet, MappingFilterSet, RequirementFilterSet
from controls.models import Framework, Requirement, RequirementMapping


class CataloguePermission(RolePermission):
    """The role check, plus: shipped reference rows may be read by every member and written by nobody."""

    def has_object_permission(self, request, view, obj) -> bool:
        if obj.organisation_id is None:
            action = _action_for(request, view)
            return action in ("view", "export") and can_for_request(request, action, type(obj))
        return super().has_object_permission(request, view, obj)


class CatalogueViewSet(OrganisationScopedViewSet):
    """Scoped to shipped + own rows (the catalogue querysets' ``visible_to``); shipped rows are read-only."""

    permission_classes = [CataloguePermission]


@extend_schema_view(
    list=extend_schema(summary="List frameworks", description="Shipped frameworks and your organisation's own."),
    create=extend_schema(
        summary="Add your own framework", description="An internal policy, a customer's questionnaire."
    ),
    update=extend_schema(summary="Edit your own framework", description="Shipped frameworks answer 403."),
    partial_update=extend_schema(summary="Edit part of your own framework"),
    destroy=extend_schema(
        summary="Delete your own framework",
        description="With its requirements and your mappings to them; 400 if a requirement is in use.",
    ),
)
class FrameworkViewSet(CatalogueViewSet):
    queryset = Framework.objects.with_counts()
    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    search_fields = ["key", "name", "publisher"]
    ordering_fields = ["key", "name", "kind", "requirement_count", "created_at"]
    ordering = ["name", "version"]

    def create_object(self, data):
        framework = services.framework_create(
            actor=self.request.user, organisation=self.request.organisation, data=data
        )
        return self.get_queryset().get(pk=framework.pk)

    def update_object(self, instance, data):
        services.framework_update(
            actor=self.request.user, framework=instance, data=data, reason="Edited through the API"
        )
        return self.get_queryset().get(pk=instance.pk)

    def delete_object(self, instance):
        services.framework_delete(actor=self.request.user, framework=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List requirements",
        description="Every requirement you can see, in catalogue order, each with the requirements mapped to or "
        "from it. Filter by framework key, kind, identifier, parent; `search` looks in identifiers, titles and text.",
    ),
    create=extend_schema(summary="Add a requirement to your own framework"),
    update=extend_schema(summary="Edit a requirement of your own framework", description="Shipped ones answer 403."),
    partial_update=extend_schema(summary="Edit part of a requirement of your own framework"),
    destroy=extend_schema(summary="Delete a requirement of your own framework"),
)
class RequirementViewSet(CatalogueViewSet):
    queryset = Requirement.objects.select_related("framework", "parent")
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    search_fields = ["identifier", "title", "guidance", "statement"]
    ordering_fields = ["identifier", "title", "kind", "sort_order", "created_at"]
    ordering = ["framework__name", "sort_order"]

    def get_queryset(self):
        organisation = self.request.organisation
        visible = Q(organisation__isnull=True) | Q(organisation=organisation)
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "mappings_from",
                    queryset=RequirementMapping.objects.filter(visible).select_related("target__framework"),
                    to_attr="visible_mappings_from",
                ),
                Prefetch(
                    "mappings_to",
                    queryset=RequirementMapping.objects.filter(visible).select_related("source__framework"),
                    to_attr="visible_mappings_to",
                ),
            )
        )

    def _reload(self, requirement):
        return self.get_queryset().get(pk=requirement.pk)

    def create_object(self, data):
        framework = data.pop("framework")
        return self._reload(services.requirement_create(actor=self.request.user, framework=framework, data=data))

    def update_object(self, instance, data):
        data.pop("framework", None)  # a requirement stays in its framework
        services.requirement_update(
            actor=self.request.user, requirement=instance, data=data, reason="Edited through the API"
        )
        return self._reload(instance)

    def delete_object(self, instance):
        services.requirement_delete(actor=self.request.user, requirement=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List requirement mappings",
        description="Published crosswalk pairs (origin `shipped`, with their source) and your own (origin `own`).",
    ),
    create=extend_schema(summary="Add your own mapping", description="Labelled as your organisation's."),
    update=extend_schema(summary="Edit your own mapping", description="Published mappings answer 403."),
    partial_update=extend_schema(summary="Edit part of your own mapping"),
    destroy=extend_schema(summary="Delete your own mapping", description="Published mappings answer 403."),
)
class RequirementMappingViewSet(CatalogueViewSet):
    queryset = RequirementMapping.objects.with_ends()
    serializer_class = RequirementMappingSerializer
    filterset_class = MappingFilterSet
    search_fields = ["source__identifier", "source__title", "target__identifier", "target__title", "note"]
    ordering_fields = ["relationship", "created_at"]
    ordering = ["source__framework__name", "source__sort_order", "target__framework__name", "target__sort_order"]

    def create_object(self, data):
        return services.mapping_create(actor=self.request.user, organisation=self.request.organisation, data=data)

    def update_object(self, instance, data):
        return services.mapping_update(
            actor=self.request.user, mapping=instance, data=data, reason="Edited through the API"
        )

    def delete_object(self, instance):
        services.mapping_delete(actor=self.request.user, mapping=instance)
