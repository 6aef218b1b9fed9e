"""API: the organisation's export (a ZIP) and its deletion request. Administrators only."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from aims.permissions import can_for_request
from stewardship import services
from stewardship.views import export_response


class DeletionRequestSerializer(serializers.Serializer):
    pending = serializers.BooleanField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True, allow_null=True)
    requested_by = serializers.CharField(read_only=True, allow_null=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    grace_days = serializers.IntegerField(read_only=True)
    confirm = serializers.CharField(write_only=True, max_length=80, help_text="The organisation's slug.")


def _as_data(deletion) -> dict:
    return {
        "pending": deletion is not None,
        "requested_at": deletion.requested_at if deletion else None,
        "requested_by": getattr(deletion.requested_by, "username", None) if deletion else None,
        "due_at": deletion.due_at if deletion else None,
        "grace_days": services.grace_days(),
    }


class _AdminView(APIView):
    permission_classes = [IsAuthenticated]

    def organisation(self, request):
        organisation = getattr(request, "organisation", None)
        if organisation is None:
            raise Http404
        if not can_for_request(request, "manage", Organisation):
            raise PermissionDenied(_("Only an administrator of the organisation may do this."))
        return organisation


class OrganisationExportView(_AdminView):
    @extend_schema(
        summary="Export everything of the organisation",
        description="A ZIP: one JSON file per table (records, their history, the audit trail, members without "
        "passwords), the stored files, and manifest.json with the SHA-256 of every entry.",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY), 403: None},
    )
    def get(self, request):
        return export_response(self.organisation(request))


class OrganisationDeletionView(_AdminView):
    serializer_class = DeletionRequestSerializer

    @extend_schema(summary="Whether the organisation's deletion is scheduled", responses=DeletionRequestSerializer)
    def get(self, request):
        return Response(DeletionRequestSerializer(_as_data(services.pending_deletion(self.organisation(request)))).data)

    @extend_schema(
        summary="Schedule the organisation's deletion after the grace period",
        request=DeletionRequestSerializer,
        responses={201: DeletionRequestSerializer},
    )
    def post(self, request):
        organisation = self.organisation(request)
        serializer = DeletionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deletion = services.request_deletion(
            organisation=organisation, actor=request.user, confirm=serializer.validated_data["confirm"]
        )
        return Response(DeletionRequestSerializer(_as_data(deletion)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel the scheduled deletion", request=None, responses={204: None})
    def delete(self, request):
        services.cancel_deletion(organisation=self.organisation(request), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
