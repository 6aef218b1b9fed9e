"""Issue 9: the values() fast paths (API lists in aims/api/fast.py, exports in aims/exports.py) give exactly what
the instance paths give, in a number of queries that does not grow with the rows. Nothing here is timed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.middleware import SESSION_KEY
from accounts.models import Organisation
from aims import exports
from risk.models import Risk
from tests.scale_seed import seed_scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale(db):
    return seed_scale()


@pytest.fixture
def web(scale, client):
    user, org = scale
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(org.pk)
    session.save()
    return client


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_risk_export_values_path_writes_the_same_file_as_the_instances(scale, web, fmt, monkeypatch):
    _, org = scale
    # Blank and missing values, a formula-looking title and a risk with no system: the cells that differ most.
    Risk.objects.filter(organisation=org, reference="RSK-000002").update(title="=1+1", owner=None, next_review=None)
    Risk.objects.get(organisation=org, reference="RSK-000003").ai_systems.clear()
    url = f"/risks/?export={fmt}&sort=-title"
    fast = _download(web, url)
    monkeypatch.setattr(exports.ValuesExport, "build", classmethod(lambda cls, queryset, fields: None))
    slow = _download(web, url)
    assert fast == slow
    assert b"RSK-000002" in fast and fast.count(b"AIS-") > 50
    assert (b"'=1+1" if fmt == "csv" else b'"=1+1"') in fast  # formulas are neutralised in spreadsheets only


def test_export_values_path_reads_a_fixed_number_of_queries(scale, web):
    _, org = scale
    with CaptureQueriesContext(connection) as ctx:
        one = _download(web, "/risks/?export=csv&q=RSK-000001")
    with CaptureQueriesContext(connection) as ctx_all:
        every = _download(web, "/risks/?export=csv")
    assert one.count(b"\n") == 2
    assert every.count(b"\n") == Risk.objects.filter(organisation=org).count() + 1
    assert len(ctx_all.captured_queries) == len(ctx.captured_queries)


def test_export_values_path_is_only_taken_for_columns_it_can_read():
    from risk.views import ACTION_EXPORT, RISK_EXPORT

    risks = Risk.objects.all()
    assert exports.ValuesExport.build(risks, RISK_EXPORT) is not None
    assert exports.ValuesExport.build(risks, [*RISK_EXPORT, ("Odd", lambda r: r.pk)]) is None  # a callable
    assert exports.ValuesExport.build(risks, [("Owner", "owner")]) is None  # a record, written as its str()
    assert exports.ValuesExport.build(risks, [("Nope", "not_a_field")]) is None  # a property or a typo
    assert exports.ValuesExport.build(list(risks), RISK_EXPORT) is None  # not a queryset
    from risk.models import TreatmentAction

    assert exports.ValuesExport.build(TreatmentAction.objects.all(), ACTION_EXPORT) is not None


def test_resolve_follows_a_many_to_many_path(scale):
    _, org = scale
    risk = Risk.objects.filter(organisation=org, ai_systems__isnull=False).first()
    expected = ", ".join(s.reference for s in risk.ai_systems.all())
    assert exports.resolve(risk, "ai_systems.reference") == expected != ""


@pytest.fixture
def api(scale, api_for):
    user, org = scale
    return api_for(user, org)


def test_the_fast_path_now_covers_evidence_and_findings_too(scale):
    from aims.api.list_plan import FastListPlan
    from audits.api.views import FindingViewSet
    from controls.api.evidence import EvidenceViewSet

    for viewset in (EvidenceViewSet, FindingViewSet):
        serializer = viewset.serializer_class(context={"request": None})
        assert FastListPlan.build(serializer, viewset.queryset) is not None, viewset


@pytest.mark.parametrize(
    "url", ["/api/v1/evidence/", "/api/v1/findings/", "/api/v1/controls/", "/api/v1/evidence/?ordering=-title"]
)
def test_fast_path_output_matches_the_serializer_with_empty_links_and_nested_records(scale, api, url, monkeypatch):
    from aims.api.fast import FastListMixin
    from audits.models import Finding
    from controls.models import Evidence

    _, org = scale
    # Evidence without a file (nested revision null) and a finding without a requirement or nonconformity.
    first = Evidence.objects.filter(organisation=org).order_by("reference").first()
    Evidence.objects.filter(pk=first.pk).update(current_revision=None, url="")
    last = Finding.objects.filter(organisation=org).order_by("-raised_on", "-reference").first()
    Finding.objects.filter(pk=last.pk).update(requirement=None)
    fast = api.get(url, {"page_size": 100}).content
    monkeypatch.setattr(FastListMixin, "fast_list", False)
    slow = api.get(url, {"page_size": 100}).content
    assert fast == slow and b'"results":[{' in fast


def test_a_list_without_filters_skips_binding_the_filterset_and_one_with_filters_applies_it(scale, api, monkeypatch):
    import django_filters

    bound = []
    original = django_filters.FilterSet.__init__

    def spy(self, *args, **kwargs):
        bound.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(django_filters.FilterSet, "__init__", spy)
    everything = api.get("/api/v1/risks/", {"page_size": 500, "page": 1}).json()
    assert bound == [] and everything["count"] == 60
    assessed = api.get("/api/v1/risks/", {"status": "assessed", "page_size": 500, "page": 1}).json()
    assert bound == ["RiskFilterSet"]
    assert 0 < assessed["count"] < 60 and {row["status"] for row in assessed["results"]} == {"assessed"}
    bad = api.get("/api/v1/risks/", {"owner": "not-a-member"})
    assert bad.status_code == 400  # a filter that is sent is still validated


def test_orjson_renderer_writes_lazy_translations_as_text():
    import json

    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from aims.api.renderers import ORJSONRenderer

    with translation.override("de"):
        label = str(gettext_lazy("Sign out"))
        body = ORJSONRenderer().render({"label": gettext_lazy("Sign out"), "labels": [gettext_lazy("Sign out")]})
        assert json.loads(body) == {"label": label, "labels": [label]}
        keyed = ORJSONRenderer().render({gettext_lazy("Sign out"): 1})  # orjson refuses a lazy key: DRF's JSON
        assert json.loads(keyed) == {label: 1}
    assert label == "Abmelden"


def test_fast_path_turns_a_choice_label_into_text(scale, api, monkeypatch):
    """A choice label (lazy once translated) computed by a fast source reaches the JSON as text, as the
    serializer's own output does."""
    from rest_framework import serializers

    from aims.api.fast import FastListMixin
    from risk.api.serializers import RiskSerializer
    from risk.api.views import RiskViewSet
    from risk.constants import RiskStatus

    class LabelledRiskSerializer(RiskSerializer):
        status_label = serializers.SerializerMethodField()
        fast_sources = {"status_label": (("status",), lambda status: RiskStatus(status).label)}

        class Meta(RiskSerializer.Meta):
            fields = [*RiskSerializer.Meta.fields, "status_label"]

        def get_status_label(self, obj):
            return RiskStatus(obj.status).label

    monkeypatch.setattr(RiskViewSet, "serializer_class", LabelledRiskSerializer)
    fast = api.get("/api/v1/risks/", {"page_size": 20})
    assert fast.status_code == 200
    rows = fast.json()["results"]
    assert {row["status_label"] for row in rows} <= {str(label) for label in RiskStatus.labels}
    assert all(isinstance(row["status_label"], str) and row["status_label"] for row in rows)
    monkeypatch.setattr(FastListMixin, "fast_list", False)
    assert api.get("/api/v1/risks/", {"page_size": 20}).content == fast.content


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"status": "assessed", "ordering": "-title"}, 200),
        ({"level": "high", "owner": "OFFICER", "page_size": 5}, 200),
        ({"overdue": "true", "open": "false"}, 200),
        ({"owner": "not-a-member"}, 400),  # the same message
        ({"likelihood": "abc", "status": "nonsense"}, 400),  # both errors
        ({"q": "RSK-00001", "page": 1}, 200),
    ],
)
def test_a_filtered_list_binds_only_the_sent_filters_and_answers_as_the_whole_filterset(
    scale, api, query, status, monkeypatch
):
    from aims.api.fast import FastListMixin

    officer, _ = scale
    query = {name: officer.pk if value == "OFFICER" else value for name, value in query.items()}
    narrowed = api.get("/api/v1/risks/", query)
    monkeypatch.setattr(FastListMixin, "_filters_sent", lambda self: None)  # DRF's own backend, every filter
    whole = api.get("/api/v1/risks/", query)
    assert narrowed.status_code == whole.status_code == status
    assert narrowed.content == whole.content


