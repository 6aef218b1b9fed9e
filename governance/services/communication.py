"""The communication plan (ISO/IEC 42001 clause 7.4): lines of the plan and when each was last done."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.services import ServiceError, delete_with_history, save_with_history, split_fields
from governance.constants import FREQUENCY_MONTHS
from governance.models import Communication
from governance.services.common import add_months, create_referenced, reason_text, update_referenced

COMMUNICATION_MEMBER_FIELDS = ("owner",)


def communication_next_due(frequency: str, last_done: dt.date | None) -> dt.date | None:
    """The next time a recurring communication is due: the last time plus its interval (None if not recurring
    or never done)."""
    months = FREQUENCY_MONTHS.get(frequency)
    if months is None or last_done is None:
        return None
    return add_months(last_done, months)


def _next_due(data: dict, *, frequency, last_done, given) -> dt.date | None:
    if last_done is not None and last_done > timezone.localdate():
        raise ServiceError(_("The last time cannot be in the future."), field="last_done")
    return given if given is not None else communication_next_due(frequency, last_done)


@transaction.atomic
def communication_create(*, actor, organisation, data: dict) -> Communication:
    """Add a line to the communication plan: what, to whom, when, how often, by whom and how (clause 7.4)."""
    plain, _m2m = split_fields(Communication, data)
    next_due = _next_due(
        data, frequency=plain.get("frequency"), last_done=plain.get("last_done"), given=plain.get("next_due")
    )
    return create_referenced(
        Communication,
        actor=actor,
        organisation=organisation,
        data={**data, "next_due": next_due},
        reason="Planned",
        member_fields=COMMUNICATION_MEMBER_FIELDS,
    )


@transaction.atomic
def communication_update(*, actor, communication: Communication, data: dict, reason: str = "Edited") -> Communication:
    """Edit a line of the plan. An empty next date, or one left as it was while the last time or the frequency
    changed, follows from the last time and how often."""
    frequency = data.get("frequency", communication.frequency)
    last_done = data.get("last_done", communication.last_done)
    given = data.get("next_due", communication.next_due)
    rescheduled = (frequency, last_done) != (communication.frequency, communication.last_done)
    if rescheduled and given == communication.next_due:
        given = None
    next_due = _next_due(data, frequency=frequency, last_done=last_done, given=given)
    return update_referenced(
        communication,
        actor=actor,
        data={**data, "next_due": next_due},
        reason=reason,
        member_fields=COMMUNICATION_MEMBER_FIELDS,
    )


@transaction.atomic
def communication_mark_done(
    *, actor, communication: Communication, done_on: dt.date | None = None, note: str = ""
) -> Communication:
    """Record that the communication went out on ``done_on`` (today by default); the next one is scheduled."""
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ServiceError(_("It cannot have been done in the future."), field="done_on")
    communication.last_done = done_on
    communication.next_due = communication_next_due(communication.frequency, done_on)
    text = f"Done on {done_on:%Y-%m-%d}" + (f": {note.strip()}" if note.strip() else "")
    save_with_history(
        communication,
        actor=actor,
        reason=reason_text(text),
        update_fields=["last_done", "next_due", "updated_at"],
    )
    return communication


@transaction.atomic
def communication_delete(*, actor, communication: Communication) -> None:
    delete_with_history(communication, actor=actor, reason="Deleted")
