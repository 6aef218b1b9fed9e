"""The EU AI Act Art. 73 reporting clock, counted in the organisation's time zone.

Art. 73 gives the provider of a high-risk AI system a number of days after it becomes aware of a serious
incident: 15 in general, 10 where a person's death may be involved, 2 for a widespread infringement or a
serious disruption of critical infrastructure. Periods in days are counted as EU law counts them (Regulation
No 1182/71, Art. 3): the day of the event does not count, and the period ends with the last hour of its last
day. So a limit of N days after awareness on day D ends at midnight at the end of day D + N, *local time* of
the organisation. Counting in UTC would put the end an hour early or late whenever a daylight-saving change
falls inside the period, and a day off for awareness near midnight.

The clock does not extend a period ending on a weekend or public holiday (which the regulation allows):
reporting before the computed deadline is always in time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.constants import REPORTING_DAYS


def organisation_zone(organisation) -> ZoneInfo:
    return ZoneInfo(getattr(organisation, "time_zone", None) or "UTC")


def reporting_deadline(aware_at: dt.datetime, category: str, zone: ZoneInfo) -> dt.datetime:
    """The instant the Art. 73 period for ``category`` ends, for awareness at ``aware_at`` (aware datetime)."""
    days = REPORTING_DAYS[category]
    aware_day = aware_at.astimezone(zone).date()
    end_day = aware_day + dt.timedelta(days=days + 1)  # midnight starting the day after the last day
    # Midnight exists in every IANA zone in use here; ``fold=0`` takes the first occurrence if it repeats.
    return dt.datetime.combine(end_day, dt.time(0, 0), tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class Clock:
    """How a reporting deadline stands at ``now``."""

    deadline: dt.datetime
    now: dt.datetime
    zone: ZoneInfo

    @property
    def remaining(self) -> dt.timedelta:
        return self.deadline - self.now

    @property
    def overdue(self) -> bool:
        return self.remaining.total_seconds() < 0

    @property
    def local_deadline(self) -> dt.datetime:
        return self.deadline.astimezone(self.zone)

    @property
    def last_minute(self) -> dt.datetime:
        """23:59 local time on the last day, as the deadline is read."""
        return self.local_deadline - dt.timedelta(minutes=1)

    @property
    def last_day(self) -> dt.date:
        """The last day of the period (the deadline is the end of it)."""
        return (self.local_deadline - dt.timedelta(microseconds=1)).date()

    @property
    def text(self) -> str:
        """ "3 days 4 hours left", "5 hours left", "overdue by 2 days 1 hour"."""
        seconds = abs(int(self.remaining.total_seconds()))
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts = []
        if days:
            parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
        if hours:
            parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
        if not days and not hours:
            parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
        span = " ".join(parts)
        if self.overdue:
            return _("overdue by %(span)s") % {"span": span}
        return _("%(span)s left") % {"span": span}

    @property
    def urgency(self) -> str:
        """overdue, urgent (under 48 hours), soon (under 5 days) or ok, for colouring."""
        hours = self.remaining.total_seconds() / 3600
        if hours < 0:
            return "overdue"
        if hours < 48:
            return "urgent"
        if hours < 120:
            return "soon"
        return "ok"


def clock_for(incident, organisation, now: dt.datetime | None = None) -> Clock | None:
    """The running clock of an incident whose deadline is set and not yet reported; None otherwise."""
    if incident.reporting_deadline is None or incident.reported_to_authority_at is not None:
        return None
    return Clock(deadline=incident.reporting_deadline, now=now or timezone.now(), zone=organisation_zone(organisation))
