import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_fill_delay(settings):
    settings.TRUST_CONCERN_MIN_FILL_SECONDS = 0
