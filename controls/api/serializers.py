"""API shapes of the catalogue. Shipped rows read like own ones, with ``shipped: true``."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from controls.constants import Origin
from controls.models import Framework, Requirement, RequirementMapping


def _organisation(serializer):
    request = serializer.context.get("request")
    return getattr(request, "organisation", None)


class OwnFrameworkField(serializers.SlugRelatedField):
    """One of the organisation's own frameworks, by key (shipped frameworks are read-only)."""

    default_error_messages = {
        "does_not_exist": "Your organisation has no framework with key “{value}”; shipped frameworks are read-only.",
        "invalid": "Give a framework key.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "key")
        super().__init__(**kwargs)

    def get_queryset(self):
        return Framework.objects.own(_organisation(self))


class OwnRequirementField(serializers.PrimaryKeyRelatedField):
    """A requirement of the organisation's own frameworks, by id."""

    def get_queryset(self):
        return Requirement.objects.own(_organisation(self))


class VisibleRequirementField(serializers.PrimaryKeyRelatedField):
    """A shipped requirement or one of the organisation's own, by id."""

    def get_queryset(self):
        return Requirement.objects.filter(Q(organisation__isnull=True) | Q(organisation=_organisation(self)))


class FrameworkSerializer(serializers.ModelSerializer):
    """A framework. Shipped ones (``shipped: true``) are read-only; your own can be written."""

    shipped = serializers.BooleanField(source="is_shipped", read_only=True)
    requirement_count = serializers.IntegerField(read_only=True, help_text="Current (not withdrawn) requirements.")
    assessable_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "key",
            "name",
            "version",
            "publisher",
            "kind",
            "description",
            "url",
            "notice",
            "shipped",
            "data_version",
            "requirement_count",
            "assessable_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "data_version", "created_at", "updated_at"]
        extra_kwargs = {"notice": {"required": False}}
        validators = []  # key uniqueness is the service's (with a clear message)


class RequirementLinkSerializer(serializers.Serializer):
    """A requirement mapped to or from this one."""

    mapping = serializers.UUIDField(help_text="Id of the mapping (see /requirement-mappings/).")
    direction = serializers.ChoiceField(choices=["to", "from"], help_text="“to”: this requirement is the source.")
    requirement = serializers.UUIDField(help_text="Id of the requirement at the other end.")
    framework = serializers.CharField(help_text="Key of the other requirement's framework.")
    identifier = serializers.CharField()
    title = serializers.CharField()
    relationship = serializers.CharField()
    origin = serializers.ChoiceField(choices=Origin.choices)
    source = serializers.CharField(help_text="The published crosswalk, or “Your mapping”.")
    source_url = serializers.CharField(allow_blank=True)


def _links(requirement) -> list[dict]:
    outgoing = getattr(requirement, "visible_mappings_from", None)
    incoming = getattr(requirement, "visible_mappings_to", None)
    if outgoing is None or incoming is None:  # a single object just written: not prefetched
        return []
    links = []
    for mapping, other, direction in [
        *((m, m.target, "to") for m in outgoing),
        *((m, m.source, "from") for m in incoming),
    ]:
        links.append(
            {
                "mapping": mapping.pk,
                "direction": direction,
                "requirement": other.pk,
                "framework": other.framework.key,
                "identifier": other.identifier,
                "title": other.title,
                "relationship": mapping.relationship,
                "origin": Origin.SHIPPED if mapping.is_shipped else Origin.OWN,
                "source": mapping.origin_label,
                "source_url": mapping.source_url,
            }
        )
    return links


class RequirementSerializer(serializers.ModelSerializer):
    """A requirement with its mappings. Write only into your own frameworks (``framework`` is its key)."""

    framework = OwnFrameworkField()
    parent = OwnRequirementField(required=False, allow_null=True)
    parent_identifier = serializers.CharField(source="parent.identifier", read_only=True, allow_null=True)
    shipped = serializers.BooleanField(source="is_shipped", read_only=True)
    mappings = serializers.SerializerMethodField()

    class Meta:
        model = Requirement
        fields = [
            "id",
            "framework",
            "identifier",
            "title",
            "kind",
            "parent",
            "parent_identifier",
            "statement",
            "guidance",
            "assessable",
            "withdrawn",
            "depth",
            "sort_order",
            "attributes",
            "shipped",
            "mappings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "withdrawn", "depth", "sort_order", "attributes", "created_at", "updated_at"]
        validators = []

    @extend_schema_field(RequirementLinkSerializer(many=True))
    def get_mappings(self, obj):
        return RequirementLinkSerializer(_links(obj), many=True).data


class RequirementMappingSerializer(serializers.ModelSerializer):
    """A link between two requirements. Published ones (``origin: shipped``) are read-only; yours are
    labelled “Your mapping”. Neither is proof that meeting one requirement meets the other."""

    source = VisibleRequirementField()
    target = VisibleRequirementField()
    source_framework = serializers.CharField(source="source.framework.key", read_only=True)
    source_identifier = serializers.CharField(source="source.identifier", read_only=True)
    target_framework = serializers.CharField(source="target.framework.key", read_only=True)
    target_identifier = serializers.CharField(source="target.identifier", read_only=True)
    origin = serializers.SerializerMethodField()
    source_label = serializers.CharField(source="origin_label", read_only=True)

    class Meta:
        model = RequirementMapping
        fields = [
            "id",
            "source",
            "source_framework",
            "source_identifier",
            "target",
            "target_framework",
            "target_identifier",
            "relationship",
            "note",
            "origin",
            "source_label",
            "source_url",
            "source_relation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "source_url", "source_relation", "created_at", "updated_at"]
        validators = []

    @extend_schema_field(serializers.ChoiceField(choices=Origin.choices))
    def get_origin(self, obj) -> str:
        return Origin.SHIPPED if obj.is_shipped else Origin.OWN
