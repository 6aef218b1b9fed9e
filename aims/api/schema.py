"""The OpenAPI schema documents every endpoint's errors, not only its success.

Every operation gets the error answers the API really gives (see aims/api/exceptions.py): 400 with field
errors on writes, 401 without credentials, 403 when the role may not, 404 for an object outside the
caller's organisation, 409 when the record's state forbids the change.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → list of messages; ``non_field_errors`` for problems with the request as a whole."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


_ERRORS = {
    "400": OpenApiResponse(ValidationErrorSerializer, description="Invalid input: messages per field."),
    "401": OpenApiResponse(ErrorSerializer, description="No valid token or session."),
    "403": OpenApiResponse(ErrorSerializer, description="Your role (or a read-only token) does not allow this."),
    "404": OpenApiResponse(ErrorSerializer, description="Not found in your organisation (or no such page)."),
    "409": OpenApiResponse(ErrorSerializer, description="The record's current state does not allow this change."),
    "412": OpenApiResponse(
        ErrorSerializer, description="If-Match did not match: the record changed since you read it."
    ),
    "413": OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    "422": OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used before with another body."),
    "429": OpenApiResponse(ErrorSerializer, description="Too many exports for your organisation: retry later."),
}

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the record as you read it: the write is refused with 412 if it changed since.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique key per intended write (1-255 printable characters): a retry with the same key and "
    "body returns the first answer; the same key with another body is refused with 422. Keys expire after a day.",
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="The record's version; send it back in If-Match to write only if nobody changed it meanwhile.",
)


def _is_blank_or_null(branch) -> bool:
    return (
        branch.get("maxLength") == 0 or branch.get("type") == "null" or branch.get("enum") in ([""], [None], ["", None])
    )


def _nullable_source(field) -> bool:
    """Is the model field behind a read-only serializer field nullable (an unset ``approved_by``)?"""
    from django.core.exceptions import FieldDoesNotExist

    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or not attrs:
        return False
    for attr in attrs:
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True  # this field, or a link on the way to it (parent.identifier), may be empty
        model = getattr(model_field, "related_model", None)
        if model is None:
            return False
    return False


def _has(view, name: str) -> bool:
    from aims.api import safety

    return isinstance(view, getattr(safety, name))


class AimsAutoSchema(AutoSchema):
    def _is_object_path(self) -> bool:
        return "{" in self.path and self.path.rstrip("/").endswith("}")

    def _concurrency(self) -> bool:
        return _has(self.view, "ConcurrencyMixin") and self._is_object_path()

    def _idempotent(self) -> bool:
        return self.method == "POST" and (
            (_has(self.view, "IdempotentCreateMixin") and getattr(self.view, "action", None) == "create")
            or getattr(self.view, "idempotent_post", False)
        )

    def _exports(self) -> bool:
        from aims.api.permissions import _action_for

        class _Request:
            method = self.method

        return _action_for(_Request, self.view) == "export"

    def _is_list_view(self, serializer=None) -> bool:
        # A "list" that answers one object (the organisation's one SoA) says so with ``list_is_single_object``.
        if getattr(self.view, "list_is_single_object", False):
            return False
        return super()._is_list_view(serializer)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("format") == "uri" and (getattr(field, "allow_blank", False) or field.read_only):
            schema.pop("format")  # "" (no link) is not a URI

    def _get_paginator(self):
        # Only a list is paginated; a collection action answering a plain array (take-snapshots) is not.
        if getattr(self.view, "action", "list") not in ("list", None):
            return None
        return super()._get_paginator()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        meta = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(meta, dict):
            return meta
        if meta.get("format") == "uri" and (getattr(field, "allow_blank", False) or field.read_only):
            meta = {k: v for k, v in meta.items() if k != "format"}  # "" (no link) is not a URI
        if direction == "response" and field.read_only and not field.allow_null and _nullable_source(field):
            if "$ref" in meta:
                return {"allOf": [meta], "nullable": True}
            meta = {**meta, "nullable": True}
        return meta

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._concurrency():
            if self.method in ("PUT", "PATCH", "DELETE"):
                parameters.append(IF_MATCH)
            if self.method in ("GET", "PUT", "PATCH"):
                parameters.append(ETAG)
        if self._idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH") or (self.method == "GET" and not self._is_object_path()):
            wanted.insert(0, "400")  # on a GET: a filter value that is not valid
        # Every method can 404: an object outside your organisation, a record a POST body names that is not in
        # it, or a page number past the end of a list.
        wanted.append("404")
        if self.method != "GET":
            wanted.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            wanted.append("413")
        if self._concurrency() and self.method in ("PUT", "PATCH", "DELETE"):
            wanted.append("412")
        if self._idempotent():
            wanted.append("422")
        if self._exports():
            wanted.append("429")
        if not self.get_auth():
            wanted = [code for code in wanted if code not in ("401", "403")]
        for code in wanted:
            if code not in responses:
                responses[code] = self._get_response_for_code(_ERRORS[code], code, direction=direction)
        return responses


def postprocess_blank_alternatives(result, generator, request, public):
    """``oneOf: [a choice pattern that allows "", {maxLength: 0}]`` — "" matches both, and oneOf wants exactly
    one: such alternatives become ``anyOf`` (a schema hook, after spectacular adds its blank branches)."""

    def walk(node):
        if isinstance(node, dict):
            branches = node.get("oneOf")
            if isinstance(branches, list) and any(isinstance(b, dict) and _is_blank_or_null(b) for b in branches):
                non_blank = [b for b in branches if not (isinstance(b, dict) and _is_blank_or_null(b))]
                if any("pattern" in b for b in non_blank if isinstance(b, dict)):
                    node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
