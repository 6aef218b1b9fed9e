"""A fast path for the API lists of the large registers: ``values()`` rows, not model instances.

Building 50 model instances and walking a ModelSerializer over them costs several times the query itself.
``FastListPlan`` reads the serializer's fields once and, when every one of them maps to a column (a model
field, a ``source`` path through foreign keys, an annotation, a slug of a related record or a list of
slugs of many-to-many records), answers the page from ``queryset.values(...)`` plus one query per
many-to-many field, calling each field's own ``to_representation`` on the raw value, so the output is the
serializer's, byte for byte (tests compare both). A serializer with any other field (a method field, a
nested serializer) keeps the ordinary path. JSON is written by orjson (``ORJSONRenderer``).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import relations, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()


class ORJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson (datetimes and decimals still go through DRF's encoder)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(
            data,
            default=_ENCODER.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )


@dataclass(frozen=True)
class _Column:
    name: str  # the output key
    key: str  # the values() key
    field: serializers.Field
    raw: bool = False  # a slug or a primary key of a related record: the value itself is the output


@dataclass(frozen=True)
class _Many:
    name: str
    field: serializers.Field  # the child relation
    related_model: type
    query_name: str  # related model -> our model lookup
    lookups: tuple[str, ...]  # the related record's columns the output needs

    def represent(self, values: tuple):
        if hasattr(self.field, "fast_representation"):
            return self.field.fast_representation(*values)
        return self.field.to_representation(_Slug(self.field.slug_field, values[0]))


class FastListPlan:
    def __init__(self, columns: list[_Column], many: list[_Many], order: list[str]):
        self.columns, self.many, self.order = columns, many, order

    @classmethod
    def build(cls, serializer: serializers.Serializer, queryset) -> FastListPlan | None:
        model = queryset.model
        columns, many, order = [], [], []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            order.append(name)
            if isinstance(field, relations.ManyRelatedField):
                child = field.child_relation
                # A slug of each linked record, or a field that says which columns it reads (``fast_lookups``).
                if "." in field.source:
                    return None
                if hasattr(child, "fast_lookups"):
                    lookups = tuple(child.fast_lookups)
                elif isinstance(child, relations.SlugRelatedField):
                    lookups = (child.slug_field,)
                else:
                    return None
                try:
                    model_field = model._meta.get_field(field.source)
                except FieldDoesNotExist:
                    return None
                if not isinstance(model_field, models.ManyToManyField):
                    return None
                many.append(_Many(name, child, model_field.related_model, model_field.related_query_name(), lookups))
                continue
            if isinstance(
                field, serializers.Serializer | serializers.ListSerializer | serializers.SerializerMethodField
            ):
                return None
            if field.source == "*" or type(field) is serializers.HiddenField:
                return None
            key = cls._key(model, queryset, field)
            if key is None:
                return None
            raw = isinstance(field, relations.SlugRelatedField | relations.PrimaryKeyRelatedField)
            if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is not None:
                return None
            columns.append(_Column(name, key, field, raw))
        return cls(columns, many, order)

    @staticmethod
    def _key(model, queryset, field) -> str | None:
        parts = field.source.split(".")
        if isinstance(field, relations.SlugRelatedField):
            parts = [*parts, field.slug_field]
        elif isinstance(field, relations.RelatedField) and not isinstance(field, relations.PrimaryKeyRelatedField):
            return None
        if len(parts) == 1 and parts[0] in queryset.query.annotations:
            return parts[0]
        current = model
        for i, part in enumerate(parts):
            try:
                model_field = current._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            last = i == len(parts) - 1
            if model_field.many_to_many or model_field.one_to_many:
                return None
            if last:
                if model_field.is_relation:  # a foreign key given as a primary key
                    return (
                        "__".join(parts[:-1] + [model_field.attname])
                        if isinstance(field, relations.PrimaryKeyRelatedField)
                        else None
                    )
                return "__".join(parts)
            if not model_field.is_relation:
                return None
            current = model_field.related_model
        return None

    def rows(self, values_rows: list[dict]) -> list[dict]:
        ids = [row["pk"] for row in values_rows]
        links = {}
        for spec in self.many:
            found: dict = {pk: [] for pk in ids}
            pairs = spec.related_model._default_manager.filter(**{f"{spec.query_name}__in": ids}).values_list(
                spec.query_name, *spec.lookups
            )
            for owner, *values in pairs:
                found[owner].append(spec.represent(values))
            links[spec.name] = found
        out = []
        for row in values_rows:
            item = {}
            for column in self.columns:
                value = row[column.key]
                if value is None or column.raw:
                    item[column.name] = value
                else:
                    item[column.name] = column.field.to_representation(value)
            for spec in self.many:
                item[spec.name] = links[spec.name][row["pk"]]
            out.append({name: item[name] for name in self.order})  # the serializer's key order
        return out

    def values(self, queryset, extra=()):
        return queryset.prefetch_related(None).values("pk", *{c.key for c in self.columns}, *extra)


class _Slug:
    """Stands for a related record in SlugRelatedField.to_representation (which reads one attribute)."""

    __slots__ = ("_name", "_value")

    def __init__(self, name, value):
        self._name, self._value = name, value

    def __getattr__(self, item):
        if item == object.__getattribute__(self, "_name"):
            return object.__getattribute__(self, "_value")
        raise AttributeError(item)


class FastListMixin:
    """Mixed into a viewset: ``list`` takes the fast path when the serializer allows it."""

    fast_list = True
    renderer_classes = [ORJSONRenderer, *(r for r in api_settings.DEFAULT_RENDERER_CLASSES if r is not JSONRenderer)]

    def _ordering_keys(self, queryset) -> list[str]:
        """Columns the keyset paginator reads from the rows (the first ordering field)."""
        keys = []
        for name in [*(getattr(self, "ordering_fields", None) or []), *(getattr(self, "ordering", None) or [])]:
            name = name.lstrip("-")
            if name in queryset.query.annotations:
                keys.append(name)
                continue
            try:
                field = queryset.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and not field.is_relation:
                keys.append(name)
        return keys

    def _fast_plan(self, queryset):
        cache = type(self).__dict__.get("_fast_plan_cache")
        if cache is None:
            cache = {}
            type(self)._fast_plan_cache = cache
        key = (self.get_serializer_class(), frozenset(queryset.query.annotations))
        if key not in cache:
            cache[key] = FastListPlan.build(self.get_serializer(), queryset)
        return cache[key]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = self._fast_plan(queryset) if self.fast_list else None
        if plan is None:
            return super().list(request, *args, **kwargs)
        values = plan.values(queryset, self._ordering_keys(queryset))
        page = self.paginate_queryset(values)
        rows = plan.rows(list(page if page is not None else values))
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)
