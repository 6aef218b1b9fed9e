"""API pieces shared by the controls endpoints: requirement references, action schemas and input helpers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers

from aims.api.serializers import MemberField, OrganisationRelatedField
from controls.models import Requirement
from risk.schema import choice_schema

REFUSED = OpenApiResponse(description="Refused by a business rule; the body names the fields.")
CONFLICT = OpenApiResponse(description="Not possible in the record's current state.")


def action_schema(summary, description="", request=None, response=None, **kwargs):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: response, 400: REFUSED, 409: CONFLICT},
        **kwargs,
    )


def read_input(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_field(
    {
        "type": "string",
        "description": "A requirement as `framework key:identifier` (e.g. `iso42001:A.6.2.4`, "
        "`nist_ai_rmf:GOVERN 1.1`) or its id.",
        "example": "iso42001:A.6.2.4",
    }
)
class RequirementRefField(serializers.RelatedField):
    """A shipped requirement or one of the organisation's own, written as ``key:identifier`` or by id, read as
    ``key:identifier``."""

    default_error_messages = {
        "does_not_exist": _(
            "No requirement “{value}” in the frameworks you can see; write it as key:identifier, e.g. iso42001:A.6.2.4."
        ),
        "invalid": _("Give a requirement as key:identifier or its id."),
    }

    def get_queryset(self):
        request = self.context.get("request")
        organisation = getattr(request, "organisation", None)
        return Requirement.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation)).select_related(
            "framework"
        )

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        value = data.strip()
        queryset = self.get_queryset()
        if ":" in value:
            key, identifier = value.split(":", 1)
            found = queryset.filter(framework__key=key.strip(), identifier=identifier.strip()).first()
        else:
            try:
                found = queryset.filter(pk=value).first()
            except (ValueError, TypeError, DjangoValidationError):  # a malformed id is simply not found
                found = None
        if found is None:
            self.fail("does_not_exist", value=value)
        return found

    def to_representation(self, value):
        return f"{value.framework.key}:{value.identifier}"

    # For the API list fast path (aims.api.fast): the requirement's columns it reads, and the same text from them.
    fast_lookups = ("framework__key", "identifier")

    @staticmethod
    def fast_representation(key, identifier):
        return f"{key}:{identifier}"


@extend_schema_field({"type": "string", "description": "A reference id of your organisation, e.g. CTL-004."})
class ReferenceField(OrganisationRelatedField):
    """A record of the organisation by reference, typed for serializers that have no model."""


@extend_schema_field({"type": "string", "nullable": True, "description": "A member's username."})
class UsernameField(MemberField):
    """A member by username, typed for serializers that have no model."""


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented as a pattern rather than a shared enum component (the same words — status,
    kind, phase — name different choice sets across the API, and enum components would collide by name)."""
    blank = bool(kwargs.get("allow_blank") or kwargs.get("read_only"))
    field_class = extend_schema_field(choice_schema(choices, blank=blank))(
        type("PatternChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)
