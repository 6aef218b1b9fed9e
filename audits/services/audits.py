"""The internal audit programme and audits: planning, independence, the checklist and its results, findings and
the report (ISO/IEC 42001 clause 9.2)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from aims.services import ServiceError, check_same_organisation, delete_with_history, save_with_history
from audits.constants import (
    FINDING_RESULTS,
    NC_RESULTS,
    AuditStatus,
    ChecklistResult,
    FindingKind,
    ProgrammeStatus,
)
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from audits.services.common import (
    apply_changes,
    check_fields,
    check_reference_free,
    check_requirements_visible,
    lock,
    model_errors_as_service_errors,
    require_text,
)
from audits.services.nonconformities import nonconformity_from_finding, nonconformity_withdraw_for_finding
from controls.models import Control

PROGRAMME_FIELDS = ("reference", "title", "period_start", "period_end", "objectives", "planning_basis", "owner")
AUDIT_FIELDS = (
    "reference",
    "programme",
    "title",
    "scope",
    "criteria",
    "controls",
    "ai_systems",
    "risks",
    "units",
    "importance",
    "frequency_months",
    "planning_rationale",
    "planned_start",
    "planned_end",
    "lead_auditor",
    "team",
    "external_auditors",
)
RESULT_FIELDS = ("result", "notes", "sampled_records", "evidence")
FINDING_FIELDS = ("reference", "kind", "title", "description", "requirement", "raised_on")


# --- The programme -----------------------------------------------------------------------------------------------


def _check_period(start, end, *, start_field: str, end_field: str) -> None:
    if start and end and end < start:
        raise ServiceError(_("The end cannot be before the start."), field=end_field)


@transaction.atomic
def programme_create(*, actor, organisation, data: dict) -> AuditProgramme:
    """Plan an audit programme for a period (clause 9.2.2)."""
    check_fields(data, PROGRAMME_FIELDS)
    require_text(data.get("title"), field="title", message=_("Give the programme a title."))
    _check_period(data.get("period_start"), data.get("period_end"), start_field="period_start", end_field="period_end")
    check_reference_free(AuditProgramme, organisation, data.get("reference"))
    return apply_changes(
        AuditProgramme(organisation=organisation), data, actor=actor, reason="Planned", member_fields=("owner",)
    )


@transaction.atomic
def programme_update(*, actor, programme: AuditProgramme, data: dict, reason: str = "Edited") -> AuditProgramme:
    """Edit the programme's period, objectives or planning basis."""
    check_fields(data, PROGRAMME_FIELDS)
    if "title" in data:
        require_text(data["title"], field="title", message=_("Give the programme a title."))
    _check_period(
        data.get("period_start", programme.period_start),
        data.get("period_end", programme.period_end),
        start_field="period_start",
        end_field="period_end",
    )
    check_reference_free(AuditProgramme, programme.organisation, data.get("reference"), exclude_pk=programme.pk)
    return apply_changes(programme, data, actor=actor, reason=reason, member_fields=("owner",))


