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

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import orjson
from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections, models
from django.db.models import Expression, OuterRef
from django.db.models.expressions import Col
from django.db.models.query import ValuesIterable
from django.utils import timezone
from django.utils.functional import Promise
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import ISO_8601, generics, relations, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

from aims.api import page_cache
from aims.prepared import CompiledQuery, run_prepared

_ENCODER = JSONEncoder()


class ORJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson (decimals and lazy translations go through DRF's encoder, which turns a lazy
    string into the active language's text).

    orjson writes UUIDs, dates and datetimes itself, as DRF's fields and encoder do (``str(uuid)``, ISO 8601, a
    UTC offset as ``Z``); the fast path leaves them in its rows for that (``_representer``). The one output that
    differs is an offset with seconds (local mean time before about 1900), which orjson rounds to the minute:
    the fast path renders those as DRF does, and serializers hand the renderer text, not datetimes."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        options = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
        try:
            text = orjson.dumps(data, default=_ENCODER.default, option=options)
        except TypeError:  # a lazy string as a dict key, which no JSON encoder takes: its text then
            text = orjson.dumps(_text_keys(data), default=_ENCODER.default, option=options)
        # DRF escapes the two line separators JavaScript once refused in a string; so do we, for the same text.
        if _LINE_SEPARATOR in text or _PARAGRAPH_SEPARATOR in text:
            text = text.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return text


_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


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

    def from_arrays(self, aliases: tuple[str, ...]) -> Callable[[dict], list]:
        """A values() row -> the list, read from the page query's own array columns (``FastListPlan._arrays``)."""
        if len(aliases) == 1 and _is_plain_slug(self.field):
            alias = aliases[0]
            return lambda row: list(row[alias] or ())  # a slug is its own representation
        represent = self.represent
        return lambda row: [represent(values) for values in zip(*(row[a] or () for a in aliases), strict=True)]


def _is_plain_slug(field) -> bool:
    """A SlugRelatedField that writes the slug column as it is (no nested path, no override)."""
    return (
        isinstance(field, relations.SlugRelatedField)
        and not hasattr(field, "fast_representation")
        and type(field).to_representation is relations.SlugRelatedField.to_representation
        and "__" not in field.slug_field
    )


# The time zone DRF's DateTimeField writes in, read once per page instead of once per value (``FastListPlan.rows``).
_TIME_ZONE: contextvars.ContextVar = contextvars.ContextVar("aims_fast_time_zone", default=None)
# Values a ``fast_sources`` function needs for every row but that do not depend on the row (``per_page``).
_PAGE: contextvars.ContextVar = contextvars.ContextVar("aims_fast_page", default=None)


def per_page(key: str, compute: Callable):
    """``compute()`` once per page of the fast path (today's date, a URL pattern), or at every call outside one.

    For ``fast_sources`` functions: asking the time zone or resolving a URL for each of 500 rows cost more than
    the rest of the row."""
    memo = _PAGE.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# Model fields whose values() value is already what the DRF field of the same kind writes: str() of a str,
# int() of an int, a choice whose stored value is its own key, a bool.
_TEXT_FIELDS = (models.CharField, models.TextField)
_INTEGER_FIELDS = (models.IntegerField,)


def _is_identity(field, model_field) -> bool:
    """True when ``field.to_representation(value) == value`` for every value ``model_field`` reads as."""
    if model_field is None or model_field.is_relation or hasattr(model_field, "from_db_value"):
        return False  # an annotation, a key, or a field that turns the stored value into something else
    method = type(field).to_representation
    if method is serializers.CharField.to_representation:
        return isinstance(model_field, _TEXT_FIELDS)
    if method is serializers.IntegerField.to_representation:
        return isinstance(model_field, _INTEGER_FIELDS)
    if method is serializers.BooleanField.to_representation:
        return isinstance(model_field, models.BooleanField)
    if method is serializers.ChoiceField.to_representation:
        # choice_strings_to_values maps str(key) -> key; with text keys a stored text is returned as it is.
        return isinstance(model_field, _TEXT_FIELDS) and all(
            isinstance(value, str) and key == value for key, value in field.choice_strings_to_values.items()
        )
    return False


