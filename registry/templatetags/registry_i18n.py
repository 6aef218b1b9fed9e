"""Template helpers of the inventory pages for text in more than one language."""

from django import template

from registry.constants import inline_label

register = template.Library()


@register.filter(name="inline_label")
def inline_label_filter(label) -> str:
    """A choice label inside a sentence (see ``registry.constants.inline_label``)."""
    return inline_label(label)