def test_a_filterset_of_its_own_making_is_never_narrowed(scale):
    from aims.api.fast import FastListMixin
    from controls.filtersets_work import PolicyFilterSet

    class Viewset(FastListMixin):
        filterset_class = PolicyFilterSet  # filters by itself: latest versions unless asked otherwise
        request = type("Request", (), {"query_params": {"kind": "x"}})()

    assert Viewset()._filters_sent() is None
    Viewset.filterset_class, Viewset.filterset_fields = None, ["kind"]  # DRF builds the FilterSet
    assert Viewset()._filters_sent() is None
    Viewset.filterset_fields = None
    assert Viewset()._filters_sent() == frozenset()


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/controls/", {}),
        ("/api/v1/risks/", {"ordering": "-inherent_rank"}),  # an annotation: numbered pages
        ("/api/v1/evidence/", {"ordering": "-title", "search": "EVD"}),
        # FilterSet filters django-filter applies itself filter the built-once queryset too.
        ("/api/v1/risks/", {"status": "assessed", "ordering": "-title"}),
        ("/api/v1/risks/", {"owner": "OFFICER", "inherent_likelihood": "3"}),
        (
            "/api/v1/ai-systems/",
            {"lifecycle_stage": "deployment", "in_scope": "true", "review_due_before": "2100-01-01"},
        ),
        ("/api/v1/risks/", {"level": "high", "status": "assessed"}),  # a method of the FilterSet: built per request
    ],
)
def test_the_values_queryset_built_once_answers_as_one_built_per_request(scale, api, url, query, monkeypatch):
    from aims.api.fast import FastListMixin

    officer, _ = scale
    query = {name: officer.pk if value == "OFFICER" else value for name, value in query.items()}
    once = api.get(url, {"page_size": 30, **query})
    monkeypatch.setattr(FastListMixin, "_fast_template", lambda self: None)
    each = api.get(url, {"page_size": 30, **query})
    assert once.status_code == 200 and once.content == each.content and once.json()["results"]