def _representer(field, model_field) -> Callable | None:
    """``field.to_representation``, or a cheaper function with the same output for what ``model_field`` holds;
    None when the stored value is written by the renderer exactly as the field would write it (a UUID, a date:
    ``ORJSONRenderer``), so the row keeps the value itself."""
    method = type(field).to_representation
    if method is serializers.UUIDField.to_representation and field.uuid_format == "hex_verbose":
        return None
    if (
        method is serializers.DateField.to_representation
        and isinstance(model_field, models.DateField)
        and not isinstance(model_field, models.DateTimeField)
        and (getattr(field, "format", api_settings.DATE_FORMAT) or "").lower() == ISO_8601
    ):
        return None
    if (
        method is serializers.DateTimeField.to_representation
        and type(field).enforce_timezone is serializers.DateTimeField.enforce_timezone
        and type(field).default_timezone is serializers.DateTimeField.default_timezone
        and not hasattr(field, "timezone")
        and (getattr(field, "format", api_settings.DATETIME_FORMAT) or "").lower() == ISO_8601
    ):
        return _in_page_zone(field.to_representation)
    return field.to_representation


def _page_zone():
    """The current time zone; UTC as ``datetime.timezone.utc``, the zone the database's datetimes come in, so
    that they need no conversion (``_in_page_zone``)."""
    zone = timezone.get_current_timezone()
    return dt.UTC if getattr(zone, "key", None) in _UTC_NAMES else zone


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def _in_page_zone(slow):
    """DRF's ISO 8601 DateTimeField output of an aware datetime, in the page's time zone (``_TIME_ZONE``): the
    datetime in that zone, which ``ORJSONRenderer`` writes as DRF would, unless its offset has seconds."""

    def render(value):
        zone = _TIME_ZONE.get()
        if zone is None or isinstance(value, str) or value.tzinfo is None:
            return slow(value)  # naive, a text, or no time zone: DRF's own path
        if value.tzinfo is zone is dt.UTC:
            return value
        if value.tzinfo is not zone:
            try:
                value = value.astimezone(zone)
            except OverflowError:
                return slow(value)  # DRF's own error
        if value.utcoffset().seconds % 60:
            return slow(value)  # local mean time: orjson would round the offset to the minute
        return value

    return render


def _plain(key: str, field, raw: bool, model_field=None):
    to_representation = None if raw or _is_identity(field, model_field) else _representer(field, model_field)
    if to_representation is None:
        # A slug or a primary key of a related record, or a value that is its own representation.
        return itemgetter(key)

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


class _LinkedArray(Expression):
    """``ARRAY(SELECT ...)`` of one column of the records linked to each row, as SQL compiled once.

    The ORM writes it once per plan and database (from the same ``ArraySubquery`` the page used to annotate);
    afterwards only the alias of the row's table is put in. Resolving and compiling a correlated subquery cost
    about 0.5 ms of CPU per request and linked column (controls have five), while its SQL never changes.
    """

    contains_aggregate = False
    contains_over_clause = False

    def __init__(self, before: str, after: str, params: tuple, pk, output_field, alias: str | None = None):
        super().__init__(output_field=output_field)
        self.before, self.after, self.params, self.pk, self.alias = before, after, params, pk, alias

    @classmethod
    def compile_once(cls, model, subquery, connection) -> _LinkedArray | None:
        """From an ``ArraySubquery`` correlated to ``model``'s primary key; None when its SQL cannot be split
        around that one outer reference (then the page annotates the subquery itself)."""
        if model._meta.parents:  # the key lives in a parent table
            return None
        query = model._default_manager.all().annotate(_fast_array=subquery).query
        resolved = query.annotations["_fast_array"]
        sql, params = resolved.as_sql(query.get_compiler(connection=connection), connection)
        quote = connection.ops.quote_name
        parts = sql.split(f"{quote(query.get_initial_alias())}.{quote(model._meta.pk.column)}")
        if len(parts) != 2:
            return None
        return cls(parts[0], parts[1], tuple(params), model._meta.pk, resolved.output_field)

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()  # the row's table in this query
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self):
        return [Col(self.alias, self.pk)]  # correlated on the key alone, as a Subquery groups

    def as_sql(self, compiler, connection):
        outer = f"{compiler.quote_name(self.alias)}.{compiler.quote_name(self.pk.column)}"
        return f"{self.before}{outer}{self.after}", self.params


