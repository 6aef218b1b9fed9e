"""Resolving an API path by its first segment: the patterns tried are those that can match it, not all 200.

Django tries a resolver's patterns in order until one matches. Under ``/api/v1/`` that is some 200 router patterns,
and a request for findings tried a hundred regular expressions (and recorded each failure for the 404 debug page)
before its own: about a tenth of a findings page. ``SegmentResolver`` groups the patterns by the literal first
segment every path they match starts with (``findings`` of ``^findings/$`` or of ``findings/<pk>/``) and tries, in
their order, only the group of the path's first segment and the patterns that say nothing of it (a converter or a
group first). The answer is Django's: the same resolver over fewer patterns, and Django's own resolver, with every
pattern it tried, when none of them matches.
"""

from __future__ import annotations

import re

from django.urls import Resolver404, URLResolver
from django.utils.functional import cached_property

_LITERAL = re.compile(r"[A-Za-z0-9_-]+")


def first_segment(pattern) -> str | None:
    """The literal first path segment of every path ``pattern`` matches, or None when it does not fix one."""
    head, slash, _ = str(pattern.pattern).removeprefix("^").partition("/")
    return head if slash and _LITERAL.fullmatch(head) else None


class SegmentResolver(URLResolver):
    """A ``URLResolver`` (same pattern, patterns, names and reversing) that resolves by the path's first segment."""

    @classmethod
    def of(cls, resolver: URLResolver) -> SegmentResolver:
        """``path(prefix, include(patterns))``, resolving by segment."""
        return cls(
            resolver.pattern, resolver.urlconf_name, resolver.default_kwargs, resolver.app_name, resolver.namespace
        )

    @cached_property
    def _by_segment(self) -> dict[str, URLResolver]:
        patterns = self.url_patterns
        heads = [first_segment(pattern) for pattern in patterns]
        return {
            segment: URLResolver(
                self.pattern,
                [pattern for pattern, head in zip(patterns, heads, strict=True) if head in (segment, None)],
                self.default_kwargs,
                self.app_name,
                self.namespace,
            )
            for segment in {head for head in heads if head}
        }

    def resolve(self, path):
        match = self.pattern.match(str(path))
        if match:
            narrowed = self._by_segment.get(match[0].partition("/")[0])
            if narrowed is not None:
                try:
                    return narrowed.resolve(path)
                except Resolver404:
                    pass  # Django's own answer below, with every pattern it tried
        return super().resolve(path)
