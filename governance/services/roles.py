"""AIMS roles, who holds them, and the RACI view (ISO/IEC 42001 clause 5.3; Annex A.3.2, A.3.3)."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.services import (
    ServiceError,
    check_members,
    check_same_organisation,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
)
from governance.constants import AimsProcess, Raci
from governance.models import AimsRole, RaciEntry, RoleAssignment
from governance.services.common import create_referenced, reason_text, update_referenced


def _validate_role(*, receives_concerns: bool, concern_channel: str, responsibilities: str) -> None:
    errors = {}
    if not (responsibilities or "").strip():
        errors["responsibilities"] = [_("Say what the holder is responsible for: clause 5.3 asks for it.")]
    if receives_concerns and not (concern_channel or "").strip():
        errors["concern_channel"] = [_("Say how people raise a concern with this role (address, form, hotline).")]
    if errors:
        raise ServiceError(errors)


@transaction.atomic
def aims_role_create(*, actor, organisation, data: dict) -> AimsRole:
    """Define an AIMS role with its responsibilities and authorities (clause 5.3, A.3.2)."""
    _validate_role(
        receives_concerns=data.get("receives_concerns", False),
        concern_channel=data.get("concern_channel", ""),
        responsibilities=data.get("responsibilities", ""),
    )
    return create_referenced(AimsRole, actor=actor, organisation=organisation, data=data, reason="Role defined")


@transaction.atomic
def aims_role_update(*, actor, role: AimsRole, data: dict, reason: str = "Edited") -> AimsRole:
    _validate_role(
        receives_concerns=data.get("receives_concerns", role.receives_concerns),
        concern_channel=data.get("concern_channel", role.concern_channel),
        responsibilities=data.get("responsibilities", role.responsibilities),
    )
    return update_referenced(role, actor=actor, data=data, reason=reason)


@transaction.atomic
def aims_role_delete(*, actor, role: AimsRole) -> None:
    """Delete a role nobody holds now. A role someone holds is ended first (or marked not in use), so the
    record of who was responsible is not lost by accident."""
    if RoleAssignment.objects.filter(role=role).active().exists():
        raise ServiceError(
            _("%(ref)s is held by a member: end the assignment first, or mark the role not in use.")
            % {"ref": role.reference},
            conflict=True,
        )
    delete_with_history(role, actor=actor, reason="Deleted")


# --- Assignments -----------------------------------------------------------------------------------------


def _check_period(start, end) -> None:
    if start is None:
        raise ServiceError(_("Give the date the member takes up the role."), field="start")
    if end is not None and end < start:
        raise ServiceError(_("The end date cannot be before the start date."), field="end")


def _check_no_overlap(role, member, start, end, *, exclude_pk=None) -> None:
    """The same member cannot hold the same role twice over the same days."""
    far = dt.date.max
    overlapping = (
        RoleAssignment.objects.filter(role=role, member=member)
        .exclude(pk=exclude_pk)
        .filter(start__lte=end or far)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
    )
    if overlapping.exists():
        raise ServiceError(
            _("%(member)s already holds %(role)s for some of these dates.") % {"member": member, "role": role.name},
            field="member",
        )


@transaction.atomic
def role_assign(*, actor, organisation, data: dict) -> RoleAssignment:
    """A member takes up an AIMS role from ``start`` (until ``end``, if known)."""
    role, member = data.get("role"), data.get("member")
    if role is None:
        raise ServiceError(_("Choose the role."), field="role")
    if member is None:
        raise ServiceError(_("Choose the member who holds the role."), field="member")
    check_same_organisation(organisation, {"role": role})
    check_members(organisation, {"member": member}, ("member",))
    start = data.get("start") or timezone.localdate()
    end = data.get("end")
    _check_period(start, end)
    _check_no_overlap(role, member, start, end)
    assignment = RoleAssignment(
        organisation=organisation, role=role, member=member, start=start, end=end, note=data.get("note", "")
    )
    with model_errors_as_service_errors():
        save_with_history(assignment, actor=actor, reason=reason_text(f"{member} assigned to {role.name}"))
    return assignment


@transaction.atomic
def role_assignment_update(*, actor, assignment: RoleAssignment, data: dict, reason: str = "Edited") -> RoleAssignment:
    """Change the dates or note of an assignment (the role and the member stay: assign anew instead)."""
    if data.get("start") is not None:
        assignment.start = data["start"]
    if "end" in data:
        assignment.end = data["end"]
    if "note" in data:
        assignment.note = data["note"] or ""
    _check_period(assignment.start, assignment.end)
    _check_no_overlap(assignment.role, assignment.member, assignment.start, assignment.end, exclude_pk=assignment.pk)
    with model_errors_as_service_errors():
        save_with_history(assignment, actor=actor, reason=reason)
    return assignment


@transaction.atomic
def role_assignment_end(*, actor, assignment: RoleAssignment, end: dt.date | None = None) -> RoleAssignment:
    """The member stops holding the role on ``end`` (today by default)."""
    end = end or timezone.localdate()
    if assignment.end is not None and assignment.end <= end:
        raise ServiceError(_("This assignment has already ended."), conflict=True)
    if end < assignment.start:
        raise ServiceError(_("The end date cannot be before the start date."), field="end")
    assignment.end = end
    save_with_history(
        assignment, actor=actor, reason=f"Role ended on {end:%Y-%m-%d}", update_fields=["end", "updated_at"]
    )
    return assignment


@transaction.atomic
def role_assignment_delete(*, actor, assignment: RoleAssignment) -> None:
    """Remove an assignment made in error (to record that someone stopped, end it instead)."""
    delete_with_history(assignment, actor=actor, reason="Deleted")


# --- RACI ------------------------------------------------------------------------------------------------


def _check_raci(cells: dict) -> None:
    """One accountable role per process: ``cells`` maps (role, process) to a code or ''."""
    accountable: dict[str, list] = {}
    for (role, process), code in cells.items():
        if process not in AimsProcess.values:
            raise ServiceError(_("Unknown AIMS process %(process)r.") % {"process": process}, field="process")
        if code and code not in Raci.values:
            raise ServiceError(_("Use R, A, C or I (not %(code)r).") % {"code": code}, field="code")
        if code == Raci.ACCOUNTABLE:
            accountable.setdefault(process, []).append(role)
    for process, roles in accountable.items():
        if len(roles) > 1:
            names = ", ".join(sorted(role.name for role in roles))
            raise ServiceError(
                _("%(process)s: only one role can be accountable (A), not %(roles)s.")
                % {"process": AimsProcess(process).label, "roles": names},
                field="code",
            )


@transaction.atomic
def raci_save(*, actor, organisation, cells: dict) -> int:
    """Set the RACI parts given in ``cells`` ({(role, process): "R"|"A"|"C"|"I"|""}; "" clears the part).

    Cells not given keep their part. Returns the number of cells changed. All or nothing.
    """
    roles = {role for role, _process in cells}
    check_same_organisation(organisation, {"role": list(roles)})
    existing = {
        (entry.role_id, entry.process): entry
        for entry in RaciEntry.objects.filter(organisation=organisation).select_related("role")
    }
    # The rule is checked on the whole matrix after the change, not only on the cells sent.
    # (Model instances compare and hash by primary key, so a sent cell replaces the stored one.)
    merged = {(entry.role, entry.process): entry.code for entry in existing.values()}
    merged.update(cells)
    _check_raci(merged)
    changed = 0
    for (role, process), code in cells.items():
        entry = existing.get((role.pk, process))
        if entry is not None and not code:
            delete_with_history(entry, actor=actor, reason="RACI part cleared")
            changed += 1
        elif entry is not None and entry.code != code:
            entry.code = code
            save_with_history(entry, actor=actor, reason="RACI part changed", update_fields=["code", "updated_at"])
            changed += 1
        elif entry is None and code:
            entry = RaciEntry(organisation=organisation, role=role, process=process, code=code)
            save_with_history(entry, actor=actor, reason="RACI part set")
            changed += 1
    return changed


@transaction.atomic
def raci_entry_create(*, actor, organisation, data: dict) -> RaciEntry:
    role, process, code = data.get("role"), data.get("process"), data.get("code")
    if RaciEntry.objects.filter(organisation=organisation, role=role, process=process).exists():
        raise ServiceError(_("This role already has a part in this process: change that entry."), field="process")
    raci_save(actor=actor, organisation=organisation, cells={(role, process): code})
    return RaciEntry.objects.get(organisation=organisation, role=role, process=process)


@transaction.atomic
def raci_entry_update(*, actor, entry: RaciEntry, data: dict) -> RaciEntry:
    role, process = data.get("role", entry.role), data.get("process", entry.process)
    code = data.get("code", entry.code)
    if (role.pk, process) != (entry.role_id, entry.process):
        raise ServiceError(_("Change only the part; to move it, delete this entry and add another."), field="process")
    raci_save(actor=actor, organisation=entry.organisation, cells={(role, process): code})
    entry.refresh_from_db()
    return entry


@transaction.atomic
def raci_entry_delete(*, actor, entry: RaciEntry) -> None:
    delete_with_history(entry, actor=actor, reason="RACI part cleared")