class FastListPlan:
    def __init__(self, columns: list[_Column], many: list[_Many], order: list[str], model=None):
        self.columns, self.many, self.order, self.model = columns, many, order, model
        self._keys = tuple(dict.fromkeys(key for column in columns for key in column.keys))
        self._array_templates: dict[str, dict] = {}

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
        return cls(columns, many, order, model)

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
        key, model_field = cls._key(model, annotations if not prefix else {}, field)
        if key is None:
            return None
        raw = isinstance(field, relations.SlugRelatedField | relations.PrimaryKeyRelatedField)
        if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is not None:
            return None
        return _Column(name, (prefix + key,), _plain(prefix + key, field, raw, model_field))

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
    def _key(model, annotations, field) -> tuple[str | None, models.Field | None]:
        """The values() key of ``field`` and the model field it reads (None for an annotation)."""
        parts = field.source.split(".")
        if isinstance(field, relations.SlugRelatedField):
            parts = [*parts, field.slug_field]
        elif isinstance(field, relations.RelatedField) and not isinstance(field, relations.PrimaryKeyRelatedField):
            return None, None
        if len(parts) == 1 and parts[0] in annotations:
            return parts[0], None
        current = model
        for i, part in enumerate(parts):
            try:
                model_field = current._meta.get_field(part)
            except FieldDoesNotExist:
                return None, None
            last = i == len(parts) - 1
            if model_field.many_to_many or model_field.one_to_many:
                return None, None
            if last:
                if model_field.is_relation:  # a foreign key given as a primary key
                    if isinstance(field, relations.PrimaryKeyRelatedField):
                        return "__".join(parts[:-1] + [model_field.attname]), None
                    return None, None
                return "__".join(parts), model_field
            if not model_field.is_relation:
                return None, None
            current = model_field.related_model
        return None, None

    def _arrays(self, queryset) -> dict:
        """On PostgreSQL, the linked records' columns as arrays in the page's own query (``ARRAY(SELECT ...)``,
        in the related model's ordering), instead of one more query per many-to-many field. {spec name:
        {alias: subquery}}; specs whose related model has no ordering of its own keep their query.

        Built once per plan and database: ``annotate()`` resolves a copy of each subquery against the page's
        query, so the same unresolved ones serve every request."""
        connection = connections[queryset.db]
        key = (queryset.db, connection.vendor)
        if key not in self._array_templates:
            self._array_templates[key] = self._build_arrays(connection) if connection.vendor == "postgresql" else {}
        return self._array_templates[key]

    def _build_arrays(self, connection) -> dict:
        from django.contrib.postgres.expressions import ArraySubquery

        arrays = {}
        for n, spec in enumerate(self.many):
            ordering = spec.related_model._meta.ordering
            if not ordering or not all(isinstance(name, str) for name in ordering):
                continue
            linked = spec.related_model._default_manager.filter(**{spec.query_name: OuterRef("pk")}).order_by(
                *ordering, "pk"
            )
            arrays[spec.name] = {}
            for m, lookup in enumerate(spec.lookups):
                subquery = ArraySubquery(linked.values(lookup))
                compiled = _LinkedArray.compile_once(self.model, subquery, connection) if self.model else None
                arrays[spec.name][f"_fast_many_{n}_{m}"] = compiled or subquery
        return arrays

    def rows(self, values_rows: list[dict], arrays: dict | None = None) -> list[dict]:
        arrays = arrays or {}
        ids = [row["pk"] for row in values_rows]
        renders = {column.name: column.render for column in self.columns}
        for spec in self.many:
            if spec.name in arrays:
                renders[spec.name] = spec.from_arrays(tuple(arrays[spec.name]))
                continue
            found: dict = {pk: [] for pk in ids}
            pairs = spec.related_model._default_manager.filter(**{f"{spec.query_name}__in": ids}).values_list(
                spec.query_name, *spec.lookups
            )
            for owner, *values in pairs:
                found[owner].append(spec.represent(values))
            renders[spec.name] = lambda row, found=found: found[row["pk"]]
        steps = [(name, renders[name]) for name in self.order]  # the serializer's key order
        # DRF's DateTimeField asks for the current time zone for every value; it is the same for the whole page.
        reset = _TIME_ZONE.set(_page_zone() if settings.USE_TZ else None)
        reset_page = _PAGE.set({})
        try:
            return [{name: render(row) for name, render in steps} for row in values_rows]
        finally:
            _PAGE.reset(reset_page)
            _TIME_ZONE.reset(reset)

    def values(self, queryset, extra=(), arrays: dict | None = None):
        keys = self._keys
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


