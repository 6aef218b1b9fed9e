"""API of the Statement of Applicability: the current SoA with its lines, editing a line, approval, earlier
approved versions (frozen) and exports."""

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.fast import FastListMixin
from aims.api.safety import ConcurrencyMixin
from controls import services
from controls.api.common import CONFLICT, REFUSED, ReferenceField, UsernameField, choice_field, read_input
from controls.constants import ExclusionReason, ImplementationStatus, SoAStatus
from controls.filtersets_work import SoALineFilterSet
from controls.models import Control, SoALine, SoAVersion, StatementOfApplicability
from controls.reports import pdf_response, soa_pdf, soa_table_response
from controls.selectors_soa import current_soa_rows, line_rows, soa_lines, soa_summary
from risk.models import Risk

EXPORT_PARAMETER = OpenApiParameter(
    "file_format", str, enum=["csv", "xlsx", "pdf"], required=True, description="The file to produce."
)


class _LineControlSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    status = choice_field(ImplementationStatus.choices)
    status_label = serializers.CharField()


class _LineRiskSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    level = serializers.CharField(help_text="Current level (residual once scored); empty when not scored.")
    via = serializers.CharField(help_text="“line” when linked on the line, else the control that treats it.")


class SoALineSerializer(serializers.Serializer):
    """One Annex A control in the SoA. The same shape is frozen into approved versions."""

    line_id = serializers.UUIDField(help_text="Id of the line (PATCH /soa/lines/{id}/).")
    requirement_id = serializers.UUIDField()
    identifier = serializers.CharField()
    title = serializers.CharField()
    section = serializers.CharField()
    section_title = serializers.CharField()
    applicable = serializers.BooleanField(allow_null=True)
    implementation_status = choice_field(
        ImplementationStatus.choices, help_text="Derived from the implementing controls."
    )
    implementation_status_label = serializers.CharField()
    controls = _LineControlSerializer(many=True)
    risks = _LineRiskSerializer(many=True)
    obligations = serializers.CharField(allow_blank=True)
    business_need = serializers.CharField(allow_blank=True)
    exclusion_reason = serializers.CharField(allow_blank=True)
    exclusion_reason_label = serializers.CharField(allow_blank=True)
    exclusion_justification = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(allow_blank=True, help_text="The owner's name.")
    notes = serializers.CharField(allow_blank=True)


class SoALineInputSerializer(serializers.Serializer):
    """A change to one line. An exclusion needs `exclusion_reason` and `exclusion_justification`; `controls`
    (references) sets the controls that implement it."""

    applicable = serializers.BooleanField(required=False, allow_null=True)
    risks = ReferenceField(Risk, many=True, required=False)
    obligations = serializers.CharField(required=False, allow_blank=True)
    business_need = serializers.CharField(required=False, allow_blank=True)
    exclusion_reason = choice_field(ExclusionReason.choices, required=False, allow_blank=True)
    exclusion_justification = serializers.CharField(required=False, allow_blank=True)
    owner = UsernameField()
    notes = serializers.CharField(required=False, allow_blank=True)
    controls = ReferenceField(Control, many=True, required=False)


class SoASummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    applicable = serializers.IntegerField()
    excluded = serializers.IntegerField()
    undecided = serializers.IntegerField()
    implemented = serializers.IntegerField()
    with_problems = serializers.IntegerField(help_text="Lines that keep the SoA from being approved.")


class SoASerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField(help_text="The version being worked on.")
    status = choice_field(SoAStatus.choices)
    approved_by = serializers.CharField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    summary = SoASummarySerializer()
    lines = SoALineSerializer(many=True)


class SoAVersionSerializer(serializers.ModelSerializer):
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SoAVersion
        fields = ["id", "version", "approved_by", "approved_at", "note", "applicable_count", "excluded_count"]


class SoAVersionDetailSerializer(SoAVersionSerializer):
    lines = SoALineSerializer(many=True, read_only=True)

    class Meta(SoAVersionSerializer.Meta):
        fields = [*SoAVersionSerializer.Meta.fields, "lines"]


class ApproveInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _current(request) -> StatementOfApplicability:
    return services.soa_ensure(organisation=request.organisation, actor=request.user)


_APPROVED_AT = serializers.DateTimeField()  # SoASerializer's approved_at


def _current_rows(request) -> tuple[StatementOfApplicability, list[dict]]:
    """The current SoA and its rows: two queries, or more when the SoA or a line must be created first."""
    found = current_soa_rows(request.organisation)
    if found is None:
        soa = _current(request)
        found = soa, line_rows(soa)
    return found


def _soa_payload(soa, rows) -> dict:
    """What ``SoASerializer`` writes, built directly: every value of the rows is already its JSON (building the
    serializer's fields for 38 lines and their controls and risks cost more than reading them)."""
    return {
        "id": str(soa.pk),
        "version": soa.version,
        "status": soa.status,
        "approved_by": soa.approved_by_username,
        "approved_at": None if soa.approved_at is None else _APPROVED_AT.to_representation(soa.approved_at),
        "summary": soa_summary(rows),
        "lines": rows,
    }


def _export(request, rows, *, version, status, approved_by=None, approved_at=None, note=""):
    fmt = request.query_params.get("file_format", "")
    label = f"v{version}-{status}"
    if fmt == "pdf":
        content = soa_pdf(
            organisation=request.organisation,
            rows=rows,
            version=version,
            status=status,
            approved_by=approved_by,
            approved_at=approved_at,
            note=note,
        )
        return pdf_response(content, f"soa-{request.organisation.slug}-{label}.pdf")
    if fmt in ("csv", "xlsx"):
        return soa_table_response(rows, fmt, organisation=request.organisation, version_label=label)
    raise serializers.ValidationError({"file_format": [gettext("Choose csv, xlsx or pdf.")]})


