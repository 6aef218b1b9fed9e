"""API pagination: numbered pages for the small registers, keyset (cursor) pages for the large ones.

``StandardPagination`` gives numbered pages (``?page=3``) with a ``count``. An offset page costs the
database every row before it, so a page 99,000 rows deep takes ~100 times as long as page 1.

``KeysetPagination`` (the large registers: AI systems, risks, controls, evidence, findings) answers
without ``page`` with a keyset page: ``next``/``previous`` links carry an opaque ``cursor`` that starts the
next page right after the last row (an index seek, as fast deep in the list as on page 1), and there
is no ``count`` (counting 100,000 rows costs more than the page). A client that sends ``page`` gets the
numbered pages and ``count`` as before. Keyset pages follow the ``ordering`` asked for when its first
field is never empty; an ordering on a field that may be empty (a review date) falls back to numbered
pages, so no row is ever skipped.
"""

from django.core.exceptions import FieldDoesNotExist
from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page size 50 by default; clients may ask for up to 500 with ``page_size``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class KeysetPagination(CursorPagination):
    """Keyset pages by default, numbered pages (with ``count``) when the request has ``page``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "reference"

    page_query_param = "page"

    def _numbered(self, queryset, request, view) -> bool:
        if self.page_query_param in request.query_params:
            return True
        if self.cursor_query_param in request.query_params:
            return False
        return not self._keyset_ordering_ok(queryset, request, view)

    def _keyset_ordering_ok(self, queryset, request, view) -> bool:
        ordering = self.get_ordering(request, queryset, view)
        name = ordering[0].lstrip("-")
        if name in queryset.query.annotations:
            return False
        try:
            field = queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return not field.null and not field.is_relation

    def paginate_queryset(self, queryset, request, view=None):
        self._fallback = None
        if self._numbered(queryset, request, view):
            self._fallback = StandardPagination()
            return self._fallback.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def first_page(self, rows: list, request, page_size: int, ordering: tuple) -> list:
        """What ``paginate_queryset`` gives for a request without cursor or page, from ``rows``: the first
        ``page_size + 1`` rows of the list in ``ordering``, read already (``aims.api.fast``, the default page).
        DRF's forward branch for a first page, which reads the extra row only to know whether a next page exists."""
        self._fallback = None
        self.request, self.page_size, self.ordering, self.cursor = request, page_size, ordering, None
        self.base_url = request.build_absolute_uri()
        self.page = list(rows[:page_size])
        self.has_previous = False
        self.has_next = len(rows) > page_size
        if self.has_next:
            self.next_position = self._get_position_from_instance(rows[-1], ordering)
        if self.has_next and self.template is not None:
            self.display_page_controls = True
        return self.page

    def get_paginated_response(self, data):
        if self._fallback is not None:
            return self._fallback.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": "Only on numbered pages (when the request has `page`).",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page: a keyset `cursor` link, or `page=` on numbered pages.",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number: numbered pages with `count` instead of keyset pages "
                "(slower deep in a large register).",
                "schema": {"type": "integer"},
            }
        )
        return params
