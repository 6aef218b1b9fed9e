"""Changes to policies (ISO/IEC 42001 clause 5.2 AI policy; Annex A.2.2–A.2.4): drafting, review, approval
and new versions. Approving a version retires the version approved before it; approved text never changes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from aims.permissions import can
from aims.services import (
    ServiceError,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    update_record,
)
from controls.constants import ISO42001_KEY, PolicyKind, PolicyStatus
from controls.models import Policy, Requirement

POLICY_FIELDS = (
    "reference",
    "kind",
    "title",
    "body",
    "document",
    "change_summary",
    "owner",
    "review_date",
    "requirements",
)
AI_POLICY_REQUIREMENTS = ("5.2", "A.2.2")


def _pick(data: dict) -> dict:
    return {name: data[name] for name in POLICY_FIELDS if name in data}


def _check_requirements(organisation, requirements) -> None:
    for requirement in requirements or []:
        if requirement.organisation_id not in (None, organisation.pk):
            raise ServiceError(
                gettext("Choose requirements of the shipped frameworks or your own."), field="requirements"
            )


def _latest(organisation, reference: str) -> Policy | None:
    return Policy.objects.filter(organisation=organisation, reference=reference).order_by("-version").first()


@transaction.atomic
def policy_create(*, actor, organisation, data: dict) -> Policy:
    """Start a policy as draft version 1. An AI policy answers 5.2 and A.2.2 unless told otherwise."""
    values = _pick(data)
    reference = values.get("reference")
    if reference and Policy.objects.filter(organisation=organisation, reference=reference).exists():
        raise ServiceError(
            gettext("%(reference)s is already used in this organisation.") % {"reference": reference}, field="reference"
        )
    if values.get("kind") == PolicyKind.AI_POLICY and not values.get("requirements"):
        values["requirements"] = list(
            Requirement.objects.filter(
                framework__key=ISO42001_KEY, framework__organisation__isnull=True, identifier__in=AI_POLICY_REQUIREMENTS
            )
        )
    _check_requirements(organisation, values.get("requirements"))
    values["owner"] = values.get("owner") or actor  # someone is always accountable
    with model_errors_as_service_errors():
        return create_record(
            Policy, actor=actor, organisation=organisation, data=values, reason="Drafted", member_fields=("owner",)
        )


def _fresh(policy: Policy) -> Policy:
    """The stored row, locked: a caller's copy may be stale (another version approved since) or already carry a
    bound form's values."""
    return Policy.objects.select_for_update().get(pk=policy.pk)


def _require_editable(policy: Policy) -> None:
    if not policy.is_editable:
        raise ServiceError(
            gettext("Version %(version)s is %(status)s and cannot be changed; start a new version instead.")
            % {"version": policy.version, "status": policy.get_status_display().lower()},
            conflict=True,
        )


@transaction.atomic
def policy_update(*, actor, policy: Policy, data: dict, reason: str = "Edited") -> Policy:
    policy = _fresh(policy)
    _require_editable(policy)
    values = _pick(data)
    values.pop("reference", None)  # the reference is shared by every version
    _check_requirements(policy.organisation, values.get("requirements"))
    with model_errors_as_service_errors():
        update_record(policy, actor=actor, data=values, reason=reason, member_fields=("owner",))
    return policy


def _require_content(policy: Policy) -> None:
    if not (policy.body or "").strip() and policy.document_id is None:
        raise ServiceError(gettext("Write the policy text or attach a document first."), field="body")


@transaction.atomic
def policy_submit(*, actor, policy: Policy) -> Policy:
    """Send a draft for review."""
    policy = _fresh(policy)
    if policy.status != PolicyStatus.DRAFT:
        raise ServiceError(gettext("Only a draft can be sent for review."), conflict=True)
    _require_content(policy)
    policy.status = PolicyStatus.IN_REVIEW
    save_with_history(policy, actor=actor, reason="Sent for review")
    return policy


@transaction.atomic
def policy_return_to_draft(*, actor, policy: Policy, comment: str = "") -> Policy:
    policy = _fresh(policy)
    if policy.status != PolicyStatus.IN_REVIEW:
        raise ServiceError(gettext("Only a version in review can go back to draft."), conflict=True)
    policy.status = PolicyStatus.DRAFT
    reason = "Returned to draft" + (f": {comment.strip()}" if comment.strip() else "")
    save_with_history(policy, actor=actor, reason=reason[:100])
    return policy


@transaction.atomic
def policy_approve(*, actor, policy: Policy, review_date=None) -> Policy:
    """Approve a draft or reviewed version (officers). The version approved before it is retired."""
    if not can(actor, "approve", policy, policy.organisation):
        raise PermissionDenied
    policy = _fresh(policy)
    if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
        raise ServiceError(
            gettext("Version %(version)s is %(status)s already.")
            % {"version": policy.version, "status": policy.get_status_display().lower()},
            conflict=True,
        )
    _require_content(policy)
    now = timezone.now()
    previous = Policy.objects.select_for_update().filter(
        organisation=policy.organisation, reference=policy.reference, status=PolicyStatus.APPROVED
    )
    for old in previous:
        old.status = PolicyStatus.RETIRED
        old.retired_at = now
        save_with_history(old, actor=actor, reason=f"Retired: version {policy.version} approved")
    policy.status = PolicyStatus.APPROVED
    policy.approved_by = actor
    policy.approved_at = now
    if review_date is not None:
        policy.review_date = review_date
    save_with_history(policy, actor=actor, reason="Approved")
    return policy


@transaction.atomic
def policy_new_version(*, actor, policy: Policy) -> Policy:
    """Start the next draft version from ``policy`` (its text, links and owner); one draft at a time."""
    organisation = policy.organisation
    latest = _latest(organisation, policy.reference)
    if latest is not None and latest.is_editable:
        raise ServiceError(
            gettext("Version %(version)s is already being drafted; edit that one instead.")
            % {"version": latest.version},
            conflict=True,
        )
    number = (
        Policy.objects.filter(organisation=organisation, reference=policy.reference).aggregate(n=Max("version"))["n"]
        or 0
    ) + 1
    draft = Policy(
        organisation=organisation,
        reference=policy.reference,
        kind=policy.kind,
        title=policy.title,
        version=number,
        body=policy.body,
        document=policy.document,
        owner=policy.owner,
        review_date=policy.review_date,
    )
    with model_errors_as_service_errors():
        save_with_history(draft, actor=actor, reason=f"Version {number} started from version {policy.version}")
    draft.requirements.set(policy.requirements.all())
    return draft


@transaction.atomic
def policy_retire(*, actor, policy: Policy, reason: str = "") -> Policy:
    """Withdraw an approved policy without a successor."""
    if not can(actor, "approve", policy, policy.organisation):
        raise PermissionDenied
    policy = _fresh(policy)
    if policy.status != PolicyStatus.APPROVED:
        raise ServiceError(gettext("Only the approved version can be retired."), conflict=True)
    policy.status = PolicyStatus.RETIRED
    policy.retired_at = timezone.now()
    save_with_history(policy, actor=actor, reason=("Retired" + (f": {reason.strip()}" if reason.strip() else ""))[:100])
    return policy


@transaction.atomic
def policy_delete(*, actor, policy: Policy) -> None:
    """Only a version never approved may be deleted: approved and retired versions are the record."""
    policy = _fresh(policy)
    if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
        raise ServiceError(
            gettext("Approved and retired versions are kept as the record; they cannot be deleted."), conflict=True
        )
    delete_with_history(policy, actor=actor, reason="Deleted")
