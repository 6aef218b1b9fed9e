"""Nonconformities and corrective actions (ISO/IEC 42001 clause 10.2).

A nonconformity moves open → corrective action under way (once an action is planned) → closed. It closes only
when its root cause is recorded, no corrective action is still open, and at least one corrective action has
been verified effective (10.2 d: review the effectiveness of the action taken).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.events import emit
from aims.services import ServiceError, check_same_organisation, delete_with_history, save_with_history
from audits.constants import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Effectiveness,
    FindingKind,
    Grade,
    NCSource,
    NCStatus,
    RootCauseMethod,
)
from audits.models import CorrectiveAction, Finding, Nonconformity
from audits.services.common import (
    apply_changes,
    check_fields,
    check_reference_free,
    check_requirements_visible,
    lock,
    require_text,
)

NC_FIELDS = (
    "reference",
    "source",
    "risk",
    "title",
    "description",
    "requirement",
    "grade",
    "detected_on",
    "detected_by",
    "owner",
    "immediate_correction",
    "root_cause_method",
    "five_whys",
    "root_cause",
    "risk_register_changed",
    "controls_changed",
    "changes_note",
)
ACTION_FIELDS = ("reference", "title", "description", "owner", "due_date", "status", "completion_note")
MAX_WHYS = 5


def _clean_whys(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise ServiceError(_("Give the answers as a list."), field="five_whys")
    whys = [str(item).strip()[:500] for item in value if str(item).strip()]
    if len(whys) > MAX_WHYS:
        raise ServiceError(_("At most %(MAX_WHYS)s answers.") % {"MAX_WHYS": MAX_WHYS}, field="five_whys")
    return whys


def _check_nc(organisation, data: dict, nc: Nonconformity | None = None) -> dict:
    data = dict(data)
    if nc is None or "title" in data:
        require_text(data.get("title"), field="title", message=_("Give the nonconformity a title."))
    if nc is None or "description" in data:
        require_text(data.get("description"), field="description", message=_("Describe what does not conform."))
    if "source" in data and data["source"] not in NCSource.values:
        raise ServiceError(_("Choose where it was detected."), field="source")
    if "grade" in data and data["grade"] not in Grade.values:
        raise ServiceError(_("Choose major or minor."), field="grade")
    if "root_cause_method" in data and data["root_cause_method"] not in RootCauseMethod.values:
        raise ServiceError(_("Choose a method."), field="root_cause_method")
    if "five_whys" in data:
        data["five_whys"] = _clean_whys(data["five_whys"])
    detected = data.get("detected_on")
    if detected and detected > timezone.localdate():
        raise ServiceError(_("The detection date cannot be in the future."), field="detected_on")
    check_requirements_visible(organisation, [data.get("requirement")], field="requirement")
    return data


def derived_status(nc: Nonconformity) -> str:
    """Open until a corrective action is planned, then under way; closed only by ``nonconformity_close``."""
    if nc.status == NCStatus.CLOSED:
        return NCStatus.CLOSED
    return NCStatus.ACTION_PLANNED if nc.actions.exists() else NCStatus.OPEN


def _refresh_status(*, actor, nc: Nonconformity, reason: str) -> None:
    status = derived_status(nc)
    if status != nc.status:
        nc.status = status
        save_with_history(nc, actor=actor, reason=reason)


@transaction.atomic
def nonconformity_create(*, actor, organisation, data: dict) -> Nonconformity:
    """Report a nonconformity (an incident, a risk review, anyone's observation). Audit findings raise theirs
    through ``nonconformity_from_finding``."""
    check_fields(data, NC_FIELDS)
    data = _check_nc(organisation, data)
    data.setdefault("detected_by", actor)
    check_reference_free(Nonconformity, organisation, data.get("reference"))
    nc = apply_changes(
        Nonconformity(organisation=organisation),
        data,
        actor=actor,
        reason="Reported",
        member_fields=("owner", "detected_by"),
    )
    emit(organisation, "nonconformity.opened", {"nonconformity": nc})
    return nc


@transaction.atomic
def nonconformity_update(*, actor, nonconformity: Nonconformity, data: dict, reason: str = "Edited") -> Nonconformity:
    """Edit the description, correction, root cause or changes made; a closed nonconformity is final."""
    check_fields(data, NC_FIELDS)
    current = lock(nonconformity)
    if current.status == NCStatus.CLOSED:
        raise ServiceError(
            _("%(reference)s is closed: reopen it to change it.") % {"reference": current.reference}, conflict=True
        )
    data = _check_nc(current.organisation, data, current)
    check_reference_free(Nonconformity, current.organisation, data.get("reference"), exclude_pk=current.pk)
    return apply_changes(current, data, actor=actor, reason=reason, member_fields=("owner", "detected_by"))


def nonconformity_from_finding(*, actor, finding: Finding) -> Nonconformity:
    """The nonconformity a major or minor finding raises (created once; its grade follows the finding while it
    is open)."""
    grade = Grade.MAJOR if finding.kind == FindingKind.MAJOR_NC else Grade.MINOR
    nc = Nonconformity.objects.filter(finding=finding).first()
    if nc is None:
        nc = Nonconformity(
            organisation=finding.organisation,
            source=NCSource.AUDIT,
            finding=finding,
            title=finding.title,
            description=finding.description or finding.title,
            requirement=finding.requirement,
            grade=grade,
            detected_on=finding.raised_on,
            detected_by=finding.raised_by,
        )
        nc.assign_reference()
        save_with_history(nc, actor=actor, reason=f"Raised from audit finding {finding.reference}")
        emit(nc.organisation, "nonconformity.opened", {"nonconformity": nc, "finding": finding})
        return nc
    if nc.grade != grade or nc.description != (finding.description or nc.description):
        if nc.status == NCStatus.CLOSED:
            raise ServiceError(
                _("%(reference)s, raised from this finding, is closed.") % {"reference": nc.reference}, conflict=True
            )
        nc.grade = grade
        nc.description = finding.description or nc.description
        save_with_history(nc, actor=actor, reason=f"Follows audit finding {finding.reference}")
    return nc


def nonconformity_withdraw_for_finding(*, actor, finding: Finding, keep: bool) -> None:
    """The finding is no longer a nonconformity: delete the nonconformity it raised, unless work has started on
    it (refused then: the auditor must not erase a nonconformity being handled)."""
    if keep:
        return
    nc = Nonconformity.objects.filter(finding=finding).first()
    if nc is None:
        return
    if nc.status == NCStatus.CLOSED or nc.actions.exists():
        raise ServiceError(
            _("%(reference)s, raised from this finding, already has corrective actions; it cannot be withdrawn.")
            % {"reference": nc.reference},
            conflict=True,
        )
    delete_with_history(nc, actor=actor, reason=f"Withdrawn: audit finding {finding.reference} changed")


def closure_problems(nc: Nonconformity) -> list[str]:
    """Why ``nc`` cannot close yet (empty when it can). Two queries."""
    problems = []
    if not nc.has_root_cause:
        problems.append(_("Record the root cause (5 whys or free text)."))
    actions = list(nc.actions.values_list("status", "effectiveness"))
    if any(status in OPEN_ACTION_STATUSES for status, _ in actions):
        problems.append(_("Finish or cancel the open corrective actions."))
    if not any(status == ActionStatus.DONE and eff == Effectiveness.EFFECTIVE for status, eff in actions):
        problems.append(_("At least one corrective action must be done and verified effective."))
    return problems


@transaction.atomic
def nonconformity_close(*, actor, nonconformity: Nonconformity, note: str = "") -> Nonconformity:
    """Close the nonconformity once a corrective action is verified effective (10.2 d–g)."""
    current = lock(nonconformity)
    if current.status == NCStatus.CLOSED:
        raise ServiceError(_("%(reference)s is already closed.") % {"reference": current.reference}, conflict=True)
    problems = closure_problems(current)
    if problems:
        raise ServiceError(" ".join(problems), conflict=True)
    now = timezone.now()
    current.status, current.closed_by, current.closed_at = NCStatus.CLOSED, actor, now
    current.closure_note = (note or "").strip()
    current.days_to_close = max(0, (timezone.localdate(now) - current.detected_on).days)
    save_with_history(current, actor=actor, reason="Closed: corrective action verified effective")
    emit(current.organisation, "nonconformity.closed", {"nonconformity": current})
    return current


@transaction.atomic
def nonconformity_reopen(*, actor, nonconformity: Nonconformity, reason: str) -> Nonconformity:
    """Reopen a closed nonconformity (it recurred, or the verification was wrong)."""
    current = lock(nonconformity)
    if current.status != NCStatus.CLOSED:
        raise ServiceError(_("%(reference)s is not closed.") % {"reference": current.reference}, conflict=True)
    text = require_text(reason, field="reason", message=_("Say why it is reopened."))
    current.status, current.closed_by, current.closed_at, current.days_to_close = NCStatus.OPEN, None, None, None
    current.status = derived_status(current)
    save_with_history(current, actor=actor, reason=f"Reopened: {text}"[:100])
    return current


@transaction.atomic
def nonconformity_delete(*, actor, nonconformity: Nonconformity) -> None:
    """Delete a nonconformity reported by mistake; one raised by an audit finding follows the finding."""
    if nonconformity.finding_id:
        raise ServiceError(_("It was raised by an audit finding: change the finding instead."), conflict=True)
    if nonconformity.actions.exists():
        raise ServiceError(_("It has corrective actions; close it instead."), conflict=True)
    delete_with_history(nonconformity, actor=actor, reason="Deleted")


# --- Corrective actions -----------------------------------------------------------------------------------------


def _check_action(data: dict, *, new: bool) -> None:
    if new or "title" in data:
        require_text(data.get("title"), field="title", message=_("Say what the action is."))
    if "status" in data and data["status"] not in ActionStatus.values:
        raise ServiceError(_("Choose a status."), field="status")


@transaction.atomic
def corrective_action_add(*, actor, nonconformity: Nonconformity, data: dict) -> CorrectiveAction:
    """Plan a corrective action with its owner and due date (10.2 c)."""
    check_fields(data, ACTION_FIELDS)
    current = lock(nonconformity)
    if current.status == NCStatus.CLOSED:
        raise ServiceError(
            _("%(reference)s is closed: reopen it to plan more actions.") % {"reference": current.reference},
            conflict=True,
        )
    _check_action(data, new=True)
    check_reference_free(CorrectiveAction, current.organisation, data.get("reference"))
    action = CorrectiveAction(organisation=current.organisation, nonconformity=current)
    if data.get("status") == ActionStatus.DONE:
        action.completed_at = timezone.now()
    apply_changes(action, data, actor=actor, reason=f"Planned for {current.reference}", member_fields=("owner",))
    _refresh_status(actor=actor, nc=current, reason=f"Corrective action {action.reference} planned")
    return action


@transaction.atomic
def corrective_action_update(
    *, actor, action: CorrectiveAction, data: dict, reason: str = "Edited"
) -> CorrectiveAction:
    """Edit an action. Reopening a verified action clears its verification: it must be checked again."""
    check_fields(data, ACTION_FIELDS)
    current = CorrectiveAction.objects.select_for_update().select_related("nonconformity").get(pk=action.pk)
    if current.nonconformity.status == NCStatus.CLOSED:
        raise ServiceError(
            _("%(reference)s is closed.") % {"reference": current.nonconformity.reference}, conflict=True
        )
    _check_action(data, new=False)
    check_reference_free(CorrectiveAction, current.organisation, data.get("reference"), exclude_pk=current.pk)
    status = data.get("status", current.status)
    if status == ActionStatus.DONE and current.status != ActionStatus.DONE:
        current.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        current.completed_at = None
        if current.effectiveness:
            current.effectiveness, current.verified_by, current.verified_at = "", None, None
            current.verification_note = ""
    return apply_changes(current, data, actor=actor, reason=reason, member_fields=("owner",))


@transaction.atomic
def corrective_action_complete(*, actor, action: CorrectiveAction, note: str = "") -> CorrectiveAction:
    """Mark an open action done, with what was done; its effectiveness is verified next."""
    if not action.is_open:
        raise ServiceError(
            _("%(reference)s is already %(status)s.")
            % {"reference": action.reference, "status": action.get_status_display().lower()},
            conflict=True,
        )
    data = {"status": ActionStatus.DONE}
    if note and note.strip():
        data["completion_note"] = note.strip()
    return corrective_action_update(actor=actor, action=action, data=data, reason="Done")


@transaction.atomic
def corrective_action_verify(
    *, actor, action: CorrectiveAction, effective: bool, note: str, evidence=()
) -> CorrectiveAction:
    """Record the verification of a done action's effectiveness: who, when, the result and the evidence (10.2 d).
    A not-effective result keeps the nonconformity open for a further action."""
    current = CorrectiveAction.objects.select_for_update().select_related("nonconformity").get(pk=action.pk)
    if current.nonconformity.status == NCStatus.CLOSED:
        raise ServiceError(
            _("%(reference)s is closed.") % {"reference": current.nonconformity.reference}, conflict=True
        )
    if current.status != ActionStatus.DONE:
        raise ServiceError(_("Only a done action can be verified: mark it done first."), conflict=True)
    text = require_text(note, field="note", message=_("Say how the effectiveness was checked."))
    evidence = list(evidence or [])
    check_same_organisation(current.organisation, {"evidence": evidence})
    now = timezone.now()
    current.effectiveness = Effectiveness.EFFECTIVE if effective else Effectiveness.NOT_EFFECTIVE
    current.verified_by, current.verified_at, current.verification_note = actor, now, text
    save_with_history(current, actor=actor, reason=f"Verified: {current.get_effectiveness_display().lower()}")
    current.verification_evidence.set(evidence)
    return current


@transaction.atomic
def corrective_action_delete(*, actor, action: CorrectiveAction) -> None:
    """Delete an action planned by mistake (not once its nonconformity is closed)."""
    nc = action.nonconformity
    if nc.status == NCStatus.CLOSED:
        raise ServiceError(_("%(reference)s is closed.") % {"reference": nc.reference}, conflict=True)
    delete_with_history(action, actor=actor, reason="Deleted")
    _refresh_status(actor=actor, nc=lock(nc), reason=f"Corrective action {action.reference} deleted")
