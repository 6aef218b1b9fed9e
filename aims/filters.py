"""FilterSet pieces shared by every register (the same FilterSet serves the page and the API)."""

import django_filters
from django import forms
from django.db.models import Q

ANY = "Any"


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default says "Unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", ANY), ("true", "Yes"), ("false", "No")]))
        super().__init__(*args, **kwargs)


class OrganisationFilterSet(django_filters.FilterSet):
    """Labels empty choices "Any" so filter bars read naturally, and searches ``search_fields`` with ``q``."""

    q = django_filters.CharFilter(method="search", label="Search")
    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                filter_.extra["empty_label"] = ANY
