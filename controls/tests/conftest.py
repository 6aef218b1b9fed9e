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


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Evidence files of a test go to a folder of its own, removed with the test's temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def annex_a(catalogue):
    """The shipped ISO/IEC 42001 requirements by identifier."""
    from controls.models import Requirement

    return {
        r.identifier: r
        for r in Requirement.objects.filter(framework__key="iso42001", framework__organisation__isnull=True)
    }


@pytest.fixture
def soa(catalogue, org, officer):
    from controls import services

    return services.soa_ensure(organisation=org, actor=officer)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a1d70000000049454e44ae426082"
)
