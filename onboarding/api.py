"""API of the guided setup and the document-template library for integrations: the setup's progress (read)
and the templates (list, read, instantiate as a draft policy). Thin: ``onboarding.selectors`` reads,
``onboarding.services`` writes, ``aims.permissions`` decides."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aims.api.safety import idempotent
from aims.api.schema import AimsAutoSchema
from controls.api.common import REFUSED, UsernameField, choice_field, read_input
from controls.api.policies import PolicySerializer
from controls.models import Policy
from onboarding import selectors, services
from onboarding.models import DocumentTemplate, SetupProgress


def _read_only_token(request) -> bool:
    return bool(getattr(getattr(request, "auth", None), "read_only", False))


# --- Setup progress -------------------------------------------------------------------------------------


class SetupStepSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    done = serializers.BooleanField(help_text="The records the step asks for exist (never a tick box).")
    summary = serializers.CharField()
    url = serializers.CharField(help_text="Path of the step's page in the web interface.")


class ReadinessSerializer(serializers.Serializer):
    framework = serializers.CharField(source="framework.key")
    applicable = serializers.IntegerField()
    ready = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="The gap analysis's own readiness figure for ISO/IEC 42001.")


class SetupProgressSerializer(serializers.Serializer):
    steps = SetupStepSerializer(many=True)
    steps_done = serializers.IntegerField()
    readiness = ReadinessSerializer(allow_null=True, help_text="Null when the ISO/IEC 42001 catalogue is not loaded.")
    pilot_system = serializers.CharField(allow_null=True, help_text="Reference of the pilot AI system.")
    roadmap_owner = serializers.CharField(allow_null=True, help_text="Username of the roadmap's owner.")
    roadmap_start = serializers.DateField(allow_null=True)
    roadmap_generated_at = serializers.DateTimeField(allow_null=True)


class _OneObjectSchema(AimsAutoSchema):
    """The setup progress is one object per organisation, answered at the collection URL: not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class SetupProgressViewSet(viewsets.ViewSet):
    """Where the organisation's guided setup stands: the five steps and the certification-readiness figure.
    Those who run the setup (owners, administrators and officers) read it."""

    permission_model = SetupProgress
    schema = _OneObjectSchema()

    @extend_schema(summary="Progress of the guided setup", responses={200: SetupProgressSerializer})
    def list(self, request):
        organisation = request.organisation
        if not selectors.may_run_setup(request.user, organisation):
            raise PermissionDenied()
        readiness = selectors.certification_readiness(user=request.user, organisation=organisation)
        steps = selectors.setup_steps(user=request.user, organisation=organisation, readiness=readiness)
        progress = SetupProgress.objects.filter(organisation=organisation).select_related(
            "pilot_system", "roadmap_owner"
        )
        progress = progress.first()
        data = {
            "steps": steps,
            "steps_done": sum(1 for step in steps if step.done),
            "readiness": readiness,
            "pilot_system": progress.pilot_system.reference if progress and progress.pilot_system else None,
            "roadmap_owner": progress.roadmap_owner.username if progress and progress.roadmap_owner else None,
            "roadmap_start": progress.roadmap_start if progress else None,
            "roadmap_generated_at": progress.roadmap_generated_at if progress else None,
        }
        return Response(SetupProgressSerializer(data).data)


# --- Document templates ---------------------------------------------------------------------------------


class DocumentTemplateSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The template's key: a shipped template's name, or `own-<id>`.")
    title = serializers.CharField()
    kind = choice_field(DocumentTemplate.Kind.choices)
    summary = serializers.CharField()
    requirements = serializers.ListField(
        child=serializers.CharField(), help_text="ISO/IEC 42001 identifiers the document serves."
    )
    shipped = serializers.BooleanField(help_text="False for the organisation's own templates.")


class DocumentTemplateDetailSerializer(DocumentTemplateSerializer):
    body = serializers.CharField(
        help_text="Markdown with the placeholders {{ organisation }}, {{ owner }}, {{ scope }}, {{ date }}."
    )


class InstantiateInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    owner = UsernameField(help_text="Username of the policy's owner; you when left out.")


class DocumentTemplateViewSet(viewsets.ViewSet):
    """The template library: the shipped starter documents and the organisation's own."""

    permission_model = DocumentTemplate
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    permission_actions = {"instantiate": "view"}  # decided below: may_instantiate (add policies, or run the setup)

    def _template(self, key):
        template = selectors.template_get(self.request.organisation, key)
        if template is None:
            raise Http404
        return template

    @extend_schema(summary="Document templates", responses={200: DocumentTemplateSerializer(many=True)})
    def list(self, request):
        return Response(DocumentTemplateSerializer(selectors.library_for(request.organisation), many=True).data)

    @extend_schema(summary="A document template", responses={200: DocumentTemplateDetailSerializer})
    def retrieve(self, request, key=None):
        return Response(DocumentTemplateDetailSerializer(self._template(key)).data)

    @extend_schema(
        summary="Draft a policy from a template",
        description="Creates a draft policy with the organisation's name, the owner, the scope and today's date "
        "filled in, linked to the requirements the template serves. Accepts an Idempotency-Key.",
        request=InstantiateInputSerializer,
        responses={201: PolicySerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def instantiate(self, request, key=None):
        template = self._template(key)  # first: another organisation's template is 404, never 403
        if _read_only_token(request) or not selectors.may_instantiate(request.user, request.organisation):
            raise PermissionDenied()

        def create():
            data = read_input(InstantiateInputSerializer, request)
            with transaction.atomic():
                policy = services.template_instantiate(
                    actor=request.user,
                    organisation=request.organisation,
                    template=template,
                    owner=data.get("owner"),
                    title=data["title"],
                )
            policy = Policy.objects.select_related("owner", "approved_by", "document").get(pk=policy.pk)
            return Response(PolicySerializer(policy, context={"request": request}).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create)
