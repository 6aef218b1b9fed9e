"""Generated tenant-isolation test: every URL that takes an object, in the UI and the API, for every role.

The test walks the URL resolver, so a new route is covered as soon as it exists. For each route whose
only argument is an object id, it creates an object of another organisation and requests it as each
role of this organisation: the answer must be 404 (or 405 for a method the route never accepts), and
the response must not mention the object. A route whose model has no factory here fails the test, so
nobody can add a route without its isolation being proved.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES

# Routes that take an object id but are proved elsewhere, with the reason.
EXEMPT: dict[str, str] = {}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def object_routes():
    """(url name, model, methods) for every route whose only argument is ``pk``."""
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if set(pattern.pattern.regex.groupindex) != {"pk"} or name.startswith("admin:"):
            continue
        callback = pattern.callback
        model = None
        methods = ["get", "post"]
        if hasattr(callback, "cls"):  # DRF viewset route
            view = callback.cls
            model = getattr(view, "permission_model", None) or view.queryset.model
            methods = list(callback.actions)
        elif hasattr(callback, "view_class"):
            model = getattr(callback.view_class, "model", None)
        else:
            model = getattr(callback, "isolation_model", None)
        routes.append((name, model, methods))
    return routes


def _factory_for(model):
    from accounts.models import ApiToken, Membership
    from registry.tests import factories as registry_factories

    def _membership(organisation):
        from accounts.tests.factories import MembershipFactory

        return MembershipFactory(organisation=organisation)

    def _token(organisation):
        from accounts import services
        from accounts.tests.factories import MembershipFactory

        membership = MembershipFactory(organisation=organisation)
        return services.api_token_create(user=membership.user, organisation=organisation, name="globex-secret-token")[0]

    special = {Membership: _membership, ApiToken: _token}
    if model in special:
        return special[model]
    for value in vars(registry_factories).values():
        factory_model = getattr(getattr(value, "_meta", None), "model", None)
        if factory_model is model:
            return lambda organisation: value(organisation=organisation)
    try:
        from tests import isolation_factories
    except ImportError:
        return None
    return isolation_factories.FACTORIES.get(model)


ROUTES = object_routes()


def test_routes_are_found():
    names = {name for name, _, _ in ROUTES}
    assert "registry:aisystem-detail" in names
    assert "aisystem-detail" in names  # the API's
    assert "accounts:member-role" in names


@pytest.mark.parametrize(("name", "model", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
def test_other_organisations_object_is_404_for_every_role(
    name, model, methods, org, other_org, members, client_for, api_for
):
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    assert model is not None, f"{name}: the view names no model; set `model` or `isolation_model`"
    factory = _factory_for(model)
    assert factory is not None, f"{name}: add a factory for {model.__name__} to prove isolation"
    target = factory(other_org)
    url = reverse(name, kwargs={"pk": target.pk})
    secret = str(getattr(target, "reference", "") or getattr(target, "name", "") or "")
    is_api = url.startswith("/api/")
    tried = 0
    for role in ROLES:
        client = api_for(members[role], org) if is_api else client_for(members[role])
        for method in methods:
            response = getattr(client, method)(url, {} if method != "get" else None)
            tried += 1
            assert response.status_code in (404, 405), f"{role} {method.upper()} {url} → {response.status_code}"
            if secret and response.status_code == 404:
                assert secret not in response.content.decode(errors="ignore"), f"{url} leaks {secret!r}"
    assert tried >= len(ROLES)
