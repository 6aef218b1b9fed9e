"""Changes to the organisation's controls, and the links from risks and treatment actions to them
(ISO/IEC 42001 clause 6.1.3: controls chosen to treat risks; 8.3 the treatment plan carried out)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from aims.services import (
    ServiceError,
    check_reference_free,
    check_same_organisation,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    update_record,
)
from controls.constants import CheckFrequency, ControlType, ImplementationStatus
from controls.models import Control

CONTROL_FIELDS = (
    "reference",
    "title",
    "description",
    "owner",
    "control_type",
    "implementation_status",
    "requirements",
    "ai_systems",
    "risks",
    "treatment_actions",
    "check_frequency",
    "last_checked",
    "last_check_result",
    "last_check_note",
    "next_review",
)
FREQUENCY_DAYS = {
    CheckFrequency.CONTINUOUS: 90,
    CheckFrequency.MONTHLY: 31,
    CheckFrequency.QUARTERLY: 92,
    CheckFrequency.HALF_YEARLY: 183,
    CheckFrequency.ANNUALLY: 365,
}


def _pick(data: dict) -> dict:
    return {name: data[name] for name in CONTROL_FIELDS if name in data}


def _check_requirements(organisation, requirements) -> None:
    """A control satisfies shipped requirements or the organisation's own, never another organisation's."""
    for requirement in requirements or []:
        if requirement.organisation_id not in (None, organisation.pk):
            raise ServiceError(
                gettext("Choose requirements of the shipped frameworks or your own."), field="requirements"
            )


def _with_action_risks(values: dict, current_risks=()) -> dict:
    """Linking a treatment action links its risk too: the control treats that risk."""
    actions = values.get("treatment_actions")
    if actions is None:
        return values
    risks = list(values.get("risks", current_risks))
    known = {risk.pk for risk in risks}
    for action in actions:
        if action.risk_id not in known:
            risks.append(action.risk)
            known.add(action.risk_id)
    return {**values, "risks": risks}


@transaction.atomic
def control_create(*, actor, organisation, data: dict) -> Control:
    """Record a control the organisation runs (or plans), with what it satisfies and treats."""
    values = _with_action_risks(_pick(data))
    values.setdefault("control_type", ControlType.PROCESS)
    values["owner"] = values.get("owner") or actor  # someone is always accountable
    check_reference_free(Control, organisation, values.get("reference"))
    _check_requirements(organisation, values.get("requirements"))
    with model_errors_as_service_errors():
        return create_record(
            Control, actor=actor, organisation=organisation, data=values, reason="Created", member_fields=("owner",)
        )


@transaction.atomic
def control_update(*, actor, control: Control, data: dict, reason: str = "Edited") -> Control:
    values = _pick(data)
    if not values.get("reference", "x"):
        values.pop("reference")  # left empty on an edit: keep the current reference
    if "treatment_actions" in values:
        values = _with_action_risks(values, current_risks=list(control.risks.all()))
    if "reference" in values:
        check_reference_free(Control, control.organisation, values["reference"], exclude_pk=control.pk)
    _check_requirements(control.organisation, values.get("requirements"))
    with model_errors_as_service_errors():
        update_record(control, actor=actor, data=values, reason=reason, member_fields=("owner",))
    return control


@transaction.atomic
def control_delete(*, actor, control: Control) -> None:
    """Delete a control; its evidence stays (unlinked), roadmap actions lose the link."""
    delete_with_history(control, actor=actor, reason="Deleted")


@transaction.atomic
def control_record_check(
    *, actor, control: Control, checked_on: dt.date, result: str, note: str = "", next_review: dt.date | None = None
) -> Control:
    """Record a test or check of the control (clause 9.1); the next review follows the check frequency
    unless given."""
    if checked_on > timezone.localdate():
        raise ServiceError(gettext("A check cannot be recorded in the future."), field="checked_on")
    control.last_checked = checked_on
    control.last_check_result = result
    control.last_check_note = note
    if next_review is None and control.check_frequency in FREQUENCY_DAYS:
        next_review = checked_on + dt.timedelta(days=FREQUENCY_DAYS[control.check_frequency])
    if next_review is not None:
        control.next_review = next_review
    with model_errors_as_service_errors():
        save_with_history(control, actor=actor, reason=f"Checked on {checked_on:%Y-%m-%d}")
    return control


@transaction.atomic
def control_link_risk(*, actor, control: Control, risk, treatment_action=None) -> Control:
    """Link an existing control to a risk (and to one of its treatment actions), from the risk's page."""
    check_same_organisation(control.organisation, {"risk": risk, "treatment_action": treatment_action})
    if treatment_action is not None and treatment_action.risk_id != risk.pk:
        raise ServiceError(gettext("The treatment action belongs to another risk."), field="treatment_action")
    control.risks.add(risk)
    if treatment_action is not None:
        control.treatment_actions.add(treatment_action)
    label = treatment_action.reference if treatment_action is not None else risk.reference
    save_with_history(control, actor=actor, reason=f"Linked to {label}")
    return control


@transaction.atomic
def control_unlink_risk(*, actor, control: Control, risk) -> Control:
    """Remove the link between a control and a risk, with the risk's treatment actions."""
    control.risks.remove(risk)
    control.treatment_actions.remove(*control.treatment_actions.filter(risk=risk))
    save_with_history(control, actor=actor, reason=f"Unlinked from {risk.reference}")
    return control


@transaction.atomic
def control_create_for_treatment(*, actor, treatment_action, data: dict) -> Control:
    """A new control that implements ``treatment_action``: it treats the action's risk and applies to the
    risk's AI systems unless the data says otherwise."""
    risk = treatment_action.risk
    values = dict(data)
    values.setdefault("owner", treatment_action.owner or risk.owner)
    values["treatment_actions"] = [*values.get("treatment_actions", []), treatment_action]
    values.setdefault("ai_systems", list(risk.ai_systems.all()))
    values.setdefault("implementation_status", ImplementationStatus.PLANNED)
    return control_create(actor=actor, organisation=treatment_action.organisation, data=values)
