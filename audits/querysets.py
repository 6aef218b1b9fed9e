"""Filters of the audits registers, without side effects."""

import datetime as dt

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from aims.models import OrganisationQuerySet
from audits.constants import (
    OPEN_ACTION_STATUSES,
    OPEN_INCIDENT_STATUSES,
    SEVERITY_ORDER,
    AuditStatus,
    NCStatus,
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def severity_rank_expression(field: str = "severity"):
    """SQL ranking of a severity (1 = low ... 4 = critical), for sorting the incident list."""
    return Case(
        *[When(**{field: value}, then=Value(rank + 1)) for rank, value in enumerate(SEVERITY_ORDER)],
        default=Value(0),
        output_field=IntegerField(),
    )


class AuditQuerySet(OrganisationQuerySet):
    def open(self):
        return self.exclude(status=AuditStatus.CLOSED)


class NonconformityQuerySet(OrganisationQuerySet):
    def open(self):
        return self.exclude(status=NCStatus.CLOSED)


class ActionQuerySet(OrganisationQuerySet):
    """Corrective actions and management-review actions: open and overdue ones."""

    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due_date__lt=_today(today))

    def for_owner_or_all(self, user, *, sees_all: bool):
        """Officers see every action; everyone else the ones they own."""
        return self if sees_all else self.filter(owner=user)


class IncidentQuerySet(OrganisationQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_INCIDENT_STATUSES)

    def reportable(self):
        """Serious incidents whose reporting clock runs (a deadline was set) and not yet reported."""
        return self.filter(reporting_deadline__isnull=False, reported_to_authority_at__isnull=True)

    def with_severity_rank(self):
        return self.annotate(severity_rank=severity_rank_expression())

    def open_first(self):
        """Open incidents first, the most severe first, then the nearest reporting deadline."""
        return self.with_severity_rank().annotate(
            open_rank=Case(
                When(Q(status__in=OPEN_INCIDENT_STATUSES), then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )


class KPIQuerySet(OrganisationQuerySet):
    def active(self):
        return self.filter(is_active=True)
