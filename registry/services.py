"""Every change to the inventory goes through these functions (views, API, imports, seed, tasks)."""

import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation
from aims.permissions import can
from aims.services import (
    ServiceError,
    create_record,
    delete_with_history,
    save_with_history,
    split_fields,
    update_record,
)
from registry.classification import InvalidAnswers, classify, parse_answers
from registry.constants import (
    DeploymentStatus,
    ScopeStatus,
)
from registry.models import (
    AISystem,
    Classification,
    ContextIssue,
    InterestedParty,
    ScopeStatement,
)

AI_SYSTEM_MEMBER_FIELDS = ("business_owner", "technical_owner")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def ai_system_next_review(system: AISystem) -> dt.date:
    """Next review = last review (or, before any, the creation date) + the review cadence."""
    start = system.last_reviewed or (system.created_at.date() if system.created_at else timezone.localdate())
    return add_months(start, system.review_cadence_months)


def _validate_ai_system(system: AISystem) -> None:
    if not (system.scope_justification or "").strip():
        raise ServiceError(
            "Say why the system is in or out of the AIMS scope: an auditor asks either way.",
            field="scope_justification",
        )
    if system.deployment_status == DeploymentStatus.PRODUCTION and system.deployment_date is None:
        raise ServiceError("A system in production needs its deployment date.", field="deployment_date")
    if system.review_cadence_months < 1 or system.review_cadence_months > 60:
        raise ServiceError("Choose a review cadence between 1 and 60 months.", field="review_cadence_months")


@transaction.atomic
def ai_system_register(*, actor, organisation, data: dict) -> AISystem:
    """Register a new AI system in the inventory (Annex A.4.2 resources; A.6 life cycle)."""
    plain, _ = split_fields(AISystem, data)
    probe = AISystem(organisation=organisation, **plain)
    _validate_ai_system(probe)
    next_review = add_months(probe.last_reviewed or timezone.localdate(), probe.review_cadence_months)
    return create_record(
        AISystem,
        actor=actor,
        organisation=organisation,
        data={**data, "next_review": next_review},
        reason="Registered",
        member_fields=AI_SYSTEM_MEMBER_FIELDS,
    )


@transaction.atomic
def ai_system_update(*, actor, system: AISystem, data: dict, reason: str = "Edited") -> AISystem:
    if system.pk in [s.pk for s in data.get("depends_on", [])]:
        raise ServiceError("A system cannot depend on itself.", field="depends_on")
    for name, value in data.items():
        if name not in ("suppliers", "depends_on"):
            setattr(system, name, value)
    _validate_ai_system(system)
    system.next_review = ai_system_next_review(system)
    data = {**data, "next_review": system.next_review}
    update_record(system, actor=actor, data=data, reason=reason, member_fields=AI_SYSTEM_MEMBER_FIELDS)
    return system


@transaction.atomic
def ai_system_delete(*, actor, system: AISystem) -> None:
    delete_with_history(system, actor=actor, reason="Deleted")


@transaction.atomic
def ai_system_flag_reassessment(*, actor, system: AISystem, reason: str) -> AISystem:
    """Mark a system for reassessment (a new or changed model version, a changed purpose)."""
    system.reassessment_required = True
    system.reassessment_reason = reason
    return save_with_history(
        system,
        actor=actor,
        reason=f"Reassessment required: {reason}",
        update_fields=["reassessment_required", "reassessment_reason", "updated_at"],
    )


@transaction.atomic
def ai_system_mark_reviewed(*, actor, system: AISystem, reviewed_on: dt.date | None = None) -> AISystem:
    """Record a completed review: moves the next review date by the cadence and clears the reassessment flag."""
    system.last_reviewed = reviewed_on or timezone.localdate()
    system.next_review = ai_system_next_review(system)
    system.reassessment_required = False
    system.reassessment_reason = ""
    return save_with_history(system, actor=actor, reason="Reviewed")


# --- AIMS scope, context issues and interested parties (ISO/IEC 42001 clauses 4.1–4.3) ---------------

SCOPE_FIELDS = ("boundaries", "units", "locations", "ai_roles", "exclusions")
CONTEXT_MEMBER_FIELDS = ("owner",)


