"""AIMS scope, context issues and interested parties (ISO/IEC 42001 clauses 4.1–4.3)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from aims.permissions import can
from aims.services import (
    ServiceError,
    check_reference_free,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    update_record,
)
from registry.constants import (
    ScopeStatus,
    inline_label,
)
from registry.models import (
    ContextIssue,
    InterestedParty,
    ScopeStatement,
)

# --- AIMS scope, context issues and interested parties (ISO/IEC 42001 clauses 4.1–4.3) ---------------

SCOPE_FIELDS = ("boundaries", "units", "locations", "ai_roles", "exclusions")
CONTEXT_MEMBER_FIELDS = ("owner",)


def _lock_scope_versions(organisation) -> None:
    """Serialise scope versioning per organisation: two drafts or two approvals never race."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()


def _validate_scope(scope: ScopeStatement) -> None:
    if not (scope.boundaries or "").strip():
        raise ServiceError(
            _(
                "Describe the boundaries of the AIMS: the activities, products and AI systems it covers. "
                "Exclusions are read against these boundaries."
            ),
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
            _("Version %(version)s is already a draft in progress: edit or approve it first.")
            % {"version": draft.version},
            conflict=True,
        )
    version = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
    fields = {name: data[name] for name in SCOPE_FIELDS if name in data}
    scope = ScopeStatement(organisation=organisation, version=version, status=ScopeStatus.DRAFT, **fields)
    _validate_scope(scope)
    with model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=f"Draft of version {version} started")
    return scope


@transaction.atomic
def scope_update(*, actor, scope: ScopeStatement, data: dict, reason: str = "Draft edited") -> ScopeStatement:
    """Edit a draft scope. An approved or superseded version is a record of what was agreed: never edited."""
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            _("Version %(version)s is %(status)s and cannot be edited: start a new version instead.")
            % {"version": current.version, "status": inline_label(current.get_status_display())},
            conflict=True,
        )
    for name in SCOPE_FIELDS:
        if name in data:
            setattr(scope, name, data[name])
    scope.status = current.status
    _validate_scope(scope)
    with model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=reason)
    return scope


@transaction.atomic
def scope_approve(*, actor, scope: ScopeStatement) -> ScopeStatement:
    """Approve a draft scope: it becomes the current scope and the previously approved one is superseded.

    Records who approved it and when (clause 4.3 asks for the scope as documented information; clause
    7.5.2 for its review and approval).
    """
    if not can(actor, "approve", scope, scope.organisation):
        raise PermissionDenied(_("Only a member who may approve can approve the AIMS scope."))
    _lock_scope_versions(scope.organisation)
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            _("Version %(version)s is %(status)s: only a draft can be approved.")
            % {"version": current.version, "status": inline_label(current.get_status_display())},
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
            _("Version %(version)s is %(status)s; only a draft can be deleted.")
            % {"version": current.version, "status": inline_label(current.get_status_display())},
            conflict=True,
        )
    delete_with_history(current, actor=actor, reason="Draft discarded")


@transaction.atomic
def context_issue_create(*, actor, organisation, data: dict) -> ContextIssue:
    """Record an internal or external issue and its effect on the AIMS (clause 4.1)."""
    check_reference_free(ContextIssue, organisation, data.get("reference"))
    with model_errors_as_service_errors():
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
    check_reference_free(ContextIssue, issue.organisation, data.get("reference"), exclude_pk=issue.pk)
    with model_errors_as_service_errors():
        update_record(issue, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return issue


@transaction.atomic
def context_issue_delete(*, actor, issue: ContextIssue) -> None:
    delete_with_history(issue, actor=actor, reason="Deleted")


def _validate_interested_party(*, addressed: bool, how_addressed: str) -> None:
    if addressed and not (how_addressed or "").strip():
        raise ServiceError(
            _("Say how the AIMS addresses these requirements (a policy, a control, a process)."), field="how_addressed"
        )


@transaction.atomic
def interested_party_create(*, actor, organisation, data: dict) -> InterestedParty:
    """Record an interested party, its relevant requirements and whether the AIMS addresses them (clause 4.2)."""
    _validate_interested_party(addressed=data.get("addressed", False), how_addressed=data.get("how_addressed", ""))
    check_reference_free(InterestedParty, organisation, data.get("reference"))
    with model_errors_as_service_errors():
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
    check_reference_free(InterestedParty, party.organisation, data.get("reference"), exclude_pk=party.pk)
    with model_errors_as_service_errors():
        update_record(party, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return party


@transaction.atomic
def interested_party_delete(*, actor, party: InterestedParty) -> None:
    delete_with_history(party, actor=actor, reason="Deleted")
