"""Changes to the roadmap: planned actions that close the gaps of the gap analysis (the seed's practical
first steps: owner, phase and due date for each)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.services import (
    ServiceError,
    check_reference_free,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    update_record,
)
from controls.constants import GapKind, RoadmapStatus
from controls.models import RoadmapAction

ROADMAP_FIELDS = (
    "reference",
    "title",
    "description",
    "phase",
    "status",
    "due_date",
    "owner",
    "requirement",
    "control",
    "gap_kind",
)
GAP_TITLES = {
    GapKind.NO_CONTROL: _("Design and put in place a control for %(identifier)s %(title)s"),
    GapKind.NOT_IMPLEMENTED: _("Finish implementing the control for %(identifier)s %(title)s"),
    GapKind.NO_EVIDENCE: _("Collect evidence for %(identifier)s %(title)s"),
    GapKind.EVIDENCE_EXPIRED: _("Renew the expired evidence for %(identifier)s %(title)s"),
}


def _pick(data: dict) -> dict:
    return {name: data[name] for name in ROADMAP_FIELDS if name in data}


def _check(organisation, values: dict) -> None:
    requirement = values.get("requirement")
    if requirement is not None and requirement.organisation_id not in (None, organisation.pk):
        raise ServiceError(gettext("Choose a requirement of the shipped frameworks or your own."), field="requirement")


def _completion(values: dict, action: RoadmapAction | None = None) -> dict:
    """Done actions carry when they were done; reopening clears it."""
    status = values.get("status", action.status if action else RoadmapStatus.PLANNED)
    completed = action.completed_at if action else None
    if status == RoadmapStatus.DONE:
        return {**values, "completed_at": completed or timezone.now()}
    return {**values, "completed_at": None}


def gap_title(requirement, gap_kind: str) -> str:
    template = GAP_TITLES.get(gap_kind) or _("Close the gap for %(identifier)s %(title)s")
    return (str(template) % {"identifier": requirement.identifier, "title": requirement.title})[:200]


@transaction.atomic
def roadmap_action_create(*, actor, organisation, data: dict) -> RoadmapAction:
    """Plan an action, usually from a gap (``requirement`` and ``gap_kind``); its title defaults from the gap."""
    values = _pick(data)
    if not (values.get("title") or "").strip():
        requirement = values.get("requirement")
        if requirement is None:
            raise ServiceError(gettext("Give the action a title."), field="title")
        values["title"] = gap_title(requirement, values.get("gap_kind") or "")
    check_reference_free(RoadmapAction, organisation, values.get("reference"))
    _check(organisation, values)
    values = _completion(values)
    values["owner"] = values.get("owner") or actor  # someone is always accountable
    requirement = values.get("requirement")
    reason = f"Planned from the gap in {requirement.identifier}" if requirement is not None else "Planned"
    with model_errors_as_service_errors():
        return create_record(
            RoadmapAction, actor=actor, organisation=organisation, data=values, reason=reason, member_fields=("owner",)
        )


@transaction.atomic
def roadmap_action_update(*, actor, action: RoadmapAction, data: dict, reason: str = "Edited") -> RoadmapAction:
    values = _pick(data)
    if not values.get("reference", "x"):
        values.pop("reference")  # left empty on an edit: keep the current reference
    if "reference" in values:
        check_reference_free(RoadmapAction, action.organisation, values["reference"], exclude_pk=action.pk)
    _check(action.organisation, values)
    values = _completion(values, action)
    with model_errors_as_service_errors():
        update_record(action, actor=actor, data=values, reason=reason, member_fields=("owner",))
    return action


@transaction.atomic
def roadmap_action_delete(*, actor, action: RoadmapAction) -> None:
    delete_with_history(action, actor=actor, reason="Deleted")
