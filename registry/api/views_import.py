"""``POST /api/v1/imports/{register}/``: the import of the import page, for scripts and integrations."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.api.safety import idempotent
from aims.imports import (
    ALL,
    CSV,
    FORMATS,
    JSON,
    MODES,
    OUTCOMES,
    ImportFileError,
    all_importers,
    detect_format,
    importer_for,
    max_bytes,
    too_large_message,
)
from aims.permissions import can_for_request

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


class _RawBodyParser(BaseParser):
    """Hands the body over as bytes, read up to the import size limit (the importer parses and reports)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_bytes()
        content = stream.read(limit + 1) if stream is not None else b""
        if len(content) > limit:
            raise ParseError(too_large_message())
        return content


class JSONBodyParser(_RawBodyParser):
    media_type = "application/json"


class CSVBodyParser(_RawBodyParser):
    media_type = "text/csv"


# Shapes for the schema only: the report is built by aims.imports.ImportReport.as_dict().
class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A UTF-8 CSV with a header line, or a JSON list of objects.")


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="The CSV line the row starts on (the header is line 1) or JSON item number."
    )
    reference = serializers.CharField(help_text="The row's reference id; empty when the row creates a new number.")
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Messages by field name."
    )
    changes = serializers.ListField(child=serializers.CharField(), help_text="Fields an update changes.")


class ImportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()


class ImportReportSerializer(serializers.Serializer):
    register = serializers.CharField()
    format = serializers.ChoiceField(choices=FORMATS)
    dry_run = serializers.BooleanField()
    mode = serializers.ChoiceField(choices=MODES)
    written = serializers.BooleanField(help_text="Whether the rows were written (never on a dry run).")
    created = serializers.IntegerField(help_text="Records created by this request.")
    updated = serializers.IntegerField(help_text="Records updated by this request.")
    counts = ImportCountsSerializer()
    warnings = serializers.ListField(child=serializers.CharField())
    columns = serializers.DictField(child=serializers.CharField(), help_text="Field name → column header read.")
    rows = ImportRowSerializer(many=True)


def _flag(request, name: str, default: bool) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValidationError({name: [_("Use true or false.")]})


class ImportView(APIView):
    """Upsert rows of a register by reference id, or preview what an import would do (``dry_run=true``)."""

    parser_classes = [MultiPartParser, JSONBodyParser, CSVBodyParser]
    idempotent_post = True  # documents the Idempotency-Key header (aims/api/schema.py)

    @property
    def permission_model(self):
        importer = importer_for(self.kwargs.get("register", ""))
        return importer.model if importer else None

    def check_permissions(self, request):
        importer = importer_for(self.kwargs.get("register", ""))
        if importer is None:
            if not (request.user and request.user.is_authenticated):
                self.permission_denied(request)
            raise NotFound(_("There is no import for this register."))
        super().check_permissions(request)  # "add" on the register's model
        if not can_for_request(request, "change", importer.model):
            self.permission_denied(request, message=_("Importing updates records: your role may not change them."))

    @extend_schema(
        operation_id="imports_create",
        summary="Import AI systems, datasets or suppliers from CSV or JSON",
        description=(
            "Rows are matched on their reference id: an existing reference is updated, a new or empty one "
            "creates a record, a row equal to the record is left unchanged. Send a multipart `file` (CSV or "
            "JSON), or the rows as the body (`application/json`: a list of objects; `text/csv`). Columns are "
            "the export's headers or the field names. `dry_run=true` reports every row's outcome and writes "
            "nothing. `mode=all` (default) writes nothing when any row has an error (400 with the report); "
            "`mode=valid` writes the rows without errors. A file that cannot be read answers 400 `{detail}`."
        ),
        parameters=[
            OpenApiParameter("register", str, OpenApiParameter.PATH, enum=[i.key for i in all_importers()] or None),
            OpenApiParameter("dry_run", bool, OpenApiParameter.QUERY, description="Preview only (default false)."),
            OpenApiParameter("mode", str, OpenApiParameter.QUERY, enum=list(MODES), description="Default all."),
        ],
        request={
            "multipart/form-data": ImportUploadSerializer,
            "application/json": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Rows have errors and nothing was written (mode=all: the body is the report, as for "
                "200), or the request is invalid (then the body is `{detail}` or field errors).",
            ),
        },
    )
    def post(self, request, register):
        # Idempotency-Key: a retried import with the same key and body answers the first report again.
        return idempotent(request, lambda: self._import(request, register))

    def _import(self, request, register):
        importer = importer_for(register)
        dry_run = _flag(request, "dry_run", default=False)
        mode = request.query_params.get("mode", ALL)
        if mode not in MODES:
            raise ValidationError({"mode": [_("Use one of: %(modes)s.") % {"modes": ", ".join(MODES)}]})
        content, fmt = self._payload(request)
        try:
            report = importer.run(
                content, fmt=fmt, actor=request.user, organisation=request.organisation, dry_run=dry_run, mode=mode
            )
        except ImportFileError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        refused = not dry_run and not report.written
        return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_200_OK)

    def _payload(self, request) -> tuple[bytes, str]:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > max_bytes() + 64 * 1024:  # refuse before reading the upload
            raise ParseError(too_large_message())
        data = request.data
        if isinstance(data, bytes):
            media = request.content_type.split(";")[0].strip().lower()
            return data, JSON if media == JSONBodyParser.media_type else CSV
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Send the rows as a multipart `file`, or as a JSON or CSV body.")]})
        if upload.size > max_bytes():
            raise ParseError(too_large_message())
        content = upload.read()
        return content, detect_format(upload.name, upload.content_type, content[:64])
