"""API of the trust centre for integrations: the concerns (read; triage by officers) and the trust page's
settings (read; change by those the permission module allows). Thin: ``trust.services`` writes."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.safety import ConcurrencyMixin
from controls.api.common import action_schema, choice_field, read_input
from trust import services
from trust.models import Concern, TrustPage


class _ScopedViewSet(ConcurrencyMixin, viewsets.GenericViewSet):
    """Another organisation's record is not in the queryset (404); ETag on reads, If-Match on writes."""

    lookup_field = "pk"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user, self.request.organisation)


class ConcernSerializer(serializers.ModelSerializer):
    """A reported concern. Contact details are empty when it was reported anonymously."""

    channel = choice_field(Concern.Channel.choices, read_only=True)
    status = choice_field(Concern.Status.choices, read_only=True)
    triaged_into = choice_field(Concern.TriagedInto.choices, read_only=True)
    ai_system = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    incident = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    nonconformity = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    risk = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    # Plain text, not an e-mail field: it is empty for anonymous reports, which no "email" format admits.
    contact_email = serializers.CharField(read_only=True, help_text="Empty when the reporter left no address.")

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "channel",
            "ai_system",
            "system_description",
            "what_happened",
            "occurred",
            "anonymous",
            "contact_name",
            "contact_email",
            "status",
            "triaged_into",
            "triage_note",
            "incident",
            "nonconformity",
            "risk",
            "reporter_message",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConcernTriageInputSerializer(serializers.Serializer):
    into = choice_field(
        Concern.TriagedInto.choices,
        help_text="What the concern becomes: an incident, a nonconformity, a risk, or no further action.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Reported concerns",
        description="Concerns about AI systems reported through the public trust page or inside the product "
        "(ISO/IEC 42001 A.3.3), newest first. Filter by `status` or `channel`.",
    ),
    retrieve=extend_schema(summary="A reported concern"),
)
class ConcernViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """Concerns are reported through the forms (with their abuse protection), never created through the API."""

    queryset = Concern.objects.select_related("ai_system", "incident", "nonconformity", "risk")
    serializer_class = ConcernSerializer
    filterset_fields = ["status", "channel"]
    search_fields = ["reference", "what_happened", "system_description"]
    ordering_fields = ["created_at", "reference", "status"]
    ordering = ["-created_at"]
    permission_actions = {"triage": "change"}

    @action_schema(
        "Triage a concern",
        "Turns a new concern into an incident, a nonconformity or a risk (through those registers), or closes it "
        "with no further action. Once only: a triaged concern answers 409. Officers.",
        request=ConcernTriageInputSerializer,
        response=ConcernSerializer,
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        concern = self.get_object()
        data = read_input(ConcernTriageInputSerializer, request)
        with transaction.atomic():
            concern = services.concern_triage(actor=request.user, concern=concern, into=data["into"], note=data["note"])
        return Response(ConcernSerializer(self.get_queryset().get(pk=concern.pk)).data)


class TrustPageSerializer(serializers.ModelSerializer):
    """The trust page's settings. Nothing is public unless `published` and the field's own `publish_*` flag
    are on. The certificate PDF is uploaded in the web interface."""

    public_url = serializers.SerializerMethodField()
    has_certificate_file = serializers.SerializerMethodField()

    class Meta:
        model = TrustPage
        fields = ["id", *services.PAGE_FIELDS, "has_certificate_file", "public_url", "updated_at"]
        read_only_fields = ["id", "has_certificate_file", "public_url", "updated_at"]
        validators = []  # the slug's uniqueness is the service's rule (a 400 on `slug`)
        extra_kwargs = {"slug": {"validators": []}}

    def get_public_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("trust:public", args=[obj.slug])

    def get_has_certificate_file(self, obj) -> bool:
        return bool(obj.certificate_file)


@extend_schema_view(
    list=extend_schema(
        summary="The trust page",
        description="The organisation's one trust page (created unpublished on first use), as a list of one.",
    ),
    retrieve=extend_schema(summary="The trust page's settings"),
    update=extend_schema(summary="Change the trust page's settings"),
    partial_update=extend_schema(summary="Change some of the trust page's settings"),
)
class TrustPageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, _ScopedViewSet):
    queryset = TrustPage.objects.all()
    serializer_class = TrustPageSerializer
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "put", "patch", "head", "options"]

    def list(self, request, *args, **kwargs):
        services.trust_page_ensure(request.organisation, actor=request.user)
        return super().list(request, *args, **kwargs)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = services.trust_page_update(
                actor=self.request.user, page=serializer.instance, data=serializer.validated_data
            )
