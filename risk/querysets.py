"""Filters on the risk registers, without side effects."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from aims.models import OrganisationQuerySet
from risk.constants import LEVEL_ORDER, OPEN_ACTION_STATUSES, RiskStatus


def level_rank_expression(field: str):
    """SQL ranking of a level field (0 = not scored, 1 = low ... 4 = critical), for sorting."""
    return Case(
        *[When(**{field: level}, then=Value(rank + 1)) for rank, level in enumerate(LEVEL_ORDER)],
        default=Value(0),
        output_field=IntegerField(),
    )


def current_level_q(level: str) -> Q:
    """The current level is the residual one once scored, otherwise the inherent one."""
    return Q(residual_level=level) | (Q(residual_level="") & Q(inherent_level=level))


class RiskQuerySet(OrganisationQuerySet):
    def open(self):
        return self.exclude(status=RiskStatus.CLOSED)

    def with_ranks(self):
        return self.annotate(
            inherent_rank=level_rank_expression("inherent_level"),
            residual_rank=level_rank_expression("residual_level"),
        )

    def at_level(self, level: str):
        return self.filter(current_level_q(level))

    def overdue(self, today=None):
        """Open risks whose review date has passed or that have an open treatment action past its due date."""
        from risk.models import TreatmentAction

        today = today or timezone.localdate()
        late_action = TreatmentAction.objects.filter(
            risk=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, due_date__lt=today
        )
        return self.open().filter(Q(next_review__lt=today) | Exists(late_action))


class TreatmentActionQuerySet(OrganisationQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())
