from django import template

from reports.sections import person as _person

register = template.Library()


@register.filter
def person(user) -> str:
    """A member's full name (or username); empty for none."""
    return _person(user)


@register.filter
def page_of(page_numbers, anchor) -> str:
    """The page number of ``anchor`` in a document laid out part by part (``aims.pdf.render_document``)."""
    try:
        return str(page_numbers[anchor])
    except KeyError:
        return ""