@lru_cache(maxsize=256)
def _narrowed(filterset_class, names: frozenset):
    """``filterset_class`` with only the filters ``names`` (its __init__, labels and methods unchanged)."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    narrowed.base_filters = {name: f for name, f in filterset_class.base_filters.items() if name in names}
    return narrowed


class _SentFiltersBackend(DjangoFilterBackend):
    def __init__(self, sent: frozenset):
        self.sent = sent

    def get_filterset_class(self, view, queryset=None):
        return _narrowed(super().get_filterset_class(view, queryset), self.sent)


def _applied_by_django_filter(filter_) -> bool:
    """A filter django-filter applies itself: no ``method``, and a ``filter`` of django-filter's own."""
    return getattr(filter_, "method", None) is None and type(filter_).filter.__module__.startswith("django_filters.")


@dataclass
class _FirstPage:
    """The register's default first page being read (``FastListMixin._fast_page``)."""

    shape: tuple  # what decides its SQL (``FastListMixin._first_page_shape``)
    organisation: object  # the request's organisation (its key)
    compiled: CompiledQuery | None = None  # the SQL ``_FirstPageIterable`` ran it with


# Set while a default first page is read.
_FIRST_PAGE: contextvars.ContextVar = contextvars.ContextVar("aims_fast_first_page", default=None)
# (shape, database, slice, order) -> the SQL compiled the first time (None: it could not be)
_FIRST_PAGES: dict = {}
# (shape, database, page size) -> (SQL, ordering) of a default first page read once as a keyset page: later reads
# run that SQL without building the queryset, its scope, filters and slice again (``_compiled_first_page``).
_FIRST_PAGE_ANSWERS: dict = {}


class _FirstPageIterable(ValuesIterable):
    """``values()`` rows as usual; the default first page of a register from its SQL compiled once.

    Building a page's queryset and compiling its SQL (35-odd columns, their joins, an ``ARRAY(SELECT ...)`` per
    linked register) cost about a fifth of an API page, and the default first page is the same query request
    after request but for the organisation. While ``_FIRST_PAGE`` says which page this is, the SQL compiled the
    first time is run again with this organisation in its place (``aims.prepared.CompiledQuery.of``); the key
    also holds what pagination adds (order, slice), so a page that turns out different is compiled on its own."""

    def __iter__(self):
        first_page = _FIRST_PAGE.get()
        if first_page is None:
            yield from super().__iter__()
            return
        shape, organisation = first_page.shape, first_page.organisation
        queryset, query = self.queryset, self.queryset.query
        key = (shape, queryset.db, query.low_mark, query.high_mark, tuple(query.order_by), query.extra_order_by)
        if key not in _FIRST_PAGES:
            try:
                _FIRST_PAGES[key] = CompiledQuery.of(queryset, queryset.db, organisation=organisation)
            except EmptyResultSet:
                _FIRST_PAGES[key] = None
        compiled = _FIRST_PAGES[key]
        if compiled is None:
            yield from super().__iter__()
            return
        first_page.compiled = compiled
        yield from compiled.rows(queryset.db, organisation=organisation)


