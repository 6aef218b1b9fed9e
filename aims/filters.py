"""FilterSet pieces shared by every register (the same FilterSet serves the page and the API)."""

import contextlib

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ANY = _("Any")
# A record filter (AI system, control...) lists at most this many records in its drop-down: rendering
# 10,000 options took 2.5 s of a 2.7 s risk list page. The selected record is always kept in the list.
MAX_OPTIONS = 200


class _Bounded:
    def optgroups(self, name, value, attrs=None):
        choices, wanted = self.choices, {str(v) for v in value if v not in ("", None)}
        queryset = getattr(choices, "queryset", None)
        if queryset is None:  # plain choices: nothing to bound
            return super().optgroups(name, value, attrs)
        field = choices.field
        # A sliced query, not the iterator: on PostgreSQL the iterator's server-side cursor reads every row.
        kept = [("", field.empty_label)] if field.empty_label is not None else []
        kept += [choices.choice(obj) for obj in queryset[:MAX_OPTIONS]]
        seen = {str(getattr(v, "value", v)) for v, _ in kept}
        missing = wanted - seen
        if missing:
            with contextlib.suppress(ValueError, TypeError, ValidationError):
                kept += [choices.choice(obj) for obj in queryset.filter(pk__in=missing)]
        original = self.choices
        self.choices = kept
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = original


class BoundedSelect(_Bounded, forms.Select):
    pass


class BoundedSelectMultiple(_Bounded, forms.SelectMultiple):
    pass


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default says "Unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", ANY), ("true", _("Yes")), ("false", _("No"))]))
        super().__init__(*args, **kwargs)


class OrganisationFilterSet(django_filters.FilterSet):
    """Labels empty choices "Any" so filter bars read naturally, and searches ``search_fields`` with ``q``."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
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
            if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
                filter_.extra.setdefault("widget", BoundedSelectMultiple)
            elif isinstance(filter_, django_filters.ModelChoiceFilter):
                filter_.extra.setdefault("widget", BoundedSelect)
