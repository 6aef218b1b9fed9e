"""API of the EU AI Act classification: POST /ai-systems/{id}/classify/ and GET /ai-systems/{id}/classifications/.

``AISystemClassificationActions`` is mixed into ``AISystemViewSet``; the decision is in
``registry.classification`` and the change in ``registry.services.ai_system_classify``.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aims.permissions import can_for_request
from registry import eu_ai_act, services
from registry.classification import ANSWER_FIELDS
from registry.constants import EUTier, OperatorRole
from registry.models import Classification

NONE = "none"


def _flat(grouped) -> list[tuple[str, str]]:
    return [choice for _, items in grouped for choice in items]


class ClassificationAnswersSerializer(serializers.Serializer):
    """The EU AI Act questionnaire. Choice answers take ``null`` or ``"none"`` for "none of these"."""

    operator_role = serializers.ChoiceField(
        choices=OperatorRole.choices, required=False, help_text="Defaults to the system's recorded role."
    )
    prohibited_practice = serializers.ChoiceField(
        choices=[(NONE, "None of these"), *eu_ai_act.practice_choices()],
        required=False,
        allow_null=True,
        help_text="The Art. 5(1) practice the system performs, if any.",
    )
    annex_i_product = serializers.BooleanField(
        required=False, default=False, help_text="A safety component of (or itself) a product under Annex I."
    )
    annex_i_act = serializers.ChoiceField(
        choices=_flat(eu_ai_act.annex_i_choices()),
        required=False,
        allow_null=True,
        help_text="The Annex I legislation covering the product (needed when annex_i_product is true).",
    )
    third_party_conformity = serializers.BooleanField(
        required=False, default=False, help_text="The product needs a third-party conformity assessment."
    )
    annex_iii_point = serializers.ChoiceField(
        choices=[(NONE, "None of these uses"), *_flat(eu_ai_act.annex_iii_choices())],
        required=False,
        allow_null=True,
        help_text='The Annex III point of the intended use, such as "4(a)".',
    )
    derogation_condition = serializers.ChoiceField(
        choices=[(NONE, "No condition holds"), *eu_ai_act.derogation_choices()],
        required=False,
        allow_null=True,
        help_text="The Art. 6(3) condition (a-d) that holds for an Annex III system, if any.",
    )
    profiles_natural_persons = serializers.BooleanField(
        required=False, default=False, help_text="The system profiles natural persons (voids any Art. 6(3) derogation)."
    )
    art50_cases = serializers.ListField(
        child=serializers.ChoiceField(choices=eu_ai_act.transparency_choices()),
        required=False,
        default=list,
        help_text="The Art. 50 transparency cases that describe the system.",
    )
    is_gpai_model = serializers.BooleanField(required=False, default=False, help_text="A general-purpose AI model.")
    gpai_systemic_risk = serializers.BooleanField(
        required=False, default=False, help_text="The general-purpose AI model has systemic risk (Art. 51)."
    )
    deployer_is_public_body_or_public_service = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The organisation is a public body or a private one providing a public service (Art. 27).",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(ANSWER_FIELDS))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown question.")] for name in unknown})
        return super().to_internal_value(data)


class ObligationSerializer(serializers.Serializer):
    article = serializers.CharField(help_text='The article, such as "Art. 9" or "Art. 50(1)".')
    title = serializers.CharField(help_text="The article's title in the Official Journal.")
    summary = serializers.CharField(help_text="Our own one-line summary (not the legal text).")
    applies_from = serializers.DateField(help_text="When the obligation applies (Art. 113).")
    note = serializers.CharField(allow_blank=True, help_text="Route details and pending date changes.")


class ReasonSerializer(serializers.Serializer):
    answer = serializers.CharField(help_text="The answer (question key) that led here.")
    question = serializers.CharField(required=False, help_text="That question, in words.")
    value = serializers.CharField(help_text="The value given.")
    text = serializers.CharField(help_text="What it decided.")


@extend_schema_field({"type": "string", "enum": EUTier.values, "description": "The EU AI Act tier (as eu_tier)."})
class TierField(serializers.ChoiceField):
    """The tier; documented inline so the schema does not name the eu_tier choice set twice."""

    def __init__(self, **kwargs):
        super().__init__(choices=EUTier.choices, read_only=True, **kwargs)


class ClassificationSerializer(serializers.ModelSerializer):
    """One EU AI Act classification of an AI system: tier, basis, role, obligations and reasons."""

    ai_system = serializers.CharField(source="ai_system.reference", read_only=True)
    tier = TierField()
    answers = ClassificationAnswersSerializer(read_only=True)
    obligations = ObligationSerializer(many=True, read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)
    classified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Classification
        fields = [
            "id",
            "ai_system",
            "tier",
            "basis",
            "operator_role",
            "answers",
            "obligations",
            "reasons",
            "classified_by",
            "created_at",
        ]
        read_only_fields = fields


class AISystemClassificationActions:
    # The classification actions of AISystemViewSet (another organisation's system is a 404). No docstring on
    # purpose: drf-spectacular would take it as the description of every AI-system endpoint.

    permission_actions = {"classify": "change", "classifications": "view"}

    @extend_schema(
        summary="Classify an AI system under the EU AI Act",
        description="Answers the questionnaire; the result (tier, obligations, reasons) is kept as a new "
        "classification, earlier ones stay in the history, and the system's eu_tier is updated.",
        request=ClassificationAnswersSerializer,
        responses={
            201: ClassificationSerializer,
            400: OpenApiResponse(description="Field errors in the answers."),
            403: OpenApiResponse(description="The role or token may not change this system."),
            404: OpenApiResponse(description="No such system in the organisation."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=ClassificationAnswersSerializer)
    def classify(self, request, pk=None):
        system = self.get_object()
        if not can_for_request(request, "change", system):  # also when a subclass redefines permission_actions
            raise PermissionDenied
        serializer = ClassificationAnswersSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        classification = services.ai_system_classify(
            actor=request.user, system=system, answers=dict(serializer.validated_data)
        )
        return Response(ClassificationSerializer(classification).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="List the EU AI Act classifications of an AI system",
        description="Newest first; the first is the current one.",
        responses={200: ClassificationSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], serializer_class=ClassificationSerializer, pagination_class=None)
    def classifications(self, request, pk=None):
        system = self.get_object()
        rows = (
            Classification.objects.filter(ai_system=system)
            .select_related("ai_system", "classified_by")
            .order_by("-created_at", "-pk")
        )
        return Response(ClassificationSerializer(rows, many=True).data)
