"""``/api/v1/evidence-packs/``: request (202 with the status URL), status and progress, download, verify."""

import json

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from aims.api.safety import ConcurrencyMixin
from reports import services
from reports.api.serializers import EvidencePackRequestSerializer, EvidencePackSerializer, VerificationSerializer
from reports.models import ReportJob
from reports.verify import verify_job
from reports.views import pack_file_response


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's own type (``Accept: application/zip``); the view answers with the file."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class ZipRenderer(_FileRenderer):
    media_type = "application/zip"
    format = "zip"


class PDFRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class EvidencePackViewSet(ConcurrencyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evidence packs and dossiers of the organisation. Officers and auditors request packs; members who may
    export download them; every download is recorded."""

    queryset = ReportJob.objects.select_related("requested_by", "ai_system").order_by("-created_at")
    serializer_class = EvidencePackSerializer
    lookup_value_regex = "[0-9a-f-]{36}"
    permission_actions = {"download": "view", "verify": "view"}
    filterset_fields = ["kind", "status"]
    search_fields = ["reference"]
    ordering_fields = ["created_at", "as_of"]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)

    @extend_schema(request=EvidencePackRequestSerializer, responses={202: EvidencePackSerializer})
    def create(self, request):
        data = EvidencePackRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            job = services.request_pack(
                user=request.user,
                organisation=request.organisation,
                frameworks=data.validated_data["frameworks"],
                ai_systems=data.validated_data["ai_systems"],
                as_of=data.validated_data.get("as_of"),
            )
        except services.RateLimited as exc:
            raise Throttled(detail=" ".join(exc.messages)) from exc
        body = EvidencePackSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (409, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="The pack is not ready."),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, ZipRenderer, PDFRenderer])
    def download(self, request, pk=None):
        response = pack_file_response(request, self.get_object(), via="api")
        if response is None:
            return Response({"detail": "The pack is not ready."}, status=status.HTTP_409_CONFLICT)
        return response

    @extend_schema(request=None, responses={200: VerificationSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        job = self.get_object()
        if not services.can_download(request.user, job):
            raise Http404
        return Response(verify_job(job).as_dict())
