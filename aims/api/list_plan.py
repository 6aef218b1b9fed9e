"""How a serializer's fields are read from ``values()`` rows: the plan of the API list fast path (``aims.api.fast``).

Building 50 model instances and walking a ModelSerializer over them costs several times the query itself.
``FastListPlan`` reads the serializer's fields once and, when every one of them maps to a column (a model
field, a ``source`` path through foreign keys, an annotation, a slug of a related record or a list of
slugs of many-to-many records), answers the page from ``queryset.values(...)`` plus, for linked records, an
array column of the same query (or one query per many-to-many field), calling each field's own
``to_representation`` on the raw value, so the output is the serializer's, byte for byte (tests compare both).
A serializer with any other field (a method field, a nested serializer) has no plan.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Expression, OuterRef
from django.db.models.expressions import Col
from django.utils import timezone
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings


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


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def _page_zone():
    """The current time zone; UTC as ``datetime.timezone.utc``, the zone the database's datetimes come in, so
    that they need no conversion (``_in_page_zone``)."""
    zone = timezone.get_current_timezone()
    return dt.UTC if getattr(zone, "key", None) in _UTC_NAMES else zone


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
