"""API: OSCAL documents (GET) and the import of an OSCAL catalog as an own framework (POST, dry run by default)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.permissions import can_for_request
from integrations import oscal
from integrations.services.oscal_documents import build


class OscalDocumentView(APIView):
    allow_any_member = True

    @extend_schema(
        summary="An OSCAL JSON document",
        description="`kind`: catalog (`?framework=<key>`), profile (the SoA), component-definition (controls per "
        "AI system) or assessment-results (`?audit=<id>`, default the newest audit). Valid against OSCAL 1.2.",
        parameters=[
            OpenApiParameter("framework", str, description="Framework key (catalog)"),
            OpenApiParameter("audit", str, description="Audit id (assessment-results)"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request, kind):
        try:
            document, _ = build(request.user, request.organisation, kind, request.query_params)
        except oscal.OscalError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(document)


class OscalImportRequest(serializers.Serializer):
    file = serializers.FileField(help_text="An OSCAL catalog (JSON).")
    key = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    dry_run = serializers.BooleanField(default=True)


class OscalCatalogImportView(APIView):
    allow_any_member = True
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import an OSCAL catalog as an own framework",
        description="Dry run by default: reports what would be created. Any error writes nothing.",
        request={"multipart/form-data": OscalImportRequest},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        from controls.models import Framework

        if not can_for_request(request, "add", Framework):
            raise PermissionDenied
        body = OscalImportRequest(data=request.data)
        body.is_valid(raise_exception=True)
        result = oscal.import_catalog(
            actor=request.user,
            organisation=request.organisation,
            content=body.validated_data["file"].read(),
            key=body.validated_data.get("key", ""),
            dry_run=body.validated_data["dry_run"],
        )
        data = {
            "dry_run": result.dry_run,
            "framework": str(result.framework.pk) if result.framework else None,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.errors,
        }
        return Response(data, status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST)
