"""Filters on the governance registers, without side effects."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from aims.models import OrganisationQuerySet
from governance.constants import OPEN_OBJECTIVE_STATUSES, QUALIFYING_RESULTS


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


class RoleAssignmentQuerySet(OrganisationQuerySet):
    def active(self, today: dt.date | None = None):
        """Assignments in force on ``today``: started, and not ended before it."""
        day = _today(today)
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))


class ObjectiveQuerySet(OrganisationQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_OBJECTIVE_STATUSES)

    def overdue(self, today: dt.date | None = None):
        """Open objectives whose deadline has passed."""
        return self.open().filter(deadline__lt=_today(today))


class TrainingRecordQuerySet(OrganisationQuerySet):
    def qualifying(self):
        """Records that give the course's competences (passed or attended, not failed)."""
        return self.filter(result__in=QUALIFYING_RESULTS)

    def valid(self, today: dt.date | None = None):
        """Qualifying records that have not expired on ``today``."""
        day = _today(today)
        return self.qualifying().filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))

    def expired(self, today: dt.date | None = None):
        return self.filter(expires_on__lt=_today(today))


class CommunicationQuerySet(OrganisationQuerySet):
    def overdue(self, today: dt.date | None = None):
        return self.filter(next_due__lt=_today(today))
