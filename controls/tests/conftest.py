"""Catalogue fixtures. The data migration loads the catalogue, but a transactional test elsewhere may
have flushed it; ``catalogue`` loads it again when it is missing (the loader is idempotent)."""

import pytest


@pytest.fixture
def catalogue(db):
    from controls.catalogue import load_catalogue
    from controls.models import Framework

    if Framework.objects.shipped().count() < 5:
        load_catalogue()
    return {fw.key: fw for fw in Framework.objects.shipped()}


@pytest.fixture
def own_framework(org, officer):
    from controls import services

    return services.framework_create(
        actor=officer,
        organisation=org,
        data={"key": "acme-policy", "name": "Acme AI policy", "publisher": "Acme AI"},
    )
