"""AI systems: registration, changes, reviews and reassessment (Annex A.4, A.6)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.events import emit
from aims.services import (
    ServiceError,
    create_record,
    delete_with_history,
    save_with_history,
    split_fields,
    update_record,
)
from registry.constants import (
    DeploymentStatus,
)
from registry.models import (
    AISystem,
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
            _("Say why the system is in or out of the AIMS scope: an auditor asks either way."),
            field="scope_justification",
        )
    if system.deployment_status == DeploymentStatus.PRODUCTION and system.deployment_date is None:
        raise ServiceError(_("A system in production needs its deployment date."), field="deployment_date")
    if system.review_cadence_months < 1 or system.review_cadence_months > 60:
        raise ServiceError(_("Choose a review cadence between 1 and 60 months."), field="review_cadence_months")


@transaction.atomic
def ai_system_register(*, actor, organisation, data: dict) -> AISystem:
    """Register a new AI system in the inventory (Annex A.4.2 resources; A.6 life cycle)."""
    plain, _ = split_fields(AISystem, data)
    probe = AISystem(organisation=organisation, **plain)
    _validate_ai_system(probe)
    next_review = add_months(probe.last_reviewed or timezone.localdate(), probe.review_cadence_months)
    system = create_record(
        AISystem,
        actor=actor,
        organisation=organisation,
        data={**data, "next_review": next_review},
        reason="Registered",
        member_fields=AI_SYSTEM_MEMBER_FIELDS,
    )
    emit(organisation, "ai_system.created", {"ai_system": system})
    return system


@transaction.atomic
def ai_system_update(*, actor, system: AISystem, data: dict, reason: str = "Edited") -> AISystem:
    if system.pk in [s.pk for s in data.get("depends_on", [])]:
        raise ServiceError(_("A system cannot depend on itself."), field="depends_on")
    changed = [n for n, v in data.items() if n not in ("suppliers", "depends_on") and getattr(system, n) != v]
    for name, value in data.items():
        if name not in ("suppliers", "depends_on"):
            setattr(system, name, value)
    _validate_ai_system(system)
    system.next_review = ai_system_next_review(system)
    data = {**data, "next_review": system.next_review}
    update_record(system, actor=actor, data=data, reason=reason, member_fields=AI_SYSTEM_MEMBER_FIELDS)
    emit(system.organisation, "ai_system.updated", {"ai_system": system, "changed": changed})
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
