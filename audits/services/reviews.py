"""Management review (ISO/IEC 42001 clause 9.3): plan the meeting, prepare the pack (inputs compiled from live
data and frozen), record the meeting, and record decisions, each creating a tracked action."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from aims.services import ServiceError, delete_with_history, save_with_history
from audits.constants import ActionStatus, DecisionKind, ReviewStatus
from audits.models import ManagementReview, ReviewAction, ReviewDecision
from audits.review_inputs import compile_inputs, previous_review
from audits.services.common import (
    apply_changes,
    check_fields,
    check_members,
    check_reference_free,
    lock,
    model_errors_as_service_errors,
    require_text,
)

REVIEW_FIELDS = (
    "reference",
    "title",
    "planned_date",
    "location",
    "chair",
    "attendees",
    "other_attendees",
    "top_management_present",
)
ACTION_FIELDS = ("reference", "title", "owner", "due_date", "status", "completion_note")


def _check_attendees(organisation, attendees) -> None:
    if not attendees:
        return
    ids = {user.pk for user in attendees}
    found = set(Membership.objects.filter(organisation=organisation, user_id__in=ids).values_list("user_id", flat=True))
    if ids - found:
        raise ServiceError(_("Choose members of this organisation."), field="attendees")


@transaction.atomic
def review_create(*, actor, organisation, data: dict) -> ManagementReview:
    """Plan a management review."""
    check_fields(data, REVIEW_FIELDS)
    require_text(data.get("title"), field="title", message=_("Give the review a title."))
    if not data.get("planned_date"):
        raise ServiceError(_("Give the meeting date."), field="planned_date")
    _check_attendees(organisation, data.get("attendees"))
    check_reference_free(ManagementReview, organisation, data.get("reference"))
    return apply_changes(
        ManagementReview(organisation=organisation), data, actor=actor, reason="Planned", member_fields=("chair",)
    )


@transaction.atomic
def review_update(*, actor, review: ManagementReview, data: dict, reason: str = "Edited") -> ManagementReview:
    """Edit the plan of a review; once held, its date and attendance are the record and stay."""
    check_fields(data, REVIEW_FIELDS)
    current = lock(review)
    if current.status == ReviewStatus.HELD:
        locked = {"planned_date", "attendees", "top_management_present", "chair"} & set(data)
        changed = [name for name in locked if name != "attendees" and data[name] != getattr(current, name)]
        if changed or ("attendees" in data and set(data["attendees"]) != set(current.attendees.all())):
            raise ServiceError(_("The review was held: who attended and when no longer change."), conflict=True)
    if "title" in data:
        require_text(data["title"], field="title", message=_("Give the review a title."))
    _check_attendees(current.organisation, data.get("attendees"))
    check_reference_free(ManagementReview, current.organisation, data.get("reference"), exclude_pk=current.pk)
    return apply_changes(current, data, actor=actor, reason=reason, member_fields=("chair",))


@transaction.atomic
def review_prepare(*, actor, review: ManagementReview) -> ManagementReview:
    """Compile the pack from live data and freeze it into the review (clause 9.3.2). It can be refreshed until
    the meeting is recorded; from then on it is what the review looked at, whatever changes later."""
    current = lock(review)
    if current.status == ReviewStatus.HELD:
        raise ServiceError(_("The review was held: its inputs are frozen."), conflict=True)
    before = previous_review(current)
    since = before.held_on if before is not None else None
    current.inputs = compile_inputs(current.organisation, since=since, exclude_review=current)
    current.inputs_since = since
    current.inputs_compiled_at, current.inputs_compiled_by = timezone.now(), actor
    current.status = ReviewStatus.PREPARED
    save_with_history(current, actor=actor, reason="Pack prepared" if not review.has_pack else "Pack refreshed")
    return current


@transaction.atomic
def review_hold(
    *,
    actor,
    review: ManagementReview,
    held_on,
    minutes: str,
    conclusions: str,
    top_management_present: bool,
    attendees=None,
) -> ManagementReview:
    """Record the meeting: when it was held, who attended (top management among them), the discussion and the
    conclusions. The pack is frozen from now on."""
    current = lock(review)
    if current.status == ReviewStatus.HELD:
        raise ServiceError(_("The meeting is already recorded."), conflict=True)
    if not current.has_pack:
        raise ServiceError(_("Prepare the pack first: the review looks at its inputs."), conflict=True)
    errors: dict[str, list[str]] = {}
    if not held_on:
        errors["held_on"] = [_("Give the date of the meeting.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("The meeting cannot be recorded before it takes place.")]
    if not top_management_present:
        errors["top_management_present"] = [_("Clause 9.3: top management reviews the AIMS; it must be present.")]
    if not (conclusions or "").strip():
        errors["conclusions"] = [_("Record the review's conclusions on the AIMS.")]
    if errors:
        raise ServiceError(errors)
    if attendees is not None:
        _check_attendees(current.organisation, attendees)
    current.held_on, current.minutes, current.conclusions = held_on, (minutes or "").strip(), conclusions.strip()
    current.top_management_present = True
    current.status = ReviewStatus.HELD
    with model_errors_as_service_errors():
        save_with_history(current, actor=actor, reason="Meeting recorded")
    if attendees is not None:
        current.attendees.set(attendees)
    return current


@transaction.atomic
def review_add_decision(
    *, actor, review: ManagementReview, kind: str, decision: str, action_title: str = "", owner=None, due_date=None
) -> ReviewDecision:
    """Record a decision (9.3.3) and the tracked action it creates, with its owner and due date."""
    current = lock(review)
    if not current.has_pack:
        raise ServiceError(_("Prepare the pack first: decisions follow from the inputs."), conflict=True)
    if kind not in DecisionKind.values:
        raise ServiceError(_("Choose the kind of decision."), field="kind")
    text = require_text(decision, field="decision", message=_("Write the decision."))
    errors = {}
    if owner is None:
        errors["owner"] = [_("Name the member who owns the action.")]
    if due_date is None:
        errors["due_date"] = [_("Give the action a due date.")]
    if errors:
        raise ServiceError(errors)
    check_members(current.organisation, {"owner": owner}, ("owner",))
    record = ReviewDecision(
        organisation=current.organisation, review=current, kind=kind, decision=text, recorded_by=actor
    )
    with model_errors_as_service_errors():
        save_with_history(record, actor=actor, reason=f"Decided in {current.reference}")
    title = (action_title or "").strip() or text.splitlines()[0]
    action = ReviewAction(
        organisation=current.organisation,
        review=current,
        decision=record,
        title=title[:200],
        owner=owner,
        due_date=due_date,
    )
    action.assign_reference()
    with model_errors_as_service_errors():
        save_with_history(action, actor=actor, reason=f"Decided in {current.reference}")
    return record


@transaction.atomic
def review_delete(*, actor, review: ManagementReview) -> None:
    """Delete a review that was not held."""
    if review.status == ReviewStatus.HELD:
        raise ServiceError(_("A held review is kept: it is the record of what management decided."), conflict=True)
    delete_with_history(review, actor=actor, reason="Deleted")


@transaction.atomic
def review_action_update(*, actor, action: ReviewAction, data: dict, reason: str = "Edited") -> ReviewAction:
    """Edit a review action; marking it done stamps when."""
    check_fields(data, ACTION_FIELDS)
    current = lock(action)
    if "title" in data:
        require_text(data["title"], field="title", message=_("Say what the action is."))
    if "status" in data and data["status"] not in ActionStatus.values:
        raise ServiceError(_("Choose a status."), field="status")
    status = data.get("status", current.status)
    if status == ActionStatus.DONE and current.status != ActionStatus.DONE:
        current.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        current.completed_at = None
    check_reference_free(ReviewAction, current.organisation, data.get("reference"), exclude_pk=current.pk)
    return apply_changes(current, data, actor=actor, reason=reason, member_fields=("owner",))


@transaction.atomic
def review_action_complete(*, actor, action: ReviewAction, note: str = "") -> ReviewAction:
    """Mark a review action done, with what was done."""
    if not action.is_open:
        raise ServiceError(
            _("%(reference)s is already %(status)s.")
            % {"reference": action.reference, "status": action.get_status_display().lower()},
            conflict=True,
        )
    data = {"status": ActionStatus.DONE}
    if note and note.strip():
        data["completion_note"] = note.strip()
    return review_action_update(actor=actor, action=action, data=data, reason="Done")


@transaction.atomic
def review_action_delete(*, actor, action: ReviewAction) -> None:
    """Delete a review action (its decision stays)."""
    delete_with_history(action, actor=actor, reason="Deleted")