@pytest.mark.parametrize(
    ("url", "model_label"),
    [
        ("/api/v1/ai-systems/", "registry.AISystem"),
        ("/api/v1/risks/", "risk.Risk"),
        ("/api/v1/controls/", "controls.Control"),
        ("/api/v1/evidence/", "controls.Evidence"),
        ("/api/v1/findings/", "audits.Finding"),
    ],
)
def test_an_object_read_answers_as_the_serializer_with_the_same_etag(scale, api, url, model_label, monkeypatch):
    from django.apps import apps
    from django.urls import resolve

    from aims.api.fast import FastListMixin
    from audits.models import Finding
    from controls.models import Evidence

    _, org = scale
    model = apps.get_model(model_label)
    # Records with the emptiest links: no revision, no requirement, no linked records at all.
    Evidence.objects.filter(organisation=org).update(current_revision=None, url="")
    Finding.objects.filter(organisation=org).update(requirement=None)
    records = list(model.objects.filter(organisation=org).order_by("reference").values_list("pk", flat=True)[:3])
    other = model.objects.exclude(organisation=org).values_list("pk", flat=True).first()
    paths = [f"{url}{pk}/" for pk in records] + ([f"{url}{other}/"] if other else [])
    paths.append(f"{url}{records[0]}/?search=no-such-words")  # a search the record does not match: 404

    def answers():
        return [(r.status_code, r.content, r.headers.get("ETag")) for r in (api.get(path) for path in paths)]

    fast = answers()
    monkeypatch.setattr(FastListMixin, "fast_list", False)
    assert fast == answers()
    assert [status for status, _, _ in fast[:3]] == [200, 200, 200]
    assert fast[-1][0] == (404 if getattr(resolve(url).func.cls, "search_fields", None) else 200)
    assert all(etag for _, _, etag in fast[:3])
    if other:
        assert fast[3][0] == 404  # another organisation's record


