from django import template

from reports.sections import person as _person

register = template.Library()


@register.filter
def person(user) -> str:
    """A member's full name (or username); empty for none."""
    return _person(user)
