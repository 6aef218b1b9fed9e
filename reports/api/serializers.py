from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.api.serializers import OrganisationRelatedField
from registry.models import AISystem
from reports.models import PackFramework, ReportJob


class EvidencePackSerializer(serializers.ModelSerializer):
    """An evidence pack or dossier: what was asked, and how far the build is."""

    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    ai_system = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    ai_systems = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "reference",
            "kind",
            "frameworks",
            "ai_systems",
            "ai_system",
            "as_of",
            "status",
            "stage",
            "percent",
            "error",
            "attempts",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "file_name",
            "sha256",
            "size",
            "page_count",
            "status_url",
            "download_url",
        ]
        read_only_fields = fields

    def get_ai_systems(self, obj) -> list[str]:
        return [str(i) for i in obj.ai_system_ids]

    def get_status_url(self, obj) -> str:
        return reverse("evidencepack-detail", args=[obj.pk])

    def get_download_url(self, obj) -> str | None:
        return reverse("evidencepack-download", args=[obj.pk]) if obj.status == "complete" else None


@extend_schema_field(OpenApiTypes.STR)
class SystemReferenceField(OrganisationRelatedField):
    """An AI system of the organisation, by its reference (AIS-001)."""

    def __init__(self, **kwargs):
        super().__init__(AISystem, **kwargs)


class EvidencePackRequestSerializer(serializers.Serializer):
    """Request a pack. ISO/IEC 42001 is always covered; no systems means every system in scope; no date, now."""

    frameworks = serializers.ListField(
        child=serializers.ChoiceField(choices=PackFramework.choices), required=False, default=list
    )
    ai_systems = serializers.ListField(
        child=SystemReferenceField(),
        required=False,
        default=list,
        help_text="References of AI systems (AIS-001).",
    )
    as_of = serializers.DateField(required=False, allow_null=True, help_text="End of this day; empty: now.")


class VerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    files_checked = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