def test_an_object_read_is_one_query_after_authentication(scale, api, django_assert_num_queries):
    from registry.models import AISystem

    _, org = scale
    system = AISystem.objects.filter(organisation=org).order_by("reference").first()
    api.get(f"/api/v1/ai-systems/{system.pk}/")  # the token's once-a-minute mark
    # The token with its membership, then the record; the links are arrays on PostgreSQL, a query each elsewhere.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 4):
        response = api.get(f"/api/v1/ai-systems/{system.pk}/")
    assert response.status_code == 200 and response.json()["reference"] == system.reference


def test_the_built_once_queryset_gives_each_organisation_its_own_filtered_rows(scale, api, api_for, make_member):
    """The values() queryset is built once per viewset, before any organisation: the scope is applied per request,
    so two organisations asking the same filtered list see only their own records."""
    from aims.roles import Role
    from registry.models import AISystem

    _, org = scale
    other = Organisation.objects.exclude(pk=org.pk).get(slug__startswith="scale-")
    AISystem.objects.update(lifecycle_stage="deployment")  # every system of both matches the filter
    apis = {org.pk: api, other.pk: api_for(make_member(other, Role.OFFICER, username="other-officer"), other)}
    for _ in range(2):
        for pk, client in apis.items():
            response = client.get("/api/v1/ai-systems/", {"lifecycle_stage": "deployment", "page_size": 500})
            expected = {str(p) for p in AISystem.objects.filter(organisation_id=pk).values_list("pk", flat=True)}
            assert {row["id"] for row in response.json()["results"]} == expected


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York", "Europe/Amsterdam"])
def test_fast_path_writes_datetimes_in_the_sites_time_zone_as_the_serializer_does(
    scale, api, zone, settings, monkeypatch
):
    """The fast rows leave UUIDs, dates and datetimes to orjson; its text must be DRF's in any zone (the API
    writes in the site's TIME_ZONE), a local mean time offset with seconds included (Amsterdam in 1900:
    +00:19:32, which orjson would round to +00:20)."""
    import datetime as dt

    from aims.api.fast import FastListMixin

    _, org = scale
    settings.TIME_ZONE = zone
    first = Risk.objects.filter(organisation=org).order_by("reference").first()
    Risk.objects.filter(pk=first.pk).update(created_at=dt.datetime(1900, 6, 1, 12, 0, 0, 120, tzinfo=dt.UTC))
    fast = api.get("/api/v1/risks/", {"page_size": 20})
    monkeypatch.setattr(FastListMixin, "fast_list", False)
    slow = api.get("/api/v1/risks/", {"page_size": 20})
    assert fast.status_code == 200 and fast.content == slow.content
    created = fast.json()["results"][0]["created_at"]
    assert (
        created
        == {
            "UTC": "1900-06-01T12:00:00.000120Z",
            "Asia/Kolkata": "1900-06-01T17:21:10.000120+05:21:10",
            "America/New_York": "1900-06-01T07:00:00.000120-05:00",
            "Europe/Amsterdam": "1900-06-01T12:19:32.000120+00:19:32",
        }[zone]
    )
