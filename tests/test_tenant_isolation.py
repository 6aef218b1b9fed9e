"""Generated tenant-isolation matrix: every URL that takes an object, in the UI and the API, for every role.

The routes come from two places, so a new one is covered as soon as it exists:

- the URL resolver: every pattern with an argument (``pk``, a second object id, a slug, an external id);
- the OpenAPI schema: every operation with a path parameter must resolve to a route the matrix tried, with
  its method — an API route missing from the matrix fails ``test_every_schema_operation_is_in_the_matrix``.

For each route an object of *another* organisation is created (``_factory_for``: the registry factories and
``tests/isolation_factories.py``) and requested by each role of this organisation with every method the route
accepts. The answer must be 404 (405 for a method the route never accepts) and must leak nothing: no name,
title or reference of the object, nor the other organisation's name; an API 404 is byte-for-byte the answer
for an id that does not exist at all, so it cannot even reveal a count or that the object exists. A route
whose model has no factory fails, so nobody can add a route without its isolation being proved.

The number of requests tried is printed at the end of the run (``conftest.pytest_terminal_summary``).
"""

import re
import uuid

import factory as factory_boy
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from conftest import ROLES

# Routes with an argument that is not an object of an organisation, with the reason.
EXEMPT: dict[str, str] = {
    "password_reset_confirm": "a signed token for one user, not an organisation's object",
    "registry:import-template": "the argument names a register (a fixed list), not a record",
    "import": "the argument names a register (a fixed list); the import itself is tenant-scoped by the token",
    "modelversion-by-external-id": "an upsert keyed inside the caller's organisation: another organisation's "
    "external id creates a record of the caller's own (registry/tests/test_api_data.py proves it)",
    "accounts:invitation-accept": "a random single-use token emailed to an external auditor (stored only as a "
    "hash): whoever holds it may accept, by design; a used, expired or unknown token is 404 "
    "(tests/test_external_auditors.py)",
    "trust:concern-status": "a random status token handed to whoever reported a concern (stored only as a hash): "
    "the reporter needs no account, by design; a guessed token is 404 (trust/tests/test_trust.py)",
    "oscal-document": "the argument names a document kind (a fixed list); the record it covers comes from the "
    "query string through visible_to (integrations/tests/test_oscal.py: another organisation's audit is 404)",
    "integrations:oscal-download": "the argument names a document kind (a fixed list); the record comes from the "
    "query string through visible_to, the same lookup as the API's oscal-document",
}
# Public by design: a visitor (signed in or not, of any organisation) opens them with an organisation's public
# address, so a *published* object is meant to be seen by everyone. The matrix still tries each with the other
# organisation's object in its not-public state (a trust page not yet published; an organisation without single
# sign-on), which must answer 404 for every role like any other organisation's object: a public address reveals
# only what its organisation chose to publish. route -> (model label of the object the argument names, reason).
PUBLIC_BY_DESIGN: dict[str, tuple[str, str]] = {
    "trust:public": ("trust.trustpage", "the organisation's public trust page, once published"),
    "trust:public-json": ("trust.trustpage", "the same trust page as JSON, once published"),
    "trust:certificate": ("trust.trustpage", "the certificate the published page chose to offer"),
    "trust:concern": ("trust.trustpage", "the public concern form of a published page"),
    "trust:concern-thanks": ("trust.trustpage", "the receipt after the public concern form"),
    "accounts:sso-start": ("accounts.organisation", "starts sign-in with the organisation's enabled provider"),
}
# Routes whose object is not the model their permission names.
ROUTE_MODELS = {"gap-analysis-detail": "controls.framework", "accounts:switch": "accounts.organisation"}
# Arguments besides ``pk`` whose value must name another organisation's record: name -> (model label,
# attribute of the created object). The created object is that of the route's own model unless given here.
SECONDARY = {
    "usage_pk": ("registry.datasetusage", "pk"),
    "metric_pk": ("registry.modelmetric", "pk"),
}
# Arguments that identify the route's object by another attribute than its id.
ATTRIBUTE_KWARGS = {"external_id": "external_id", "key": "key", "slug": "slug"}

