import gc

import pytest

from aims.runtime import FIRST_GENERATION_THRESHOLD, settle_after_startup


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_settled_process_hides_what_startup_left_from_the_collector(restored_gc):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    settle_after_startup()
    assert gc.get_freeze_count() > 10_000  # Django, the URL patterns, the models: all loaded by now
    assert gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD


def test_the_wsgi_application_is_settled_when_loaded(restored_gc):
    import importlib

    import aims.wsgi

    gc.unfreeze()
    importlib.reload(aims.wsgi)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == FIRST_GENERATION_THRESHOLD


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize(
    "url", ["/api/v1/risks/", "/api/v1/risks/?page_size=2&ordering=-title", "/api/v1/no-such-register/"]
)
def test_an_api_answer_is_freed_without_the_garbage_collector(org, officer, api_for, collector_off, url, monkeypatch):
    """aims.middleware.ReleaseApiViewMiddleware: the view (with its request, paginator and rows) is freed by
    reference counting once the response is complete, not left in a cycle for the collector's next pass."""
    import weakref

    from rest_framework.views import APIView

    from risk.tests.factories import RiskFactory

    RiskFactory.create_batch(3, organisation=org)
    views, initial = [], APIView.initial

    def spy(self, request, *args, **kwargs):
        views.append(weakref.ref(self))
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", spy)
    response = api_for(officer, org).get(url)
    assert response.status_code == (404 if "no-such" in url else 200)
    assert len(views) == (0 if "no-such" in url else 1)
    assert all(view() is None for view in views)
    if views:
        assert response.json()["results"]  # the answer itself is kept by the response
