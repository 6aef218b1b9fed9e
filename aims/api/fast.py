"""A fast path for the API lists of the large registers: ``values()`` rows, not model instances.

``FastListMixin`` answers a list (and an object read) from the serializer's ``FastListPlan``
(``aims.api.list_plan``) when it has one; filters run on the ``values()`` queryset built once per viewset; a
register's default first page runs SQL compiled once. JSON is written by orjson (``aims.api.renderers``).
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from functools import lru_cache

from django import forms as django_forms
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db.models.query import ValuesIterable
from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from aims.api import page_cache
from aims.api.list_plan import FastListPlan
from aims.api.renderers import ORJSONRenderer
from aims.prepared import CompiledQuery, run_prepared


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

    def _class_cache(self) -> dict:
        """Plans and templates of this viewset class (its own dict: a subclass does not share its parent's)."""
        cache = type(self).__dict__.get("_fast_plan_cache")
        if cache is None:
            cache = {}
            type(self)._fast_plan_cache = cache
        return cache

    def _fast_plan(self, queryset):
        cache = self._class_cache()
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
        cache = self._class_cache()
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
