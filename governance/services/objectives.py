"""AI objectives (ISO/IEC 42001 clause 6.2): drafting, approval, measurement and closure."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.permissions import can
from aims.services import ServiceError, delete_with_history, save_with_history
from governance.constants import CLOSED_OBJECTIVE_STATUSES, ObjectiveStatus
from governance.models import Objective
from governance.services.common import create_referenced, reason_text, update_referenced

OBJECTIVE_MEMBER_FIELDS = ("owner",)
# Changing any of these on an approved objective changes what was approved: it goes back to draft.
MEASURABLE_FIELDS = ("measure", "unit", "direction", "baseline", "target", "deadline")


def _check_dates(start, deadline) -> None:
    if start is not None and deadline is not None and deadline < start:
        raise ServiceError(_("The deadline cannot be before work starts."), field="deadline")


def _locked(objective: Objective) -> Objective:
    return Objective.objects.select_for_update().get(pk=objective.pk)


def objective_approval_problems(objective: Objective) -> dict[str, list[str]]:
    """What stops ``objective`` from being approved, per field (clause 6.2: measurable, with a target, an owner
    and a date). Empty when it can be approved."""
    problems: dict[str, list[str]] = {}
    if not (objective.measure or "").strip():
        problems["measure"] = [_("Say how the objective is measured before approving it.")]
    if objective.target is None:
        problems["target"] = [_("Set the target before approving the objective.")]
    if objective.deadline is None:
        problems["deadline"] = [_("Set the deadline before approving the objective.")]
    if objective.owner_id is None:
        problems["owner"] = [_("Name the member accountable for the objective before approving it.")]
    return problems


@transaction.atomic
def objective_create(*, actor, organisation, data: dict) -> Objective:
    """Record an AI objective as a draft (clause 6.2)."""
    _check_dates(data.get("start"), data.get("deadline"))
    return create_referenced(
        Objective,
        actor=actor,
        organisation=organisation,
        data=data,
        reason="Drafted",
        member_fields=OBJECTIVE_MEMBER_FIELDS,
    )


@transaction.atomic
def objective_update(*, actor, objective: Objective, data: dict, reason: str = "Edited") -> Objective:
    """Edit an objective. A closed one is a record: never edited. Changing the measure, target or deadline of an
    approved objective sends it back to draft, to be approved again."""
    current = _locked(objective)
    if current.status in CLOSED_OBJECTIVE_STATUSES:
        raise ServiceError(
            f"{current.reference} is {current.get_status_display().lower()}: it is no longer edited.", conflict=True
        )
    _check_dates(data.get("start", current.start), data.get("deadline", current.deadline))
    remeasured = [name for name in MEASURABLE_FIELDS if name in data and getattr(current, name) != data[name]]
    objective.status = current.status
    if current.status == ObjectiveStatus.APPROVED and remeasured:
        objective.status = ObjectiveStatus.DRAFT
        objective.approved_by = None
        objective.approved_at = None
        reason = f"{reason}; measure or target changed, so it needs approval again"
    return update_referenced(objective, actor=actor, data=data, reason=reason, member_fields=OBJECTIVE_MEMBER_FIELDS)


@transaction.atomic
def objective_approve(*, actor, objective: Objective) -> Objective:
    """Approve a draft objective. An objective without a measure or a target (or an owner or deadline) cannot be
    approved: an objective nobody can measure cannot be evaluated (clause 6.2)."""
    if not can(actor, "approve", objective, objective.organisation):
        raise PermissionDenied(_("Only a member who may approve can approve an objective."))
    current = _locked(objective)
    if current.status != ObjectiveStatus.DRAFT:
        raise ServiceError(
            _("%(ref)s is %(status)s: only a draft can be approved.")
            % {"ref": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    problems = objective_approval_problems(current)
    if problems:
        raise ServiceError(problems)
    current.status = ObjectiveStatus.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    save_with_history(
        current, actor=actor, reason="Approved", update_fields=["status", "approved_by", "approved_at", "updated_at"]
    )
    objective.status, objective.approved_by, objective.approved_at = (
        current.status,
        current.approved_by,
        current.approved_at,
    )
    return current


@transaction.atomic
def objective_record_value(
    *, actor, objective: Objective, value, measured_on: dt.date | None = None, note: str = ""
) -> Objective:
    """Record the latest measured value of an approved objective (9.1 feeds 6.2)."""
    current = _locked(objective)
    if current.status != ObjectiveStatus.APPROVED:
        raise ServiceError(_("Values are recorded against an approved objective in progress."), conflict=True)
    if value is None:
        raise ServiceError(_("Give the measured value."), field="value")
    measured_on = measured_on or timezone.localdate()
    if measured_on > timezone.localdate():
        raise ServiceError(_("A measurement cannot be dated in the future."), field="measured_on")
    current.current_value = value
    current.measured_on = measured_on
    reason = f"Measured {value}{(' ' + current.unit) if current.unit else ''} on {measured_on:%Y-%m-%d}"
    if note.strip():
        reason = f"{reason}: {note.strip()}"
    save_with_history(
        current, actor=actor, reason=reason_text(reason), update_fields=["current_value", "measured_on", "updated_at"]
    )
    objective.current_value, objective.measured_on = current.current_value, current.measured_on
    return current


@transaction.atomic
def objective_close(*, actor, objective: Objective, status: str, note: str) -> Objective:
    """Close an objective as achieved, not achieved or cancelled, saying why (the evaluation of clause 6.2 e)."""
    if status not in CLOSED_OBJECTIVE_STATUSES:
        raise ServiceError(_("Close as achieved, not achieved or cancelled."), field="status")
    if not (note or "").strip():
        raise ServiceError(_("Say how the result was evaluated, or why the objective is cancelled."), field="note")
    current = _locked(objective)
    if current.status in CLOSED_OBJECTIVE_STATUSES:
        raise ServiceError(_("%(ref)s is already closed.") % {"ref": current.reference}, conflict=True)
    if status != ObjectiveStatus.CANCELLED and current.status != ObjectiveStatus.APPROVED:
        raise ServiceError(_("Only an approved objective can be closed as achieved or not achieved."), conflict=True)
    current.status = status
    current.closed_at = timezone.now()
    current.closing_note = note.strip()
    save_with_history(
        current,
        actor=actor,
        reason=f"Closed: {current.get_status_display().lower()}",
        update_fields=["status", "closed_at", "closing_note", "updated_at"],
    )
    objective.status, objective.closed_at, objective.closing_note = status, current.closed_at, current.closing_note
    return current


@transaction.atomic
def objective_delete(*, actor, objective: Objective) -> None:
    """Delete a draft. An approved or closed objective is cancelled instead, so the record stays."""
    current = _locked(objective)
    if current.status != ObjectiveStatus.DRAFT:
        raise ServiceError(
            _("%(ref)s is %(status)s: cancel it instead of deleting it.")
            % {"ref": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    delete_with_history(current, actor=actor, reason="Deleted")
