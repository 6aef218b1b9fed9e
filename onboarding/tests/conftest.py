import pytest


@pytest.fixture
def catalogue(db):
    """The shipped catalogue (loaded by a data migration; reloaded if a transactional test flushed it)."""
    from controls.catalogue import load_catalogue
    from controls.models import Framework

    if Framework.objects.shipped().count() < 5:
        load_catalogue()
    return {fw.key: fw for fw in Framework.objects.shipped()}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def iso(catalogue):
    from controls.models import Requirement

    return {
        r.identifier: r
        for r in Requirement.objects.filter(framework__key="iso42001", framework__organisation__isnull=True)
    }
