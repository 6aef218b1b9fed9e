"""The risk register and treatment (ISO/IEC 42001 clauses 6.1.2, 6.1.3, 8.2, 8.3).

Scores are checked against the risk's criteria version and levels come from ``risk.scoring``; statuses move
identified → assessed → treatment planned → treated from the data, and to accepted or closed by decision.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.events import emit
from aims.permissions import can
from aims.services import ServiceError, check_members, check_same_organisation, delete_with_history, save_with_history
from risk import annex_c, scoring
from risk.constants import OPEN_ACTION_STATUSES, ActionStatus, CriteriaStatus, RiskStatus, TreatmentOption
from risk.models import Risk, RiskCriteria, TreatmentAction
from risk.services.common import add_months, check_reference_free, model_errors_as_service_errors, require_text
from risk.services.criteria import criteria_current, criteria_ensure

RISK_FIELDS = (
    "reference",
    "risk_type",
    "title",
    "cause",
    "event",
    "consequence",
    "ai_systems",
    "lifecycle_stage",
    "category",
    "risk_source",
    "objectives",
    "owner",
    "existing_controls",
    "treatment_option",
    "treatment_plan",
    "next_review",
)
SCORE_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
ACTION_FIELDS = ("reference", "title", "description", "owner", "due_date", "status", "completion_note", "controls_note")


# --- Checks ---------------------------------------------------------------------------------------------


def _check_objectives(value) -> str:
    keys = [key.strip() for key in (value or "").split(",") if key.strip()] if isinstance(value, str) else value
    known = {key for key, _ in annex_c.objective_choices()}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ServiceError(
            gettext("Unknown Annex C objectives: %(keys)s.") % {"keys": ", ".join(unknown)}, field="objectives"
        )
    return ",".join(dict.fromkeys(keys))


def _check_fields(data: dict) -> None:
    unknown = set(data) - set(RISK_FIELDS) - set(SCORE_FIELDS)
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be set here.")] for name in sorted(unknown)})


CLOSED_REFUSALS = {
    "accept it": _("%(reference)s is closed: reopen it before you accept it."),
    "close it": _("%(reference)s is closed: reopen it before you close it."),
    "edit it": _("%(reference)s is closed: reopen it before you edit it."),
    "plan actions": _("%(reference)s is closed: reopen it before you plan actions."),
    "plan its treatment": _("%(reference)s is closed: reopen it before you plan its treatment."),
    "rescore it": _("%(reference)s is closed: reopen it before you rescore it."),
    "score it": _("%(reference)s is closed: reopen it before you score it."),
}


def _require_open(risk: Risk, what: str) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise ServiceError(CLOSED_REFUSALS[what] % {"reference": risk.reference}, conflict=True)


def _scored(criteria: RiskCriteria, risk: Risk, scores: dict) -> dict:
    """Validate new scores (merged with the risk's current ones) and return the fields to set, levels included.

    Refuses scores outside the criteria's scales, half a score, a residual without an inherent score, and a
    residual above the inherent risk. Raises ``ServiceError`` naming each bad field.
    """
    merged = {name: scores.get(name, getattr(risk, name)) for name in SCORE_FIELDS}
    fields: dict = {}
    errors: dict[str, list[str]] = {}
    for prefix in ("inherent", "residual"):
        likelihood, impact = merged[f"{prefix}_likelihood"], merged[f"{prefix}_impact"]
        if likelihood is None and impact is None:
            fields.update({f"{prefix}_likelihood": None, f"{prefix}_impact": None, f"{prefix}_level": ""})
            continue
        if likelihood is None or impact is None:
            missing = f"{prefix}_likelihood" if likelihood is None else f"{prefix}_impact"
            errors[missing] = [
                gettext("Give both the inherent likelihood and the inherent impact.")
                if prefix == "inherent"
                else gettext("Give both the residual likelihood and the residual impact.")
            ]
            continue
        problems = scoring.score_errors(likelihood, impact, criteria.n_likelihood, criteria.n_impact, prefix=prefix)
        if problems:
            errors.update(problems)
            continue
        fields.update(
            {
                f"{prefix}_likelihood": likelihood,
                f"{prefix}_impact": impact,
                f"{prefix}_level": scoring.level_for(criteria.matrix, likelihood, impact),
            }
        )
    if errors:
        raise ServiceError(errors)
    if fields["residual_level"] and not fields["inherent_level"]:
        raise ServiceError(gettext("Score the inherent risk before the residual risk."), field="residual_likelihood")
    if fields["residual_level"]:
        problems = scoring.residual_errors(
            criteria.matrix,
            (fields["inherent_likelihood"], fields["inherent_impact"]),
            (fields["residual_likelihood"], fields["residual_impact"]),
        )
        if problems:
            raise ServiceError(problems)
    return fields


def derived_status(risk: Risk, *, open_actions: int | None = None, any_actions: bool | None = None) -> str:
    """Where the data puts a risk that is neither accepted nor closed."""
    if not risk.inherent_level:
        return RiskStatus.IDENTIFIED
    if risk.pk is not None:
        if open_actions is None:
            open_actions = risk.actions.filter(status__in=OPEN_ACTION_STATUSES).count()
        if any_actions is None:
            any_actions = risk.actions.exclude(status=ActionStatus.CANCELLED).exists()
    planned = bool(risk.treatment_option) or bool(any_actions)
    if not planned:
        return RiskStatus.ASSESSED
    if risk.residual_level and not open_actions:
        return RiskStatus.TREATED
    return RiskStatus.TREATMENT_PLANNED


def _next_review(criteria: RiskCriteria, level: str):
    months = criteria.review_months_for(level) if level else None
    return add_months(timezone.localdate(), months) if months else None


def _apply_scores(risk: Risk, fields: dict) -> list[str]:
    """Set score fields; a change of level voids an acceptance (a new level needs a new decision)."""
    notes = []
    before = (risk.inherent_level, risk.residual_level)
    for name, value in fields.items():
        setattr(risk, name, value)
    if (risk.inherent_level, risk.residual_level) != before and not risk._state.adding:
        emit(
            risk.organisation,
            "risk.level_changed",
            {"risk": risk, "from": before, "to": (risk.inherent_level, risk.residual_level)},
        )
    if (risk.inherent_level, risk.residual_level) != before and risk.status == RiskStatus.ACCEPTED:
        notes.append(f"acceptance at {risk.get_accepted_level_display().lower()} no longer applies")
        risk.status = RiskStatus.ASSESSED  # re-derived by the caller
        risk.accepted_by = risk.acceptance_approver = None
        risk.accepted_at = None
        risk.accepted_level = risk.acceptance_comment = ""
    return notes


def _refresh_status(risk: Risk) -> None:
    if risk.status not in (RiskStatus.ACCEPTED, RiskStatus.CLOSED):
        risk.status = derived_status(risk)


def _save(risk: Risk, *, actor, reason: str) -> Risk:
    with model_errors_as_service_errors():
        return save_with_history(risk, actor=actor, reason=reason)


# --- Risks ----------------------------------------------------------------------------------------------


@transaction.atomic
def risk_create(*, actor, organisation, data: dict, reason: str = "Identified") -> Risk:
    """Record a risk or opportunity, scored (optionally) with the organisation's current criteria."""
    _check_fields(data)
    data = dict(data)
    scores = {name: data.pop(name) for name in SCORE_FIELDS if name in data}
    systems = list(data.pop("ai_systems", []) or [])
    require_text(data.get("title"), field="title", message=gettext("Give the risk a title."))
    data["objectives"] = _check_objectives(data.get("objectives", ""))
    check_same_organisation(organisation, {"ai_systems": systems})
    check_members(organisation, data, ("owner",))
    check_reference_free(Risk, organisation, data.get("reference"))
    criteria = criteria_ensure(organisation=organisation, actor=actor)
    risk = Risk(organisation=organisation, criteria=criteria, **data)
    _apply_scores(risk, _scored(criteria, risk, scores))
    risk.status = derived_status(risk, open_actions=0, any_actions=False)
    if risk.next_review is None:
        risk.next_review = _next_review(criteria, risk.current_level)
    risk.assign_reference()
    _save(risk, actor=actor, reason=reason)
    risk.ai_systems.set(systems)
    return risk


@transaction.atomic
def risk_update(*, actor, risk: Risk, data: dict, reason: str = "Edited") -> Risk:
    """Edit a risk. Score changes are checked like ``risk_score_*``; a changed level voids an acceptance."""
    _check_fields(data)
    _require_open(risk, "edit it")
    data = dict(data)
    scores = {name: data.pop(name) for name in SCORE_FIELDS if name in data}
    systems = data.pop("ai_systems", None)
    if "title" in data:
        require_text(data["title"], field="title", message=gettext("Give the risk a title."))
    if "objectives" in data:
        data["objectives"] = _check_objectives(data["objectives"])
    check_same_organisation(risk.organisation, {"ai_systems": systems or []})
    check_members(risk.organisation, data, ("owner",))
    check_reference_free(Risk, risk.organisation, data.get("reference"), exclude_pk=risk.pk)
    for name, value in data.items():
        setattr(risk, name, value)
    if "reference" in data:
        risk.assign_reference()
    notes = []
    if scores:
        criteria = risk.criteria or criteria_ensure(organisation=risk.organisation, actor=actor)
        risk.criteria = criteria
        notes = _apply_scores(risk, _scored(criteria, risk, scores))
        if "next_review" not in data:
            risk.next_review = _next_review(criteria, risk.current_level) or risk.next_review
    _refresh_status(risk)
    _save(risk, actor=actor, reason="; ".join([reason, *notes]))
    if systems is not None:
        risk.ai_systems.set(systems)
    return risk


def _score(*, actor, risk: Risk, prefix: str, likelihood, impact, reason: str | None) -> Risk:
    _require_open(risk, "score it")
    criteria = risk.criteria or criteria_ensure(organisation=risk.organisation, actor=actor)
    risk.criteria = criteria
    before = getattr(risk, f"{prefix}_level")
    fields = _scored(criteria, risk, {f"{prefix}_likelihood": likelihood, f"{prefix}_impact": impact})
    notes = _apply_scores(risk, fields)
    after = getattr(risk, f"{prefix}_level")
    risk.next_review = _next_review(criteria, risk.current_level) or risk.next_review
    _refresh_status(risk)
    summary = f"{prefix.capitalize()} risk scored L{likelihood} × I{impact} = {after}"
    if before and before != after:
        summary += f" (was {before})"
    return _save(risk, actor=actor, reason="; ".join([reason or summary, *notes]))


@transaction.atomic
def risk_score_inherent(*, actor, risk: Risk, likelihood: int, impact: int, reason: str | None = None) -> Risk:
    """Rate the risk before treatment on the risk's criteria (clause 6.1.2 analysis)."""
    return _score(actor=actor, risk=risk, prefix="inherent", likelihood=likelihood, impact=impact, reason=reason)


@transaction.atomic
def risk_score_residual(*, actor, risk: Risk, likelihood: int, impact: int, reason: str | None = None) -> Risk:
    """Rate the risk remaining after treatment; never above the inherent risk (clause 6.1.3)."""
    return _score(actor=actor, risk=risk, prefix="residual", likelihood=likelihood, impact=impact, reason=reason)


@transaction.atomic
def risk_plan_treatment(*, actor, risk: Risk, option: str, plan: str = "") -> Risk:
    """Choose how to treat the risk (modify, avoid, share, retain) and why (clause 6.1.3)."""
    _require_open(risk, "plan its treatment")
    if not risk.inherent_level:
        raise ServiceError(gettext("Score the inherent risk before choosing its treatment."), field="treatment_option")
    if option not in TreatmentOption.values:
        raise ServiceError(gettext("Choose modify, avoid, share or retain."), field="treatment_option")
    risk.treatment_option = option
    risk.treatment_plan = plan or ""
    _refresh_status(risk)
    return _save(risk, actor=actor, reason=f"Treatment chosen: {risk.get_treatment_option_display()}")


def can_accept(user, risk: Risk) -> bool:
    """The risk owner accepts their risk; members who may approve can accept on the organisation's behalf."""
    return risk.owner_id == user.pk or can(user, "approve", risk, risk.organisation)


@transaction.atomic
def risk_accept(*, actor, risk: Risk, comment: str, approver=None) -> Risk:
    """Accept the risk at its current level (residual, or inherent when untreated), with a comment.

    Within the appetite, the risk owner (or an approver of the organisation) accepts. Above it, the approver
    named in the criteria must accept it themselves or be recorded as having approved it (clause 6.1.3:
    risk owners approve treatment plans and the acceptance of residual risk).
    """
    _require_open(risk, "accept it")
    level = risk.current_level
    if not level:
        raise ServiceError(gettext("Score the risk before accepting it."))
    current = criteria_current(risk.organisation)
    criteria = risk.criteria
    if current is not None and criteria is not None and current.pk != criteria.pk:
        raise ServiceError(
            gettext(
                "%(reference)s was scored with criteria v%(version)s; rescore it with the current "
                "v%(current)s before accepting it."
            )
            % {"reference": risk.reference, "version": criteria.version, "current": current.version},
            conflict=True,
        )
    comment = require_text(comment, field="comment", message=gettext("Say why the risk is accepted."))
    if not can_accept(actor, risk):
        raise ServiceError(gettext("Only the risk owner or an approver can accept this risk."), field="owner")
    recorded = None
    if not scoring.within_appetite(level, criteria.appetite):
        named = criteria.appetite_approver
        if named is None:
            raise ServiceError(
                gettext(
                    "The level %(level)s is above the appetite (%(appetite)s) and the criteria name no approver "
                    "for that: name one in the risk criteria first."
                )
                % {"level": level, "appetite": criteria.appetite},
                field="approver",
            )
        if actor.pk == named.pk:
            recorded = actor
        elif approver is not None and approver.pk == named.pk:
            recorded = approver
        else:
            raise ServiceError(
                gettext(
                    "The level %(level)s is above the appetite (%(appetite)s): %(approver)s must accept it, or be "
                    "recorded as its approver."
                )
                % {"level": level, "appetite": criteria.appetite, "approver": named},
                field="approver",
            )
    risk.status = RiskStatus.ACCEPTED
    risk.accepted_by = actor
    risk.accepted_at = timezone.now()
    risk.accepted_level = level
    risk.acceptance_comment = comment
    risk.acceptance_approver = recorded
    risk.next_review = _next_review(criteria, level) or risk.next_review
    reason = f"Accepted at {level}"
    if recorded is not None:
        reason += f" above the appetite, approved by {recorded}"
    return _save(risk, actor=actor, reason=reason)


@transaction.atomic
def risk_close(*, actor, risk: Risk, reason: str) -> Risk:
    """Close a risk that no longer applies. Refused while treatment actions are open."""
    _require_open(risk, "close it")
    reason = require_text(reason, field="reason", message=gettext("Say why the risk is closed."))
    open_actions = list(risk.actions.filter(status__in=OPEN_ACTION_STATUSES).values_list("reference", flat=True))
    if open_actions:
        raise ServiceError(
            gettext("Complete or cancel the open treatment actions first (%(actions)s).")
            % {"actions": ", ".join(open_actions)},
            field="reason",
        )
    risk.status = RiskStatus.CLOSED
    risk.closed_at = timezone.now()
    risk.closure_reason = reason
    return _save(risk, actor=actor, reason=f"Closed: {reason}")


@transaction.atomic
def risk_reopen(*, actor, risk: Risk, reason: str) -> Risk:
    """Reopen a closed risk (it applies again); its status follows its data again."""
    if risk.status != RiskStatus.CLOSED:
        raise ServiceError(gettext("%(reference)s is not closed.") % {"reference": risk.reference}, conflict=True)
    reason = require_text(reason, field="reason", message=gettext("Say why the risk is reopened."))
    risk.closed_at = None
    risk.closure_reason = ""
    risk.status = derived_status(risk)
    return _save(risk, actor=actor, reason=f"Reopened: {reason}")


@transaction.atomic
def risk_rescore_with_criteria(
    *, actor, risk: Risk, criteria: RiskCriteria | None = None, inherent=None, residual=None
) -> Risk:
    """Move a risk to another criteria version (the current one by default), recorded in its history.

    Likelihood and impact are kept unless new ``inherent``/``residual`` ``(likelihood, impact)`` pairs are
    given; they must fit the new scales. Levels are looked up again; a changed level voids an acceptance.
    """
    _require_open(risk, "rescore it")
    target = criteria or criteria_ensure(organisation=risk.organisation, actor=actor)
    if target.organisation_id != risk.organisation_id:
        raise ServiceError(gettext("Select criteria of your own organisation."), field="criteria")
    if target.status != CriteriaStatus.APPROVED:
        raise ServiceError(
            gettext("Version %(version)s is not approved: risks are scored with approved criteria.")
            % {"version": target.version}
        )
    previous = risk.criteria
    if previous is not None and previous.pk == target.pk and inherent is None and residual is None:
        raise ServiceError(
            gettext("%(reference)s is already scored with criteria v%(version)s.")
            % {"reference": risk.reference, "version": target.version},
            conflict=True,
        )
    scores = {}
    if inherent is not None:
        scores["inherent_likelihood"], scores["inherent_impact"] = inherent
    if residual is not None:
        scores["residual_likelihood"], scores["residual_impact"] = residual
    before = (risk.inherent_level, risk.residual_level)
    fields = _scored(target, risk, scores)
    risk.criteria = target
    notes = _apply_scores(risk, fields)
    _refresh_status(risk)
    was = f"v{previous.version}" if previous else "no criteria"
    summary = (
        f"Rescored with criteria v{target.version} (was {was}): inherent {before[0] or '—'} → "
        f"{risk.inherent_level or '—'}, residual {before[1] or '—'} → {risk.residual_level or '—'}"
    )
    return _save(risk, actor=actor, reason="; ".join([summary, *notes]))


@transaction.atomic
def risk_delete(*, actor, risk: Risk) -> None:
    """Delete a risk recorded by mistake; its history keeps the deletion. Closing is the usual end of a risk."""
    delete_with_history(risk, actor=actor, reason="Deleted")


# --- Treatment actions ---------------------------------------------------------------------------------


def _check_action_fields(data: dict) -> None:
    unknown = set(data) - set(ACTION_FIELDS)
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be set here.")] for name in sorted(unknown)})
    if "status" in data and data["status"] not in ActionStatus.values:
        raise ServiceError(gettext("Choose a known status."), field="status")


def _after_action_change(*, actor, risk: Risk, reason: str) -> None:
    """A change to the plan can move the risk between treatment planned and treated."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status in (RiskStatus.ACCEPTED, RiskStatus.CLOSED):
        return
    status = derived_status(risk)
    if status != risk.status:
        risk.status = status
        _save(risk, actor=actor, reason=reason)


@transaction.atomic
def treatment_action_add(*, actor, risk: Risk, data: dict) -> TreatmentAction:
    """Add an action to the risk's treatment plan (clause 6.1.3, 8.3)."""
    _require_open(risk, "plan actions")
    _check_action_fields(data)
    require_text(data.get("title"), field="title", message=gettext("Say what the action is."))
    check_members(risk.organisation, data, ("owner",))
    check_reference_free(TreatmentAction, risk.organisation, data.get("reference"))
    action = TreatmentAction(organisation=risk.organisation, risk=risk, **data)
    if action.status == ActionStatus.DONE:
        action.completed_at = timezone.now()
    action.assign_reference()
    with model_errors_as_service_errors():
        save_with_history(action, actor=actor, reason=f"Planned for {risk.reference}")
    _after_action_change(actor=actor, risk=risk, reason=f"Treatment action {action.reference} planned")
    return action


@transaction.atomic
def treatment_action_update(*, actor, action: TreatmentAction, data: dict, reason: str = "Edited") -> TreatmentAction:
    """Edit an action; marking it done stamps ``completed_at`` and may move its risk to treated."""
    _check_action_fields(data)
    if "title" in data:
        require_text(data["title"], field="title", message=gettext("Say what the action is."))
    check_members(action.organisation, data, ("owner",))
    check_reference_free(TreatmentAction, action.organisation, data.get("reference"), exclude_pk=action.pk)
    was_done = action.status == ActionStatus.DONE
    for name, value in data.items():
        setattr(action, name, value)
    if "reference" in data:
        action.assign_reference()
    if action.status == ActionStatus.DONE and not was_done:
        action.completed_at = timezone.now()
    elif action.status != ActionStatus.DONE:
        action.completed_at = None
    with model_errors_as_service_errors():
        save_with_history(action, actor=actor, reason=reason)
    _after_action_change(
        actor=actor,
        risk=action.risk,
        reason=f"Treatment action {action.reference} {action.get_status_display().lower()}",
    )
    return action


@transaction.atomic
def treatment_action_complete(*, actor, action: TreatmentAction, note: str = "") -> TreatmentAction:
    """Mark an action done, with what was done; the risk becomes treated once no action is open and the
    residual risk is scored."""
    if not action.is_open:
        raise ServiceError(
            gettext("%(reference)s is already %(status)s.")
            % {"reference": action.reference, "status": action.get_status_display().lower()},
            conflict=True,
        )
    data = {"status": ActionStatus.DONE}
    if note:
        data["completion_note"] = note
    return treatment_action_update(actor=actor, action=action, data=data, reason="Completed")


@transaction.atomic
def treatment_action_delete(*, actor, action: TreatmentAction) -> None:
    """Delete an action planned by mistake (cancel it instead to keep it on the plan)."""
    risk = action.risk
    delete_with_history(action, actor=actor, reason="Deleted")
    _after_action_change(actor=actor, risk=risk, reason=f"Treatment action {action.reference} deleted")
