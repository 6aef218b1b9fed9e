"""The API's URLs resolve by their first segment (aims/url_dispatch.py) exactly as Django's resolver does."""

import re
import uuid

import pytest
from django.urls import Resolver404, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from aims.url_dispatch import SegmentResolver, first_segment


def _api_resolvers():
    resolver = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    assert isinstance(resolver, SegmentResolver)
    return resolver, URLResolver(resolver.pattern, resolver.urlconf_name)


def _answer(resolver, path):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return "404"
    return (match.func, match.args, match.kwargs, match.url_name, match.route, match.namespaces)


def _paths() -> list[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ident = str(uuid.uuid4())
    paths = [re.sub(r"\{[^}]+\}", ident, path).removeprefix("/") for path in schema["paths"]]
    # Paths that match nothing, or only after the patterns of another segment.
    return [*paths, "api/v1/", "api/v1/nothing/", "api/v1/findings", "api/v1/findings/x/y/z/", "api/v1/schema/"]


def test_every_api_path_resolves_as_djangos_resolver_does(db):
    ours, djangos = _api_resolvers()
    paths = _paths()
    assert len(paths) > 150
    for path in paths:
        assert _answer(ours, path) == _answer(djangos, path), path
    assert sum(_answer(ours, path) != "404" for path in paths) > 150


@pytest.mark.parametrize(
    ("pattern", "segment"),
    [
        (RegexPattern(r"^findings/$"), "findings"),
        (RegexPattern(r"^findings/(?P<pk>[^/.]+)/close/$"), "findings"),
        (RoutePattern("imports/<slug:register>/"), "imports"),
        (RoutePattern("<slug:register>/import/"), None),
        (RegexPattern(r"^find.ngs/$"), None),
        (RegexPattern(r"^findings$"), None),
        (RoutePattern(""), None),
    ],
)
def test_a_pattern_fixes_a_first_segment_only_when_it_is_literal(pattern, segment):
    assert first_segment(type("P", (), {"pattern": pattern})()) == segment


def _view(name):
    def view(request):
        return name

    view.__name__ = name
    return view


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        # Two patterns of the same segment that both match: the first one, as Django.
        ([(r"^a/(?P<x>[^/]+)/$", "first"), (r"^a/b/$", "second")], "first"),
        # A pattern that fixes no segment, listed first: it still comes first.
        ([("<slug:s>/b/", "any"), (r"^a/b/$", "literal")], "any"),
        ([(r"^a/b/$", "literal"), ("<slug:s>/b/", "any")], "literal"),
    ],
)
def test_patterns_are_tried_in_their_order_within_a_segment(patterns, expected):
    from django.urls import path, re_path

    urls = [(re_path if route.startswith("^") else path)(route, _view(name)) for route, name in patterns]
    resolver = SegmentResolver(RoutePattern("api/", is_endpoint=False), urls)
    assert resolver.resolve("api/a/b/").func.__name__ == expected
    assert _answer(resolver, "api/a/b/") == _answer(URLResolver(resolver.pattern, urls), "api/a/b/")