class FastListMixin:
    """Mixed into a viewset: ``list`` takes the fast path when the serializer allows it."""

    fast_list = True
    renderer_classes = [ORJSONRenderer, *(r for r in api_settings.DEFAULT_RENDERER_CLASSES if r is not JSONRenderer)]

    def _ordering_keys(self, queryset) -> list[str]:
        """Columns the keyset paginator reads from the rows: the first ordering field, when it is a column (an
        ordering by an annotation answers with numbered pages, which read no position)."""
        keys = []
        for name in [*(getattr(self, "ordering_fields", None) or []), *(getattr(self, "ordering", None) or [])]:
            name = name.lstrip("-")
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
            # Not from get_serializer(): the plan lives as long as the class, and through its fields' serializer
            # it kept the first request's context (view, request, user, rows). Writing a row reads no context;
            # only reading input does (the organisation's records), which the plan never does.
            cache[key] = FastListPlan.build(key[0](context={}), queryset)
        return cache[key]

    def _fast_template(self, columns: tuple[str, ...] = ()):
        """``(plan, values() queryset of the register)``, built once per viewset class, serializer and database:
        what ``list`` would build on every request before the request's own scope, search, ordering and page.
        Building the values() of some 35 columns and their joins cost about 1 ms of CPU per request. None when
        the serializer has no plan, or when ``get_queryset`` does more than scope (then ``list`` builds it).
        ``columns``: more model columns to read (an object read reads every column, for its ETag)."""
        if not getattr(type(self).get_queryset, "scopes_only", False):
            return None
        cache = type(self).__dict__.get("_fast_plan_cache")
        if cache is None:
            cache = {}
            type(self)._fast_plan_cache = cache
        base = type(self).queryset
        key = ("template", self.get_serializer_class(), base.db, columns)
        if key not in cache:
            plan = self._fast_plan(base)
            template = None
            if plan is not None:
                extra = dict.fromkeys([*self._ordering_keys(base), *columns])
                template = plan.values(base.all(), tuple(extra), plan._arrays(base))
                template._iterable_class = _FirstPageIterable  # kept by every clone: filter, order, slice
            cache[key] = (plan, template) if template is not None else None
        return cache[key]

    def filter_queryset(self, queryset):
        """The filter backends, without the FilterSet when the request sends none of its filters: binding a
        FilterSet builds its form (deep copies of every filter and form field), which cost a list page (or an
        object read through it) more than its query, to filter nothing. A FilterSet that filters by itself
        (``filter_queryset`` or ``qs`` overridden, e.g. latest versions by default) always runs."""
        sent = self._filters_sent()
        if sent is None or any(
            issubclass(backend, DjangoFilterBackend) and backend is not DjangoFilterBackend
            for backend in self.filter_backends
        ):
            return super().filter_queryset(queryset)  # a FilterSet or a backend of its own: as DRF does
        for backend in self.filter_backends:
            if backend is not DjangoFilterBackend:
                queryset = backend().filter_queryset(self.request, queryset, self)
            elif sent:  # only the filters the request sends: the others would filter nothing
                queryset = _SentFiltersBackend(sent).filter_queryset(self.request, queryset, self)
        return queryset

    def _filters_sent(self) -> frozenset | None:
        """The names of the FilterSet's filters the request sends (empty: none), or None when the whole
        FilterSet must run: it filters by itself (``filter_queryset`` or ``qs`` overridden, e.g. latest versions
        by default) or DRF builds it from ``filterset_fields``. An absent parameter filters nothing (django-filter
        skips empty values), so a FilterSet narrowed to the sent filters gives the same queryset, the same
        validation errors, and does not deep-copy and build a form field for every other filter."""
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None:
            return None if getattr(self, "filterset_fields", None) else frozenset()
        if filterset_class.filter_queryset is not FilterSet.filter_queryset or filterset_class.qs is not FilterSet.qs:
            return None
        if filterset_class._meta.form is not django_forms.Form:
            return None  # a form of its own may check filters together
        # A filter's form may read more than its own name (a range filter reads ``name_min``...): any parameter
        # that starts with a filter's name counts as sent.
        params = tuple(self.request.query_params)
        return frozenset(name for name in filterset_class.base_filters if any(p.startswith(name) for p in params))

    def _filters_fit_values(self) -> bool:
        """True when the FilterSet filters the register's values() queryset as it would the model's: the request
        sends none of its filters, or only filters django-filter applies itself (a lookup on a field, through
        ``filter``/``exclude``/``distinct``), none with a ``method`` of the FilterSet's own (which may annotate
        or group)."""
        sent = self._filters_sent()
        if sent is None:
            return False
        filters = self.filterset_class.base_filters if sent else {}
        return all(_applied_by_django_filter(filters[name]) for name in sent)

    def retrieve(self, request, *args, **kwargs):
        """An object read from the same values() plan as the list (one query with its linked references, the
        serializer's output without building its fields from the model at every request, which cost more than
        the rest of the read). The record's every column is read too and made an instance, so the object
        permission and the ETag see exactly what ``get_object`` would give them."""
        model = type(self).queryset.model if getattr(type(self), "queryset", None) is not None else None
        columns = tuple(field.attname for field in model._meta.concrete_fields) if model is not None else ()
        template = self._fast_template(columns) if self.fast_list and columns else None
        if template is None or not self._filters_fit_values():
            return super().retrieve(request, *args, **kwargs)
        plan, values = template
        # get_object's lookup, scope and filter backends (a search that excludes the record is a 404, as there).
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        queryset = self.filter_queryset(self.scope_queryset(values))
        # A read by primary key: the same plan for every organisation, prepared once per connection.
        row = run_prepared(queryset.db, lambda: generics.get_object_or_404(queryset, **lookup))
        obj = model.from_db(queryset.db, columns, [row[column] for column in columns])
        self.check_object_permissions(request, obj)
        self._etag_object = obj  # aims.api.safety answers its ETag, as after get_object
        return Response(plan.rows([row], plan._arrays(queryset))[0])

    def _plan_fits_every_organisation(self) -> bool:
        """True when the page query may be prepared (``aims.prepared``): the request sends nothing but a keyset
        cursor and a page size, so the page is the default ordering's index read from the organisation's first
        row (every register has an ``(organisation, ordering)`` index), whatever the organisation's size.

        A filter, a search or another ordering may not: PostgreSQL costs a prepared statement's generic plan
        for an average organisation, and one organisation may hold half the rows. Measured: the generic plan
        of AI systems filtered by stage read all 1,427 matching systems of the large organisation and sorted
        them (2.4-6.9 ms), where a plan for that organisation reads the first 51 by reference (0.3 ms)."""
        paginator = self.paginator
        allowed = {getattr(paginator, "cursor_query_param", None), getattr(paginator, "page_size_query_param", None)}
        return set(self.request.query_params) <= allowed - {None}

    def _compiled_first_page(self, request, plan, values, shape) -> Response | None:
        """The default first page from the SQL its first read ran (``_FIRST_PAGE_ANSWERS``), the paginator told
        what it would have read; None until a read of this page size has run as a keyset page."""
        paginator = self.paginator
        page_size = paginator.get_page_size(request)
        found = _FIRST_PAGE_ANSWERS.get((shape, values.db, page_size)) if page_size else None
        if found is None:
            return None
        compiled, ordering = found
        fetched = compiled.rows(values.db, organisation=request.organisation.pk)
        page = paginator.first_page(fetched, request, page_size, ordering)
        return self.get_paginated_response(plan.rows(page, plan._arrays(values)))

    def _first_page_shape(self, request) -> tuple | None:
        """What decides the SQL of this request's page when it is the register's default first page (no cursor,
        filter, search or ordering; a member whose reads are not narrowed to an audit scope): the viewset and its
        serializer, the page size then being in the query's slice. None for any other page."""
        from aims.permissions import reads_whole_organisation  # the permission module reads models: lazily

        paginator = self.paginator
        if paginator is None or not self._plan_fits_every_organisation():
            return None
        if getattr(paginator, "cursor_query_param", None) in request.query_params:
            return None
        organisation = getattr(request, "organisation", None)
        if not reads_whole_organisation(request.user, type(self).queryset.model, organisation):
            return None
        return (type(self), self.get_serializer_class())

    def list(self, request, *args, **kwargs):
        if not self.fast_list:
            return super().list(request, *args, **kwargs)
        # A page read again while the database is unchanged is answered from memory (aims.api.page_cache).
        return page_cache.answer(request, self, type(self).queryset.db, lambda: self._fast_page(request))

    def _fast_page(self, request):
        template = self._fast_template()
        first_page = None
        if template is not None and self._filters_fit_values():
            # Scope, filters, search and ordering filter the values() queryset as they would the model's: the
            # same SQL, without building the values() of some 35 columns and their joins again (~1 ms of CPU).
            plan, values = template
            shape = self._first_page_shape(request)
            if shape is not None:
                answer = self._compiled_first_page(request, plan, values, shape)
                if answer is not None:
                    return answer
                first_page = _FirstPage(shape, request.organisation.pk)
            values = self.filter_queryset(self.scope_queryset(values))
        else:  # a FilterSet may annotate or group: it filters the model's queryset first, as DRF does
            queryset = self.filter_queryset(self.get_queryset())
            plan = self._fast_plan(queryset)
            if plan is None:
                return super().list(request)
            values = plan.values(queryset, self._ordering_keys(queryset), plan._arrays(queryset))
        arrays = plan._arrays(values)

        def fetch():
            page = self.paginate_queryset(values)
            return page, list(page if page is not None else values)

        # The default page has the same shape request after request: PostgreSQL plans it once per connection.
        marked = _FIRST_PAGE.set(first_page) if first_page else None
        try:
            page, fetched = run_prepared(values.db, fetch) if self._plan_fits_every_organisation() else fetch()
        finally:
            if marked is not None:
                _FIRST_PAGE.reset(marked)
        if first_page and first_page.compiled and getattr(self.paginator, "_fallback", True) is None:
            key = (first_page.shape, values.db, self.paginator.page_size)
            _FIRST_PAGE_ANSWERS[key] = (first_page.compiled, self.paginator.ordering)
        rows = plan.rows(fetched, arrays)
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)