LEAK_ATTRIBUTES = ("reference", "name", "title", "external_id", "key")


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _model_of(callback):
    if hasattr(callback, "cls"):  # DRF route
        view = callback.cls
        model = getattr(view, "permission_model", None)
        if isinstance(model, property) or model is None:
            queryset = getattr(view, "queryset", None)
            model = queryset.model if queryset is not None else None
        return model
    if hasattr(callback, "view_class"):
        return getattr(callback.view_class, "isolation_model", None) or getattr(callback.view_class, "model", None)
    return getattr(callback, "isolation_model", None)


def _methods_of(callback) -> list[str]:
    if hasattr(callback, "actions"):  # a viewset route: exactly the methods it maps
        return sorted(callback.actions)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        allowed = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
        if view_class.__module__.startswith("rest_framework") or hasattr(view_class, "get_serializer"):
            return allowed
        return [m for m in allowed if m in ("get", "post")] or ["get", "post"]
    return ["get", "post"]


def object_routes():
    """(url name, model, methods, argument names) for every route that takes an argument."""
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        arguments = set(pattern.pattern.regex.groupindex)
        if not arguments or name.startswith("admin:"):
            continue
        routes.append((name, _model_of(pattern.callback), _methods_of(pattern.callback), tuple(sorted(arguments))))
    return routes


def _factory_for(model):
    from accounts.models import ApiToken, Membership, Organisation
    from registry.tests import factories as registry_factories

    def _membership(organisation):
        from accounts.tests.factories import MembershipFactory

        return MembershipFactory(organisation=organisation)

    def _token(organisation):
        from accounts import services
        from accounts.tests.factories import MembershipFactory

        membership = MembershipFactory(organisation=organisation)
        return services.api_token_create(user=membership.user, organisation=organisation, name="globex-secret-token")[0]

    special = {Membership: _membership, ApiToken: _token, Organisation: lambda organisation: organisation}
    if model in special:
        return special[model]
    for value in vars(registry_factories).values():
        # Only factories: the module also imports the model classes, whose ``_meta.model`` is themselves (calling
        # one builds an unsaved instance, which would answer 404 for the wrong reason).
        if not (isinstance(value, type) and issubclass(value, factory_boy.Factory)):
            continue
        if value._meta.model is model:
            return lambda organisation, factory=value: factory(organisation=organisation)
    try:
        from tests import isolation_factories
    except ImportError:
        return None
    return isolation_factories.FACTORIES.get(model)


def _secondary_object(label, primary, organisation):
    """An object of ``label`` belonging to ``primary`` (another organisation's dataset usage, model metric)."""
    from django.apps import apps

    from registry.tests import factories as f

    model = apps.get_model(label)
    if label == "registry.datasetusage":
        return f.DatasetUsageFactory(dataset=primary, ai_system=f.AISystemFactory(organisation=organisation))
    if label == "registry.modelmetric":
        return f.ModelMetricFactory(model_version=primary)
    factory = _factory_for(model)
    assert factory is not None, f"add a factory for {label}"
    return factory(organisation)


ROUTES = [route for route in object_routes() if route[0] not in EXEMPT]


def _kwargs_for(name, target, arguments, organisation) -> dict:
    kwargs = {}
    for argument in arguments:
        if argument == "pk":
            kwargs["pk"] = target.pk
        elif argument in SECONDARY:
            label, attribute = SECONDARY[argument]
            kwargs[argument] = getattr(_secondary_object(label, target, organisation), attribute)
        elif argument in ATTRIBUTE_KWARGS:
            value = getattr(target, ATTRIBUTE_KWARGS[argument], None)
            assert value, f"{name}: the object has no {argument} to request"
            kwargs[argument] = value
        else:
            pytest.fail(f"{name}: the matrix does not know how to fill <{argument}>; add it to SECONDARY or EXEMPT")
    return kwargs


