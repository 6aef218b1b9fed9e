"""The OpenAPI schema documents every endpoint's errors, not only its success.

Every operation gets the error answers the API really gives (see aims/api/exceptions.py): 400 with field
errors on writes, 401 without credentials, 403 when the role may not, 404 for an object outside the
caller's organisation, 409 when the record's state forbids the change.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
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
    "404": OpenApiResponse(ErrorSerializer, description="Not found in your organisation."),
    "409": OpenApiResponse(ErrorSerializer, description="The record's current state does not allow this change."),
}


class AimsAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH"):
            wanted.insert(0, "400")
        if "{" in self.path or self.method in ("PUT", "PATCH", "DELETE"):
            wanted.append("404")
        if self.method != "GET":
            wanted.append("409")
        if not self.get_auth():
            wanted = [code for code in wanted if code not in ("401", "403")]
        for code in wanted:
            if code not in responses:
                responses[code] = self._get_response_for_code(_ERRORS[code], code, direction=direction)
        return responses
