"""Test override: the same settings, with fast hashing and in-process email."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("AIMS_TESTING", "1")


def _redis_url_for_worker(url: str, worker: str) -> str:
    """Give each pytest-xdist worker a Redis database of its own.

    Every test starts with ``cache.clear()`` (FLUSHDB): on a shared database one worker would wipe
    another's throttle counters and cached values in the middle of a test.
    """
    index = int(worker.removeprefix("gw") or 0)
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + index) % 16}"))


_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# A process a test starts (a real Celery worker) inherits PYTEST_XDIST_WORKER and the already rewritten REDIS_URL:
# it must use the same database as its test, not shift it once more (it would listen on another worker's queue).
if _WORKER and os.environ.get("REDIS_URL") and os.environ.get("AIMS_TEST_REDIS_WORKER") != _WORKER:
    os.environ["REDIS_URL"] = _redis_url_for_worker(os.environ["REDIS_URL"], _WORKER)
    os.environ["AIMS_TEST_REDIS_WORKER"] = _WORKER

from aims.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Per worker, so that one process cleaning up its uploads cannot remove another's.
MEDIA_ROOT = DATA_DIR / f"test-media{('-' + _WORKER) if _WORKER else ''}"  # noqa: F405