@transaction.atomic
def programme_approve(*, actor, programme: AuditProgramme) -> AuditProgramme:
    """Approve a draft programme (officers); an approved programme is the plan audits follow."""
    current = lock(programme)
    if current.status != ProgrammeStatus.DRAFT:
        raise ServiceError(
            _("%(reference)s is already %(status)s.")
            % {"reference": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    if not current.objectives.strip():
        raise ServiceError(_("State the programme's objectives before approving it."), field="objectives")
    current.status, current.approved_by, current.approved_at = ProgrammeStatus.APPROVED, actor, timezone.now()
    save_with_history(current, actor=actor, reason="Approved")
    return current


@transaction.atomic
def programme_delete(*, actor, programme: AuditProgramme) -> None:
    """Delete a programme none of whose audits has started."""
    if programme.audits.exclude(status=AuditStatus.PLANNED).exists():
        raise ServiceError(_("Audits of this programme have started; close the programme instead."), conflict=True)
    delete_with_history(programme, actor=actor, reason="Deleted")


# --- Audits -----------------------------------------------------------------------------------------------------


def _check_team(organisation, team) -> None:
    if not team:
        return
    ids = {user.pk for user in team}
    members = set(
        Membership.objects.filter(organisation=organisation, user_id__in=ids).values_list("user_id", flat=True)
    )
    if ids - members:
        raise ServiceError(_("Choose members of this organisation for the team."), field="team")


def _check_audit(organisation, data: dict, audit: Audit | None = None) -> None:
    if "title" in data or audit is None:
        require_text(data.get("title"), field="title", message=_("Give the audit a title."))
    start = data.get("planned_start", audit.planned_start if audit else None)
    end = data.get("planned_end", audit.planned_end if audit else None)
    _check_period(start, end, start_field="planned_start", end_field="planned_end")
    check_requirements_visible(organisation, data.get("criteria") or [], field="criteria")
    _check_team(organisation, data.get("team"))
    frequency = data.get("frequency_months")
    if frequency is not None and not 1 <= frequency <= 60:
        raise ServiceError(_("Between 1 and 60 months."), field="frequency_months")


@transaction.atomic
def audit_create(*, actor, organisation, data: dict) -> Audit:
    """Plan an audit; its checklist gets one line per requirement of the criteria."""
    check_fields(data, AUDIT_FIELDS)
    _check_audit(organisation, data)
    check_reference_free(Audit, organisation, data.get("reference"))
    audit = apply_changes(
        Audit(organisation=organisation), data, actor=actor, reason="Planned", member_fields=("lead_auditor",)
    )
    checklist_sync(audit)
    return audit


@transaction.atomic
def audit_update(*, actor, audit: Audit, data: dict, reason: str = "Edited") -> Audit:
    """Edit the plan. Once reported, an audit's scope and criteria no longer change."""
    check_fields(data, AUDIT_FIELDS)
    current = lock(audit)
    if current.status in (AuditStatus.REPORTED, AuditStatus.CLOSED):
        raise ServiceError(
            _("%(reference)s is %(status)s: its plan is final.")
            % {"reference": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    _check_audit(current.organisation, data, current)
    check_reference_free(Audit, current.organisation, data.get("reference"), exclude_pk=current.pk)
    apply_changes(current, data, actor=actor, reason=reason, member_fields=("lead_auditor",))
    if "criteria" in data:
        checklist_sync(current)
    return current


def checklist_sync(audit: Audit) -> None:
    """One checklist line per requirement of the criteria: add the new ones; remove lines of requirements taken out
    of the criteria unless a result is recorded on them (refused then)."""
    wanted = list(audit.criteria.order_by("framework__name", "sort_order", "identifier").values_list("pk", flat=True))
    existing = {item.requirement_id: item for item in audit.checklist.all()}
    dropped = [item for req_id, item in existing.items() if req_id not in set(wanted)]
    assessed = [item for item in dropped if item.assessed]
    if assessed:
        names = ", ".join(item.requirement.identifier for item in assessed)
        raise ServiceError(
            _("Results are recorded against %(names)s: keep them in the criteria.") % {"names": names}, field="criteria"
        )
    ChecklistItem.objects.filter(pk__in=[item.pk for item in dropped]).delete()
    new = [
        ChecklistItem(organisation=audit.organisation, audit=audit, requirement_id=req_id, position=position)
        for position, req_id in enumerate(wanted)
        if req_id not in existing
    ]
    ChecklistItem.objects.bulk_create(new)
    for position, req_id in enumerate(wanted):
        item = existing.get(req_id)
        if item is not None and item.position != position:
            ChecklistItem.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def audit_delete(*, actor, audit: Audit) -> None:
    """Delete an audit planned by mistake; one with findings or results is closed instead."""
    if audit.findings.exists() or audit.checklist.exclude(result="").exists():
        raise ServiceError(
            _("%(reference)s has results or findings; it cannot be deleted.") % {"reference": audit.reference},
            conflict=True,
        )
    delete_with_history(audit, actor=actor, reason="Deleted")


def independence_conflicts(audit: Audit, user, requirement=None) -> list[str]:
    """What ``user`` owns among the audited work: controls audited, controls implementing ``requirement`` (or, for
    the audit as a whole, any of its criteria), AI systems audited and risks in scope. Three queries."""
    if user is None:
        return []
    controls_q = Q(audits=audit)
    if requirement is not None:
        controls_q |= Q(requirements=requirement)
    else:
        controls_q |= Q(requirements__in=audit.criteria.all())
    controls = (
        Control.objects.filter(organisation=audit.organisation, owner=user)
        .filter(controls_q)
        .distinct()
        .order_by("reference")
        .values_list("reference", "title")
    )
    systems = (
        audit.ai_systems.filter(Q(business_owner=user) | Q(technical_owner=user))
        .order_by("reference")
        .values_list("reference", "name")
    )
    risks = audit.risks.filter(owner=user).order_by("reference").values_list("reference", "title")
    return [
        *(_("control %(reference)s %(title)s") % {"reference": ref, "title": title} for ref, title in controls),
        *(_("AI system %(reference)s %(title)s") % {"reference": ref, "title": name} for ref, name in systems),
        *(_("risk %(reference)s %(title)s") % {"reference": ref, "title": title} for ref, title in risks),
    ]


def independence_warning(user, conflicts: list[str]) -> str:
    """The warning text shown to, and kept with the result of, an auditor who owns audited work."""
    name = (user.get_full_name() or user.get_username()) if user else _("The auditor")
    return _("%(name)s owns work under audit: %(conflicts)s. An auditor should not audit their own work.") % {
        "name": name,
        "conflicts": "; ".join(conflicts),
    }


@transaction.atomic
def audit_declare_independence(*, actor, audit: Audit, statement: str) -> Audit:
    """Record the auditors' independence declaration (who declared it and when)."""
    current = lock(audit)
    current.independence_statement = require_text(
        statement, field="independence_statement", message=_("Write the declaration.")
    )
    current.independence_declared_by, current.independence_declared_at = actor, timezone.now()
    save_with_history(current, actor=actor, reason="Independence declared")
    return current


def _start(current: Audit, *, actor, reason: str) -> None:
    current.status = AuditStatus.IN_PROGRESS
    current.actual_start = current.actual_start or timezone.localdate()
    save_with_history(current, actor=actor, reason=reason)


@transaction.atomic
def audit_start(*, actor, audit: Audit) -> Audit:
    """Start a planned audit (the checklist follows its criteria); recording a first result starts it too."""
    current = lock(audit)
    if current.status != AuditStatus.PLANNED:
        raise ServiceError(
            _("%(reference)s is already %(status)s.")
            % {"reference": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    if not current.criteria.exists():
        raise ServiceError(_("Choose the audit criteria before starting."), field="criteria")
    checklist_sync(current)
    _start(current, actor=actor, reason="Started")
    return current


@transaction.atomic
def checklist_record(*, actor, item: ChecklistItem, data: dict, acknowledge_independence: bool = False):
    """Record the auditor's result on one checklist line.

    Refused once the audit is reported. When the auditor owns audited work (``independence_conflicts``), the
    result is refused unless the warning is acknowledged; the warning and the acknowledgement are then stored
    with the result. A finding follows the result, and a nonconformity-grade finding raises a nonconformity.
    """
    check_fields(data, RESULT_FIELDS)
    audit = lock(item.audit)
    current = ChecklistItem.objects.select_for_update().select_related("requirement").get(pk=item.pk)
    if audit.status in (AuditStatus.REPORTED, AuditStatus.CLOSED):
        raise ServiceError(
            _("%(reference)s is %(status)s: its results are final.")
            % {"reference": audit.reference, "status": audit.get_status_display().lower()},
            conflict=True,
        )
    result = data.get("result", current.result)
    if result not in ChecklistResult.values:
        raise ServiceError(_("Choose a result."), field="result")
    notes = data.get("notes", current.notes)
    if result in FINDING_RESULTS and not (notes or "").strip():
        raise ServiceError(_("Say what was found: the finding is built from these notes."), field="notes")
    evidence = data.get("evidence")
    if evidence is not None:
        check_same_organisation(audit.organisation, {"evidence": evidence})
    conflicts = independence_conflicts(audit, actor, current.requirement)
    warning = independence_warning(actor, conflicts) if conflicts else ""
    if conflicts and not acknowledge_independence:
        raise ServiceError(
            {"acknowledge_independence": [warning + " " + _("Acknowledge this warning to record the result anyway.")]}
        )
    if audit.status == AuditStatus.PLANNED:
        checklist_sync(audit)
        _start(audit, actor=actor, reason="Started: the first result was recorded")
    current.result = result
    current.notes = notes or ""
    current.sampled_records = data.get("sampled_records", current.sampled_records) or ""
    current.recorded_by, current.recorded_at = actor, timezone.now()
    current.independence_warning = warning
    current.independence_acknowledged_by = actor if conflicts else None
    current.independence_acknowledged_at = current.recorded_at if conflicts else None
    label = ChecklistResult(result).label if result else "cleared"
    reason = f"Result recorded: {label}" + (" (independence warning acknowledged)" if conflicts else "")
    with model_errors_as_service_errors():
        save_with_history(current, actor=actor, reason=reason)
    if evidence is not None:
        current.evidence.set(evidence)
    _sync_finding(actor=actor, item=current, audit=audit)
    return current


def _finding_title(item: ChecklistItem) -> str:
    return f"{item.requirement.identifier} {item.requirement.title}"[:200]


def _sync_finding(*, actor, item: ChecklistItem, audit: Audit) -> None:
    finding = Finding.objects.filter(checklist_item=item).first()
    if item.result in FINDING_RESULTS:
        if finding is None:
            finding = Finding(
                organisation=audit.organisation,
                audit=audit,
                checklist_item=item,
                requirement=item.requirement,
                title=_finding_title(item),
                raised_by=actor,
            )
        elif finding.kind != item.result:
            nonconformity_withdraw_for_finding(actor=actor, finding=finding, keep=item.result in NC_RESULTS)
        finding.kind, finding.description = item.result, item.notes
        finding.assign_reference()
        with model_errors_as_service_errors():
            save_with_history(finding, actor=actor, reason=f"From the checklist: {finding.get_kind_display()}")
        if finding.is_nonconformity:
            nonconformity_from_finding(actor=actor, finding=finding)
    elif finding is not None:
        nonconformity_withdraw_for_finding(actor=actor, finding=finding, keep=False)
        delete_with_history(finding, actor=actor, reason="The checklist result no longer is a finding")


@transaction.atomic
def finding_create(*, actor, audit: Audit, data: dict) -> Finding:
    """Record a finding outside the checklist (an observation made on the way, for example)."""
    check_fields(data, FINDING_FIELDS)
    current = lock(audit)
    if current.status in (AuditStatus.REPORTED, AuditStatus.CLOSED):
        raise ServiceError(
            _("%(reference)s is %(status)s.")
            % {"reference": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    if data.get("kind") not in FindingKind.values:
        raise ServiceError(_("Choose the kind of finding."), field="kind")
    require_text(data.get("title"), field="title", message=_("Give the finding a title."))
    check_requirements_visible(current.organisation, [data.get("requirement")], field="requirement")
    check_reference_free(Finding, current.organisation, data.get("reference"))
    finding = apply_changes(
        Finding(organisation=current.organisation, audit=current, raised_by=actor),
        data,
        actor=actor,
        reason="Raised",
    )
    if finding.is_nonconformity:
        nonconformity_from_finding(actor=actor, finding=finding)
    return finding


@transaction.atomic
def finding_update(*, actor, finding: Finding, data: dict, reason: str = "Edited") -> Finding:
    """Edit a finding; one that follows a checklist result changes its kind through that result."""
    check_fields(data, FINDING_FIELDS)
    current = Finding.objects.select_for_update().select_related("audit").get(pk=finding.pk)
    if current.audit.status in (AuditStatus.REPORTED, AuditStatus.CLOSED):
        raise ServiceError(
            _("%(reference)s is %(status)s: its findings are final.")
            % {"reference": current.audit.reference, "status": current.audit.get_status_display().lower()},
            conflict=True,
        )
    if current.checklist_item_id and ("kind" in data and data["kind"] != current.kind):
        raise ServiceError(_("This finding follows a checklist result: change the result instead."), field="kind")
    if "kind" in data and data["kind"] not in FindingKind.values:
        raise ServiceError(_("Choose the kind of finding."), field="kind")
    if "title" in data:
        require_text(data["title"], field="title", message=_("Give the finding a title."))
    check_requirements_visible(current.organisation, [data.get("requirement")], field="requirement")
    check_reference_free(Finding, current.organisation, data.get("reference"), exclude_pk=current.pk)
    if "kind" in data and data["kind"] != current.kind:
        nonconformity_withdraw_for_finding(
            actor=actor, finding=current, keep=data["kind"] in (FindingKind.MAJOR_NC, FindingKind.MINOR_NC)
        )
    apply_changes(current, data, actor=actor, reason=reason)
    if current.is_nonconformity:
        nonconformity_from_finding(actor=actor, finding=current)
    return current


@transaction.atomic
def finding_delete(*, actor, finding: Finding) -> None:
    """Delete a finding made outside the checklist, and the untouched nonconformity it raised."""
    if finding.audit.status in (AuditStatus.REPORTED, AuditStatus.CLOSED):
        raise ServiceError(
            _("%(reference)s is reported: its findings are final.") % {"reference": finding.audit.reference},
            conflict=True,
        )
    if finding.checklist_item_id:
        raise ServiceError(_("This finding follows a checklist result: change the result instead."), conflict=True)
    nonconformity_withdraw_for_finding(actor=actor, finding=finding, keep=False)
    delete_with_history(finding, actor=actor, reason="Deleted")


@transaction.atomic
def audit_report(*, actor, audit: Audit, summary: str, conclusion: str, recipients: str = "") -> Audit:
    """Issue the report (clause 9.2.2 d): every checklist line has a result, the summary and conclusion are
    written; the results are final from now on."""
    current = lock(audit)
    if current.status != AuditStatus.IN_PROGRESS:
        raise ServiceError(
            _("Only an audit in progress can be reported; %(reference)s is %(status)s.")
            % {"reference": current.reference, "status": current.get_status_display().lower()},
            conflict=True,
        )
    open_items = list(
        current.checklist.filter(result="")
        .select_related("requirement")
        .values_list("requirement__identifier", flat=True)
    )
    if open_items:
        raise ServiceError(
            _("Record a result for every requirement first: %(open_items)s.")
            % {"open_items": ", ".join(open_items[:8])}
        )
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = [_("Write the summary.")]
    if not (conclusion or "").strip():
        errors["conclusion"] = [_("Write the conclusion.")]
    if errors:
        raise ServiceError(errors)
    current.summary, current.conclusion = summary.strip(), conclusion.strip()
    current.report_recipients = (recipients or "").strip()
    current.status = AuditStatus.REPORTED
    current.reported_by, current.reported_at = actor, timezone.now()
    current.actual_end = current.actual_end or timezone.localdate()
    with model_errors_as_service_errors():
        save_with_history(current, actor=actor, reason="Reported")
    return current


@transaction.atomic
def audit_close(*, actor, audit: Audit) -> Audit:
    """Close a reported audit (its nonconformities carry on in their own register)."""
    current = lock(audit)
    if current.status != AuditStatus.REPORTED:
        raise ServiceError(_("Report the audit before closing it."), conflict=True)
    current.status, current.closed_at = AuditStatus.CLOSED, timezone.now()
    save_with_history(current, actor=actor, reason="Closed")
    return current
