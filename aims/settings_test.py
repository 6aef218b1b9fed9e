"""Test override: the same settings, with fast hashing and in-process email."""

import os

os.environ.setdefault("AIMS_TESTING", "1")

from aims.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405