def _secrets(target, other_org) -> list[str]:
    values = [str(getattr(target, attribute, "") or "") for attribute in LEAK_ATTRIBUTES]
    values.append(other_org.name)
    return [v for v in values if len(v) >= 4]


def test_routes_are_found():
    names = {name for name, *_ in ROUTES}
    assert "registry:aisystem-detail" in names
    assert "aisystem-detail" in names  # the API's
    assert "accounts:member-role" in names
    assert "registry:dataset-usage-remove" in names  # two object arguments
    assert len(ROUTES) > 100


def _schema_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method


def test_every_schema_operation_is_in_the_matrix(record_property):
    """Every API operation of the OpenAPI schema that takes a path parameter resolves to a route of the matrix,
    with its method: the schema cannot document an object route the matrix does not try."""
    tried = {name: set(methods) for name, _, methods, _ in ROUTES}
    checked = 0
    missing = []
    for path, method in _schema_operations():
        concrete = re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if m.group(0) == "{id}" else "x-1", path)
        match = resolve(concrete)
        name = f"{':'.join(match.namespaces)}:{match.url_name}" if match.namespaces else match.url_name
        if name in EXEMPT:
            continue
        checked += 1
        if method not in tried.get(name, set()):
            missing.append(f"{method.upper()} {path} ({name})")
    record_property("isolation_schema_operations", checked)
    assert checked > 100
    assert not missing, "schema operations the isolation matrix does not try: " + ", ".join(missing)


@pytest.mark.parametrize(("name", "model", "methods", "arguments"), ROUTES, ids=[r[0] for r in ROUTES])
def test_other_organisations_object_is_404_for_every_role(
    name, model, methods, arguments, org, other_org, members, client_for, api_for, record_property
):
    if name in ROUTE_MODELS:
        from django.apps import apps

        model = apps.get_model(ROUTE_MODELS[name])
    if name in PUBLIC_BY_DESIGN:
        from django.apps import apps

        model = apps.get_model(PUBLIC_BY_DESIGN[name][0])
    assert model is not None, f"{name}: the view names no model; set `model`, `permission_model` or `isolation_model`"
    factory = _factory_for(model)
    assert factory is not None, f"{name}: add a factory for {model.__name__} to tests/isolation_factories.py"
    target = factory(other_org)
    assert type(target)._default_manager.filter(pk=target.pk).exists(), f"{name}: the factory did not save"
    kwargs = _kwargs_for(name, target, arguments, other_org)
    url = reverse(name, kwargs=kwargs)
    secrets = _secrets(target, other_org)
    is_api = url.startswith("/api/")
    nowhere = None
    if is_api and "pk" in kwargs:  # the answer for an id that exists nowhere: the 404 must be the same bytes
        nowhere = reverse(name, kwargs={**kwargs, "pk": uuid.uuid4()})
    tried = 0
    for role in ROLES:
        client = api_for(members[role], org) if is_api else client_for(members[role])
        for method in methods:
            body = None if method == "get" else {}
            response = getattr(client, method)(url, body)
            tried += 1
            assert response.status_code in (404, 405), f"{role} {method.upper()} {url} → {response.status_code}"
            content = response.content.decode(errors="ignore")
            for secret in secrets:
                assert secret not in content, f"{role} {method.upper()} {url} leaks {secret!r}"
            if nowhere and response.status_code == 404:
                baseline = getattr(client, method)(nowhere, body)
                assert (baseline.status_code, baseline.content) == (404, response.content), (
                    f"{role} {method.upper()} {url}: the answer differs from that for an id that does not exist"
                )
    record_property("isolation_requests", tried)
    assert tried >= len(ROLES)
