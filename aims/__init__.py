"""AIMS project package: settings, URL map, Celery app and the small shared base."""

from .celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
