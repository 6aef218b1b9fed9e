import datetime as dt

import pytest
from django.utils import timezone


def next_wednesday() -> dt.date:
    """A fixed weekday after the real today, so quiet days (weekends) fall on known offsets."""
    today = timezone.localdate()
    return today + dt.timedelta(days=(2 - today.weekday()) % 7)


@pytest.fixture
def today():
    return next_wednesday()


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Run the daily review job for one organisation and day, delivering the emails it queues on commit."""
    from reviews import services

    def _run(organisation, day, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reviews_run_daily(organisation=organisation, today=day, **kwargs)

    return _run
