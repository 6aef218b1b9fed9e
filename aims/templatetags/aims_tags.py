"""Small template helpers shared by every app's pages."""

import datetime as dt

from django import forms, template
from django.utils import formats
from django.utils.dateformat import format as format_value
from django.utils.http import urlencode

register = template.Library()


# --- Dates in the reader's format -----------------------------------------------------------------------------
# ``{{ value|aims_date }}`` and ``{{ value|aims_datetime }}`` write a date (or the date of a datetime) and a
# datetime the way the signed-in person chose on their preferences page: ISO 8601 ("2026-03-31 14:05") or as
# usual in their language ("31 Mar 2026, 14:05" / "31. März 2026, 14:05"). Datetimes are first converted to
# their time zone (``expects_localtime``), which the locale middleware activated. Arguments of
# ``aims_datetime``: "seconds" adds the seconds, "tz" the time zone's abbreviation ("seconds tz" both).
# Empty values give "" so ``|default:"…"`` still works.


def _date_pattern() -> str:
    from accounts.locale import LOCALE, current_date_format

    return formats.get_format("DATE_FORMAT") if current_date_format() == LOCALE else "Y-m-d"


@register.filter(expects_localtime=True, is_safe=False)
def aims_date(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    return format_value(value, _date_pattern())


@register.filter(expects_localtime=True, is_safe=False)
def aims_datetime(value, options: str = "") -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return aims_date(value)
    from accounts.locale import LOCALE, current_date_format

    words = set(str(options).split())
    time_part = "H:i:s" if "seconds" in words else "H:i"
    if "tz" in words:
        time_part += " T"
    separator = ", " if current_date_format() == LOCALE else " "
    return format_value(value, _date_pattern() + separator + time_part)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (pagination and sort links keep filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def get_attr(obj, path: str):
    """``row|get_attr:"business_owner.username"``; choices are shown by their label."""
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
    return value


@register.filter
def get_field(form, name: str):
    return form[name]
