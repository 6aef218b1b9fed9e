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
