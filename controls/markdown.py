"""Markdown to safe HTML for policy texts: Markdown renders, then nh3 keeps only an allow-list.

Raw HTML in the source is escaped before rendering would be too strict (tables written in HTML are common in
policies), so the Markdown output passes through nh3, which drops every tag, attribute and URL scheme not listed
here: no scripts, styles, event handlers, iframes or ``javascript:`` links survive.
"""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "sane_lists", "def_list", "fenced_code"]


def render_markdown(text: str) -> SafeString:
    """HTML for ``text`` (Markdown), safe to put in a page or a PDF."""
    if not text:
        return mark_safe("")  # noqa: S308 — empty  # nosec B308 B703
    html = md.markdown(text, extensions=EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 — sanitised by nh3 with the allow-list above  # nosec B308 B703
