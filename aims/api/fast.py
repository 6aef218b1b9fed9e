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

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import OuterRef
from django.utils.functional import Promise
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import relations, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()


class ORJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson (datetimes, decimals and lazy translations go through DRF's encoder, which
    turns a lazy string into the active language's text)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
        try:
            return orjson.dumps(data, default=_ENCODER.default, option=options)
        except TypeError:  # a lazy string as a dict key, which no JSON encoder takes: its text then
            return orjson.dumps(_text_keys(data), default=_ENCODER.default, option=options)


def _text_keys(data):
    if isinstance(data, dict):
        return {str(k) if isinstance(k, Promise) else k: _text_keys(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_text_keys(v) for v in data]
    return data


@dataclass(frozen=True)
class _Column:
    name: str  # the output key
    keys: tuple[str, ...]  # the values() keys it reads
    render: Callable[[dict], object]  # a values() row -> the output value


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


def _plain(key: str, field, raw: bool):
    if raw:  # a slug or a primary key of a related record: the value itself is the output
        return lambda row: row[key]
    to_representation = field.to_representation

    def render(row):
        value = row[key]
        return None if value is None else to_representation(value)

    return render


def _computed(keys: tuple[str, ...], function, field):
    """A value the serializer computes in Python (a property, a method field) from columns it declares."""
    method = isinstance(field, serializers.SerializerMethodField)
    to_representation = field.to_representation

    def render(row):
        value = function(*(row[key] for key in keys))
        return value if method or value is None else to_representation(value)

    return render


def _related(presence: str, keys: tuple[str, ...], field):
    """A foreign key read through the columns its field declares (``fast_lookups``); None when it is empty."""

    def render(row):
        if row[presence] is None:
            return None
        return field.fast_representation(*(row[key] for key in keys))

    return render


def _nested(presence: str, columns: list[_Column]):
    """A nested serializer over a foreign key: its own columns, or None when the key is empty (as DRF does)."""

    def render(row):
        if row[presence] is None:
            return None
        return {column.name: column.render(row) for column in columns}

    return render


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
                spec = cls._many(model, name, field)
                if spec is None:
                    return None
                many.append(spec)
                continue
            column = cls._column(serializer, model, queryset.query.annotations, name, field, prefix="")
            if column is None:
                return None
            columns.append(column)
        return cls(columns, many, order)

    @staticmethod
    def _many(model, name, field) -> _Many | None:
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
        return _Many(name, child, model_field.related_model, model_field.related_query_name(), lookups)

    @classmethod
    def _column(cls, serializer, model, annotations, name, field, prefix: str) -> _Column | None:
        # A value computed in Python from columns the serializer declares: ``fast_sources = {name: (lookups,
        # function)}``; the function gets the lookups' values and returns what the field would read.
        computed = getattr(serializer, "fast_sources", {}).get(name)
        if computed is not None:
            keys = tuple(prefix + key for key in computed[0])
            return _Column(name, keys, _computed(keys, computed[1], field))
        if isinstance(
            field, relations.ManyRelatedField | serializers.ListSerializer | serializers.SerializerMethodField
        ):
            return None
        if field.source == "*" or type(field) is serializers.HiddenField:
            return None
        if isinstance(field, serializers.Serializer):
            return cls._nested_column(model, name, field, prefix)
        if hasattr(field, "fast_lookups") and isinstance(field, relations.RelatedField):
            fk = cls._forward_fk(model, field.source)
            if fk is None:
                return None
            presence = prefix + field.source
            keys = tuple(f"{presence}__{lookup}" for lookup in field.fast_lookups)
            return _Column(name, (presence, *keys), _related(presence, keys, field))
        key = cls._key(model, annotations if not prefix else {}, field)
        if key is None:
            return None
        raw = isinstance(field, relations.SlugRelatedField | relations.PrimaryKeyRelatedField)
        if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is not None:
            return None
        return _Column(name, (prefix + key,), _plain(prefix + key, field, raw))

    @classmethod
    def _nested_column(cls, model, name, serializer, prefix: str) -> _Column | None:
        fk = cls._forward_fk(model, serializer.source)
        if fk is None:
            return None
        inner_prefix = f"{prefix}{serializer.source}__"
        columns = []
        for inner_name, inner in serializer.fields.items():
            if inner.write_only:
                continue
            column = cls._column(serializer, fk.related_model, {}, inner_name, inner, inner_prefix)
            if column is None:
                return None
            columns.append(column)
        presence = prefix + serializer.source
        keys = (presence, *(key for column in columns for key in column.keys))
        return _Column(name, keys, _nested(presence, columns))

    @staticmethod
    def _forward_fk(model, source: str):
        if "." in source:
            return None
        try:
            model_field = model._meta.get_field(source)
        except FieldDoesNotExist:
            return None
        if not model_field.concrete or not (model_field.many_to_one or model_field.one_to_one):
            return None
        return model_field

    @staticmethod
    def _key(model, annotations, field) -> str | None:
        parts = field.source.split(".")
        if isinstance(field, relations.SlugRelatedField):
            parts = [*parts, field.slug_field]
        elif isinstance(field, relations.RelatedField) and not isinstance(field, relations.PrimaryKeyRelatedField):
            return None
        if len(parts) == 1 and parts[0] in annotations:
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

    def _arrays(self, queryset) -> dict:
        """On PostgreSQL, the linked records' columns as arrays in the page's own query (``ARRAY(SELECT ...)``,
        in the related model's ordering), instead of one more query per many-to-many field. {spec name:
        {alias: subquery}}; specs whose related model has no ordering of its own keep their query."""
        if connections[queryset.db].vendor != "postgresql":
            return {}
        from django.contrib.postgres.expressions import ArraySubquery

        arrays = {}
        for n, spec in enumerate(self.many):
            ordering = spec.related_model._meta.ordering
            if not ordering or not all(isinstance(name, str) for name in ordering):
                continue
            linked = spec.related_model._default_manager.filter(**{spec.query_name: OuterRef("pk")}).order_by(
                *ordering, "pk"
            )
            arrays[spec.name] = {
                f"_fast_many_{n}_{m}": ArraySubquery(linked.values(lookup)) for m, lookup in enumerate(spec.lookups)
            }
        return arrays

    def rows(self, values_rows: list[dict], arrays: dict | None = None) -> list[dict]:
        arrays = arrays or {}
        ids = [row["pk"] for row in values_rows]
        links = {}
        for spec in self.many:
            if spec.name in arrays:
                continue
            found: dict = {pk: [] for pk in ids}
            pairs = spec.related_model._default_manager.filter(**{f"{spec.query_name}__in": ids}).values_list(
                spec.query_name, *spec.lookups
            )
            for owner, *values in pairs:
                found[owner].append(spec.represent(values))
            links[spec.name] = found
        in_row = [(spec, tuple(arrays[spec.name])) for spec in self.many if spec.name in arrays]
        out = []
        for row in values_rows:
            item = {column.name: column.render(row) for column in self.columns}
            for spec in self.many:
                if spec.name in links:
                    item[spec.name] = links[spec.name][row["pk"]]
            for spec, aliases in in_row:
                item[spec.name] = [
                    spec.represent(values) for values in zip(*(row[a] or () for a in aliases), strict=True)
                ]
            out.append({name: item[name] for name in self.order})  # the serializer's key order
        return out

    def values(self, queryset, extra=(), arrays: dict | None = None):
        keys = {key for column in self.columns for key in column.keys}
        queryset = queryset.prefetch_related(None)
        annotations = {alias: sub for spec in (arrays or {}).values() for alias, sub in spec.items()}
        if annotations:
            queryset = queryset.annotate(**annotations)
        return queryset.values("pk", *keys, *extra, *annotations)


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

    def filter_queryset(self, queryset):
        """The filter backends, without the FilterSet when the request sends none of its filters: binding a
        FilterSet builds its form (deep copies of every filter and form field), which cost a list page more
        than its query, to filter nothing. A FilterSet that filters by itself (``filter_queryset`` or ``qs``
        overridden, e.g. latest versions by default) always runs."""
        if getattr(self, "action", None) != "list" or not self._filterset_idle(queryset):
            return super().filter_queryset(queryset)
        for backend in self.filter_backends:
            if not issubclass(backend, DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def _filterset_idle(self, queryset) -> bool:
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None:
            return True
        if filterset_class.filter_queryset is not FilterSet.filter_queryset or filterset_class.qs is not FilterSet.qs:
            return False
        names = tuple(filterset_class.base_filters)
        # A filter's form may read more than its own name (a range filter reads ``name_min``...): any parameter
        # that starts with a filter's name counts as sent.
        return not any(param.startswith(names) for param in self.request.query_params)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = self._fast_plan(queryset) if self.fast_list else None
        if plan is None:
            return super().list(request, *args, **kwargs)
        arrays = plan._arrays(queryset)
        values = plan.values(queryset, self._ordering_keys(queryset), arrays)
        page = self.paginate_queryset(values)
        rows = plan.rows(list(page if page is not None else values), arrays)
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)