FILE_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment.")
FILE_RESPONSES = {
    (200, media): FILE_RESPONSE
    for media in (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
    )
}


class SoAViewSet(viewsets.GenericViewSet):
    """The organisation's one Statement of Applicability."""

    permission_model = StatementOfApplicability
    permission_actions = {"approve": "approve", "export": "export"}
    list_is_single_object = True
    renderer_classes = FastListMixin.renderer_classes
    serializer_class = SoASerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="The current Statement of Applicability",
        description="Its working version, status and every line (one per Annex A control of ISO/IEC 42001).",
        responses={200: SoASerializer},
    )
    def list(self, request):
        return Response(_soa_payload(*_current_rows(request)))

    @extend_schema(
        summary="Approve the working version",
        description="Officers only. Every line must be decided and justified (400 lists those that are not); "
        "409 when the version is approved already. Freezes the lines into an approved version.",
        request=ApproveInputSerializer,
        responses={201: SoAVersionDetailSerializer, 400: REFUSED, 409: CONFLICT},
    )
    @action(detail=False, methods=["post"])
    def approve(self, request):
        data = read_input(ApproveInputSerializer, request)
        soa = _current(request)
        with transaction.atomic():
            version = services.soa_approve(actor=request.user, soa=soa, note=data["note"])
        return Response(SoAVersionDetailSerializer(version).data, status=201)

    @extend_schema(
        summary="Export the working version",
        description="CSV, XLSX or PDF (page numbers, version and approval on every page).",
        parameters=[EXPORT_PARAMETER],
        responses={**FILE_RESPONSES, 400: REFUSED},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        soa, rows = _current_rows(request)
        approved = soa.status == SoAStatus.APPROVED
        return _export(
            request,
            rows,
            version=soa.version,
            status=soa.status,
            approved_by=soa.approved_by if approved else None,
            approved_at=soa.approved_at if approved else None,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List the lines of the current SoA",
        description="Filter by `applicable`, `undecided`, `identifier`, `owner`.",
    ),
    retrieve=extend_schema(summary="One line of the current SoA"),
    update=extend_schema(
        summary="Decide a line",
        request=SoALineInputSerializer,
        description="A change to an approved SoA starts the next draft version.",
    ),
    partial_update=extend_schema(summary="Change part of a line", request=SoALineInputSerializer),
)
class SoALineViewSet(
    ConcurrencyMixin,
    FastListMixin,  # its filter_queryset (no FilterSet bound for a request that sends none) and renderer
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SoALine.objects.all()
    serializer_class = SoALineSerializer
    filterset_class = SoALineFilterSet
    lookup_value_regex = "[0-9a-f-]{36}"
    pagination_class = None
    ordering_fields = []
    _soa = None  # the current SoA, read by get_queryset
    search_fields = ["requirement__identifier", "requirement__title"]

    def get_queryset(self):
        organisation = self.request.organisation
        if getattr(self, "swagger_fake_view", False) or organisation is None:
            return SoALine.objects.none()
        self._soa = _current(self.request)
        return soa_lines(self._soa).visible_to(self.request.user, organisation)

    def _rows(self, lines) -> list[dict]:
        """The rows of ``lines`` (scoped by ``get_queryset``): what SoALineSerializer would write, as they are."""
        return line_rows(self._soa, lines) if self._soa is not None else []

    def list(self, request, *args, **kwargs):
        return Response(self._rows(self.filter_queryset(self.get_queryset())))

    def retrieve(self, request, *args, **kwargs):
        line = self.get_object()
        return Response(self._rows(SoALine.objects.filter(pk=line.pk))[0])

    def update(self, request, *args, **kwargs):
        line = self.get_object()
        serializer = SoALineInputSerializer(
            data=request.data, context={"request": request}, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        controls = data.pop("controls", None)
        with transaction.atomic():
            services.soa_line_update(actor=request.user, line=line, data=data, controls=controls)
        return Response(self._rows(SoALine.objects.filter(pk=line.pk))[0])


@extend_schema_view(
    list=extend_schema(summary="List approved SoA versions", description="Newest first, without their lines."),
    retrieve=extend_schema(summary="An approved SoA version", description="Exactly as approved: its frozen lines."),
)
class SoAVersionViewSet(ConcurrencyMixin, viewsets.ReadOnlyModelViewSet):
    queryset = SoAVersion.objects.select_related("approved_by")
    lookup_value_regex = "[0-9a-f-]{36}"
    permission_actions = {"export": "export"}
    filter_backends = []

    def get_queryset(self):
        queryset = super().get_queryset().visible_to(self.request.user, self.request.organisation)
        return queryset.defer("lines") if self.action == "list" else queryset

    def get_serializer_class(self):
        return SoAVersionSerializer if self.action == "list" else SoAVersionDetailSerializer

    @extend_schema(
        summary="Export an approved version",
        description="CSV, XLSX or PDF of the version as approved.",
        parameters=[EXPORT_PARAMETER],
        responses={**FILE_RESPONSES, 400: REFUSED},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        version = self.get_object()
        if not isinstance(version.lines, list):
            raise Http404
        return _export(
            request,
            version.lines,
            version=version.version,
            status=SoAStatus.APPROVED,
            approved_by=version.approved_by,
            approved_at=version.approved_at,
            note=version.note,
        )