@contextmanager
def _model_errors_as_service_errors():
    """A model check that fails in ``full_clean`` (a text too long, a bad choice) reads as a ServiceError,
    so forms show it on the field and the API answers 400 instead of 500."""
    try:
        yield
    except ServiceError:
        raise
    except ValidationError as exc:
        raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from exc


def _check_reference_free(model_cls, organisation, reference, *, exclude_pk=None) -> None:
    """A reference given by hand must not be one the organisation already uses (CTX-004 twice)."""
    if not reference:
        return
    taken = model_cls.objects.filter(organisation=organisation, reference=reference).exclude(pk=exclude_pk)
    if taken.exists():
        raise ServiceError(f"{reference} is already used in this organisation.", field="reference")


def _lock_scope_versions(organisation) -> None:
    """Serialise scope versioning per organisation: two drafts or two approvals never race."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()


def _validate_scope(scope: ScopeStatement) -> None:
    if not (scope.boundaries or "").strip():
        raise ServiceError(
            "Describe the boundaries of the AIMS: the activities, products and AI systems it covers. "
            "Exclusions are read against these boundaries.",
            field="boundaries",
        )


def _locked_scope(scope: ScopeStatement) -> ScopeStatement:
    """Re-read the scope under a row lock, so a status checked here is the status saved."""
    return ScopeStatement.objects.select_for_update().get(pk=scope.pk)


@transaction.atomic
def scope_draft_create(*, actor, organisation, data: dict) -> ScopeStatement:
    """Start the next version of the AIMS scope (clause 4.3) as a draft: the highest version + 1.

    One draft at a time: a second draft would fork the scope. The UI prefills the draft from the current
    approved version (``selectors.scope_draft_initial``); only the scope texts are taken from ``data``.
    """
    _lock_scope_versions(organisation)
    versions = ScopeStatement.objects.filter(organisation=organisation)
    draft = versions.filter(status=ScopeStatus.DRAFT).first()
    if draft is not None:
        raise ServiceError(
            f"Version {draft.version} is already a draft in progress: edit or approve it first.", conflict=True
        )
    version = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
    fields = {name: data[name] for name in SCOPE_FIELDS if name in data}
    scope = ScopeStatement(organisation=organisation, version=version, status=ScopeStatus.DRAFT, **fields)
    _validate_scope(scope)
    with _model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=f"Draft of version {version} started")
    return scope


@transaction.atomic
def scope_update(*, actor, scope: ScopeStatement, data: dict, reason: str = "Draft edited") -> ScopeStatement:
    """Edit a draft scope. An approved or superseded version is a record of what was agreed: never edited."""
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()} and cannot be edited: "
            "start a new version instead.",
            conflict=True,
        )
    for name in SCOPE_FIELDS:
        if name in data:
            setattr(scope, name, data[name])
    scope.status = current.status
    _validate_scope(scope)
    with _model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=reason)
    return scope


@transaction.atomic
def scope_approve(*, actor, scope: ScopeStatement) -> ScopeStatement:
    """Approve a draft scope: it becomes the current scope and the previously approved one is superseded.

    Records who approved it and when (clause 4.3 asks for the scope as documented information; clause
    7.5.2 for its review and approval).
    """
    if not can(actor, "approve", scope, scope.organisation):
        raise PermissionDenied("Only a member who may approve can approve the AIMS scope.")
    _lock_scope_versions(scope.organisation)
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()}: only a draft can be approved.",
            conflict=True,
        )
    _validate_scope(current)
    previous = ScopeStatement.objects.filter(organisation=current.organisation, status=ScopeStatus.APPROVED).exclude(
        pk=current.pk
    )
    for old in previous:
        old.status = ScopeStatus.SUPERSEDED
        save_with_history(
            old, actor=actor, reason=f"Superseded by version {current.version}", update_fields=["status", "updated_at"]
        )
    current.status = ScopeStatus.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    save_with_history(
        current, actor=actor, reason="Approved", update_fields=["status", "approved_by", "approved_at", "updated_at"]
    )
    # The caller's instance shows the approval too.
    scope.status, scope.approved_by, scope.approved_at = current.status, current.approved_by, current.approved_at
    return current


@transaction.atomic
def scope_draft_delete(*, actor, scope: ScopeStatement) -> None:
    """Discard a draft. Approved and superseded versions are kept: they show how the scope evolved."""
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()}; only a draft can be deleted.",
            conflict=True,
        )
    delete_with_history(current, actor=actor, reason="Draft discarded")


@transaction.atomic
def context_issue_create(*, actor, organisation, data: dict) -> ContextIssue:
    """Record an internal or external issue and its effect on the AIMS (clause 4.1)."""
    _check_reference_free(ContextIssue, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
        return create_record(
            ContextIssue,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Recorded",
            member_fields=CONTEXT_MEMBER_FIELDS,
        )


@transaction.atomic
def context_issue_update(*, actor, issue: ContextIssue, data: dict, reason: str = "Edited") -> ContextIssue:
    _check_reference_free(ContextIssue, issue.organisation, data.get("reference"), exclude_pk=issue.pk)
    with _model_errors_as_service_errors():
        update_record(issue, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return issue


@transaction.atomic
def context_issue_delete(*, actor, issue: ContextIssue) -> None:
    delete_with_history(issue, actor=actor, reason="Deleted")


def _validate_interested_party(*, addressed: bool, how_addressed: str) -> None:
    if addressed and not (how_addressed or "").strip():
        raise ServiceError(
            "Say how the AIMS addresses these requirements (a policy, a control, a process).", field="how_addressed"
        )


@transaction.atomic
def interested_party_create(*, actor, organisation, data: dict) -> InterestedParty:
    """Record an interested party, its relevant requirements and whether the AIMS addresses them (clause 4.2)."""
    _validate_interested_party(addressed=data.get("addressed", False), how_addressed=data.get("how_addressed", ""))
    _check_reference_free(InterestedParty, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
        return create_record(
            InterestedParty,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Recorded",
            member_fields=CONTEXT_MEMBER_FIELDS,
        )


@transaction.atomic
def interested_party_update(*, actor, party: InterestedParty, data: dict, reason: str = "Edited") -> InterestedParty:
    _validate_interested_party(
        addressed=data.get("addressed", party.addressed), how_addressed=data.get("how_addressed", party.how_addressed)
    )
    _check_reference_free(InterestedParty, party.organisation, data.get("reference"), exclude_pk=party.pk)
    with _model_errors_as_service_errors():
        update_record(party, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return party


@transaction.atomic
def interested_party_delete(*, actor, party: InterestedParty) -> None:
    delete_with_history(party, actor=actor, reason="Deleted")


# EU AI Act classification ----------------------------------------------------------------------------


@transaction.atomic
def ai_system_classify(*, actor, system: AISystem, answers: dict) -> Classification:
    """Classify ``system`` under the EU AI Act from the questionnaire ``answers`` (Regulation (EU) 2024/1689).

    The decision is ``registry.classification.classify``; this records it as a new ``Classification`` (earlier
    ones stay, as history) and copies the tier to ``system.eu_tier`` for filtering. Knowing the legal
    obligations that apply to each system is part of the organisation's context (ISO/IEC 42001 clause 4.1).
    Missing ``operator_role`` defaults to the system's own role. Unknown questions or answers raise
    ``ServiceError`` naming each field; nothing is saved then.
    """
    if not isinstance(answers, dict):
        raise ServiceError("Send the answers as an object of question: answer.")
    try:
        parsed = parse_answers({"operator_role": system.operator_role, **answers})
    except InvalidAnswers as exc:
        raise ServiceError(exc.errors) from exc
    result = classify(parsed)
    classification = Classification(
        organisation=system.organisation,
        ai_system=system,
        answers=parsed.as_dict(),
        tier=result.tier,
        basis=result.basis,
        operator_role=result.operator_role,
        obligations=result.obligations_data(),
        reasons=result.reasons_data(),
        classified_by=actor,
    )
    classification._history_user = actor
    classification._change_reason = "Classified"
    # An importer of a minimal-risk system has no obligations: an empty list is a valid result here.
    classification.full_clean(exclude=["obligations"])
    classification.save()
    system.eu_tier = result.tier
    save_with_history(
        system,
        actor=actor,
        reason=f"Classified under the EU AI Act: {classification.get_tier_display()}",
        update_fields=["eu_tier", "updated_at"],
    )
    return classification
