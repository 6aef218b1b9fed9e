"""API of evidence: records (a file or a link), uploads (multipart; a new file is a new revision), review, and
authorised downloads (``Content-Disposition: attachment``, ``nosniff``)."""

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from aims.api.fast import FastListMixin
from aims.api.list_plan import per_page
from aims.api.pagination import KeysetPagination
from aims.api.safety import ConcurrencyMixin
from aims.api.serializers import MemberField, OrganisationRelatedField
from aims.api.views import OrganisationScopedViewSet
from controls import services
from controls.api.common import CONFLICT, REFUSED, RequirementRefField, action_schema, choice_field, read_input
from controls.constants import EvidenceKind, EvidenceState, ReviewStatus
from controls.filtersets_work import EvidenceFilterSet
from controls.models import Control, Evidence, EvidenceRevision, Requirement
from controls.models.evidence import evidence_state
from controls.uploads import ACCEPTED_LABEL
from controls.views_evidence import revision_file_response
from registry.models import AISystem

FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="The stored file, as an attachment.")


class EvidenceRevisionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evidence = serializers.CharField(source="evidence.reference", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceRevision
        fields = [
            "id",
            "evidence",
            "number",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "note",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("evidencerevision-download", args=[obj.pk])

    # For the API list fast path (aims.api.fast): the columns a computed field reads, and the value from them.
    fast_sources = {"download_url": (("id",), lambda pk: _download_url(pk))}


_ANY_ID = "00000000-0000-0000-0000-000000000000"


def _download_url(pk) -> str:
    """``reverse("evidencerevision-download", args=[pk])``, the URL resolved once per page of the fast path."""
    pattern = per_page("evidence-download-url", lambda: reverse("evidencerevision-download", args=[_ANY_ID]))
    return pattern.replace(_ANY_ID, str(pk))


class CurrentRevisionSerializer(EvidenceRevisionSerializer):
    """The current file, inside its evidence (which it does not repeat)."""

    class Meta(EvidenceRevisionSerializer.Meta):
        fields = [name for name in EvidenceRevisionSerializer.Meta.fields if name != "evidence"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    """Evidence. Create it with a `file` (multipart) or a `url` (http/https), never both; later files go to
    `POST /evidence/{id}/revisions/`. Controls and systems are references; requirements are `key:identifier`."""

    reference = serializers.CharField(required=False, allow_blank=True, max_length=20)
    owner = MemberField()
    controls = OrganisationRelatedField(Control, many=True, required=False)
    requirements = RequirementRefField(many=True, required=False)
    ai_systems = OrganisationRelatedField(AISystem, many=True, required=False)
    kind = choice_field(EvidenceKind.choices, read_only=True)
    state = choice_field(EvidenceState.choices, read_only=True)
    review_status = choice_field(ReviewStatus.choices, read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    current_revision = CurrentRevisionSerializer(read_only=True)
    file = serializers.FileField(
        write_only=True, required=False, help_text=f"On creation only: {ACCEPTED_LABEL}. Multipart upload."
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "kind",
            "url",
            "effective_date",
            "expiry_date",
            "owner",
            "controls",
            "requirements",
            "ai_systems",
            "state",
            "review_status",
            "reviewed_by",
            "reviewed_at",
            "current_revision",
            "file",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "kind", "review_status", "reviewed_at", "created_at", "updated_at"]
        validators = []

    # For the API list fast path (aims.api.fast): ``state`` is a property; these are the columns it reads.
    fast_sources = {
        "state": (
            ("current_revision", "url", "effective_date", "expiry_date", "review_status"),
            lambda revision, url, effective, expiry, review_status: evidence_state(
                has_content=bool(revision or url),
                effective=effective,
                expiry=expiry,
                review_status=review_status,
                today=per_page("today", timezone.localdate),
            ),
        )
    }


class RevisionInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=ACCEPTED_LABEL)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReviewInputSerializer(serializers.Serializer):
    review_status = choice_field(ReviewStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)


@extend_schema_view(
    list=extend_schema(
        summary="List evidence",
        description="Filter by `state` (current, expiring, expired ...), `kind`, `review_status`, `owner`, "
        "`control`, `system` (references) and `requirement` (identifier).",
    ),
    create=extend_schema(
        summary="Record evidence",
        description="Multipart with a `file` (checked: size limit, allowed type, content matching the extension; "
        "SHA-256 stored), or JSON with a `url`. A refused file leaves nothing behind.",
    ),
    retrieve=extend_schema(summary="One piece of evidence"),
    update=extend_schema(summary="Edit evidence", description="Its file changes only through a new revision."),
    partial_update=extend_schema(summary="Edit part of evidence"),
    destroy=extend_schema(summary="Delete evidence", description="With its revisions and their files."),
)
class EvidenceViewSet(FastListMixin, OrganisationScopedViewSet):
    pagination_class = KeysetPagination  # large register: keyset pages (numbered with ?page=)
    queryset = Evidence.objects.select_related(
        "owner", "reviewed_by", "current_revision__uploaded_by"
    ).prefetch_related(
        Prefetch("controls", queryset=Control.objects.only("id", "reference")),
        Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
        Prefetch("ai_systems", queryset=AISystem.objects.only("id", "reference")),
    )
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    search_fields = ["reference", "title", "description"]
    ordering_fields = ["reference", "title", "effective_date", "expiry_date", "created_at"]
    ordering = ["reference"]

    @property
    def permission_actions(self):
        actions = {"review": "approve", "download": "view"}
        request = getattr(self, "request", None)
        actions["revisions"] = "change" if request is not None and request.method == "POST" else "view"
        return actions

    def _reload(self, evidence):
        return self.get_queryset().get(pk=evidence.pk)

    def create_object(self, data):
        data = dict(data)
        upload = data.pop("file", None)
        note = data.pop("note", "")
        evidence = services.evidence_create(
            actor=self.request.user, organisation=self.request.organisation, data=data, upload=upload, note=note
        )
        return self._reload(evidence)

    def update_object(self, instance, data):
        data = dict(data)
        if data.pop("file", None) is not None:
            raise serializers.ValidationError({"file": [gettext("Upload a new file to /evidence/{id}/revisions/.")]})
        data.pop("note", None)
        services.evidence_update(actor=self.request.user, evidence=instance, data=data, reason="Edited through the API")
        return self._reload(instance)

    def delete_object(self, instance):
        services.evidence_delete(actor=self.request.user, evidence=instance)

    @extend_schema(
        methods=["GET"],
        operation_id="evidence_revisions_of_evidence",
        summary="List the revisions of evidence",
        responses={200: EvidenceRevisionSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        operation_id="evidence_revision_upload",
        summary="Upload a new revision",
        description="Multipart `file` (and optional `note`). The same checks as on creation; earlier revisions stay.",
        request={"multipart/form-data": RevisionInputSerializer},
        responses={201: EvidenceRevisionSerializer, 400: REFUSED, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def revisions(self, request, pk=None):
        evidence = self.get_object()
        if request.method == "GET":
            rows = evidence.revisions.select_related("uploaded_by", "evidence").order_by("-number")
            return Response(EvidenceRevisionSerializer(rows, many=True).data)
        data = read_input(RevisionInputSerializer, request)
        with transaction.atomic():
            revision = services.evidence_add_revision(
                actor=request.user, evidence=evidence, upload=data["file"], note=data["note"]
            )
        return Response(EvidenceRevisionSerializer(revision).data, status=201)

    @extend_schema(
        summary="Download the current file",
        description="As an attachment, never rendered inline. 404 for link evidence.",
        responses={(200, "*/*"): FILE_RESPONSE},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from django.http import Http404

        evidence = self.get_object()
        if evidence.current_revision is None:
            raise Http404
        return revision_file_response(evidence.current_revision)

    @action_schema(
        "Record the review",
        "Officers: `accepted` (it shows what it claims) or `rejected` (it no longer counts).",
        ReviewInputSerializer,
        EvidenceSerializer,
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        evidence = self.get_object()
        data = read_input(ReviewInputSerializer, request)
        with transaction.atomic():
            services.evidence_review(
                actor=request.user, evidence=evidence, status=data["review_status"], comment=data["comment"]
            )
        return Response(self.get_serializer(self._reload(evidence)).data)


@extend_schema_view(
    list=extend_schema(summary="List evidence files (every revision)", description="Filter by `evidence` reference."),
    retrieve=extend_schema(summary="One evidence file revision"),
)
class EvidenceRevisionViewSet(ConcurrencyMixin, viewsets.ReadOnlyModelViewSet):
    queryset = EvidenceRevision.objects.select_related("evidence", "uploaded_by")
    serializer_class = EvidenceRevisionSerializer
    lookup_value_regex = "[0-9a-f-]{36}"
    filterset_fields = {"evidence__reference": ["exact"], "sha256": ["exact"]}
    ordering = ["evidence__reference", "-number"]
    ordering_fields = ["created_at", "number"]
    search_fields = ["original_name", "evidence__reference"]
    permission_actions = {"download": "view"}

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)

    @extend_schema(
        summary="Download this revision's file",
        description="As an attachment with `X-Content-Type-Options: nosniff`.",
        responses={(200, "*/*"): FILE_RESPONSE},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return revision_file_response(self.get_object())
