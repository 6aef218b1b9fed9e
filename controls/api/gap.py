"""API of the gap analysis: readiness per framework and per clause/section, and each requirement's gaps.
Read-only and computed live."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from controls.api.common import choice_field
from controls.constants import GapKind, ImplementationStatus
from controls.gap import OrganisationStatus, framework_readiness, readiness_overview
from controls.models import Control, Framework


class _TallyFields(serializers.Serializer):
    applicable = serializers.IntegerField(help_text="Assessable requirements, minus Annex A controls the SoA excludes.")
    ready = serializers.IntegerField(help_text="With an implemented control and current evidence.")
    covered = serializers.IntegerField(help_text="Not ready, but mapped to a ready requirement of another framework.")
    percent = serializers.IntegerField()
    percent_with_crosswalk = serializers.IntegerField()


class SectionReadinessSerializer(_TallyFields):
    identifier = serializers.CharField()
    title = serializers.CharField()


class FrameworkReadinessSerializer(_TallyFields):
    framework = serializers.CharField(source="framework.key")
    name = serializers.CharField(source="framework.name")
    excluded = serializers.IntegerField(help_text="Excluded by the Statement of Applicability.")


class _ControlInfoSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    status = choice_field(ImplementationStatus.choices)


class _EvidenceInfoSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()


class RequirementStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    identifier = serializers.CharField()
    title = serializers.CharField()
    section = serializers.CharField()
    ready = serializers.BooleanField()
    covered = serializers.BooleanField()
    missing = serializers.ListField(child=choice_field(GapKind.choices), source="check.gaps")
    controls = _ControlInfoSerializer(many=True, source="check.controls")
    evidence = _EvidenceInfoSerializer(many=True, source="check.evidence")
    covered_by = serializers.SerializerMethodField(help_text="`key:identifier` of the ready requirements mapped to it.")

    def get_covered_by(self, obj) -> list[str]:
        return [f"{key}:{identifier}" for key, identifier, _ in obj.covered_by]


class FrameworkGapsSerializer(FrameworkReadinessSerializer):
    sections = SectionReadinessSerializer(many=True)
    requirements = RequirementStatusSerializer(many=True, source="items")


class GapAnalysisViewSet(viewsets.ViewSet):
    """Readiness, computed from the organisation's controls, evidence and SoA each time it is asked."""

    permission_model = Control
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9_-]+"

    @extend_schema(
        summary="Readiness of every framework",
        responses={200: FrameworkReadinessSerializer(many=True)},
    )
    def list(self, request):
        overview = readiness_overview(user=request.user, organisation=request.organisation)
        return Response(FrameworkReadinessSerializer(overview, many=True).data)

    @extend_schema(
        summary="Readiness of one framework, by clause/section, with each requirement's gaps",
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH, description="Framework key, e.g. iso42001."),
            OpenApiParameter("gaps_only", bool, description="Only requirements that are not ready."),
        ],
        responses={200: FrameworkGapsSerializer},
    )
    def retrieve(self, request, key=None):
        framework = (
            Framework.objects.visible_to(request.user, request.organisation)
            .filter(key=key)
            .order_by("organisation")
            .first()
        )
        if framework is None:
            raise Http404
        readiness = framework_readiness(framework, OrganisationStatus(request.organisation))
        if request.query_params.get("gaps_only") in ("true", "1", "yes"):
            readiness.items = readiness.gaps
        return Response(FrameworkGapsSerializer(readiness).data)
