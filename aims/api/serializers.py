"""Serializer pieces shared by every app's API."""

from django.contrib.auth import get_user_model
from rest_framework import serializers


class MemberField(serializers.SlugRelatedField):
    """A member of the request's organisation, written and read by username."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return get_user_model().objects.filter(memberships__organisation=getattr(request, "organisation", None))


class OrganisationRelatedField(serializers.SlugRelatedField):
    """A record of the request's organisation, written and read by its reference id (``SUP-004``)."""

    def __init__(self, model, **kwargs):
        self.related_model = model
        kwargs.setdefault("slug_field", "reference")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.related_model.objects.filter(organisation=getattr(request, "organisation", None))


class CommaListField(serializers.ListField):
    """A list in the API, stored comma-separated (AI techniques, tags)."""

    def to_representation(self, value):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        return super().to_representation(value)

    def to_internal_value(self, data):
        return ",".join(super().to_internal_value(data))
