import pytest


@pytest.fixture(autouse=True)
def _reports_dir(settings, tmp_path):
    """Packs of a test go to its own folder."""
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR
