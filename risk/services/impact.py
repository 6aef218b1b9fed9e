"""AI system impact assessments (ISO/IEC 42001 clause 6.1.4, 8.4; Annex A.5): versioned per system, with impact
areas; a significant impact raises a risk in the register in one step, linked both ways."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.permissions import can
from aims.services import ServiceError, check_members, delete_with_history, save_with_history
from registry.models import AISystem
from risk.constants import AREA_TO_CATEGORY, ImpactAreaKind, ImpactStatus
from risk.models import ImpactArea, ImpactAssessment, Risk
from risk.services.common import (
    add_months,
    check_reference_free,
    lock_organisation,
    model_errors_as_service_errors,
    require_text,
)
from risk.services.risks import risk_create

IMPACT_FIELDS = (
    "reference",
    "owner",
    "use_considered",
    "affected_individuals",
    "affected_groups",
    "affected_society",
    "is_dpia",
    "dpia_reference",
    "is_fria",
    "fria_process",
    "fria_period",
    "fria_oversight",
    "fria_remedies",
    "fria_authority_notified",
    "conclusion",
    "next_review",
)
COPIED_FIELDS = tuple(name for name in IMPACT_FIELDS if name not in ("reference", "next_review"))
AREA_FIELDS = ("area", "affected", "potential_impact", "severity", "likelihood", "reversibility", "mitigations")
FRIA_REQUIRED = {
    "fria_process": _("Describe the process in which the system is used."),
    "fria_oversight": _("Describe the human-oversight measures."),
    "fria_remedies": _("Say what happens if the risks materialise (governance, complaints, redress)."),
}
NOT_A_DRAFT = {
    "edited": _("%(reference)s is %(status)s and cannot be edited: start a new version instead."),
    "approved": _("%(reference)s is %(status)s and cannot be approved: start a new version instead."),
    "deleted": _("%(reference)s is %(status)s and cannot be deleted: start a new version instead."),
    "changed": _("%(reference)s is %(status)s and cannot be changed: start a new version instead."),
}


def _check_fields(data: dict, allowed) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be set here.")] for name in sorted(unknown)})


def _save(obj, *, actor, reason):
    with model_errors_as_service_errors():
        return save_with_history(obj, actor=actor, reason=reason)


def _require_draft(assessment: ImpactAssessment, what: str) -> None:
    if assessment.status != ImpactStatus.DRAFT:
        raise ServiceError(
            NOT_A_DRAFT[what] % {"reference": assessment.reference, "status": assessment.get_status_display().lower()},
            conflict=True,
        )


def impact_assessment_current(system: AISystem) -> ImpactAssessment | None:
    """The approved version in force for ``system``."""
    return (
        ImpactAssessment.objects.filter(ai_system=system, status=ImpactStatus.APPROVED)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def impact_assessment_due_reason(system: AISystem, current: ImpactAssessment | None, today=None) -> str:
    """Why the system's impact assessment is due, or ``""`` when it is not."""
    today = today or timezone.localdate()
    if system.reassessment_required:
        return (
            gettext("Reassessment required: %(reason)s") % {"reason": system.reassessment_reason}
            if system.reassessment_reason
            else gettext("Reassessment required.")
        )
    if current is None:
        return gettext("No approved impact assessment yet.")
    if current.next_review and current.next_review < today:
        return gettext("Review was due on %(date)s.") % {"date": f"{current.next_review:%Y-%m-%d}"}
    return ""


@transaction.atomic
def impact_assessment_create(*, actor, system: AISystem, data: dict | None = None) -> ImpactAssessment:
    """Start the next version of the system's impact assessment as a draft.

    It starts from the latest version (its texts and impact areas are copied) so that a reassessment reviews
    what was found before; ``data`` overrides the copied texts. One draft per system at a time.
    """
    data = dict(data or {})
    _check_fields(data, IMPACT_FIELDS)
    organisation = system.organisation
    lock_organisation(organisation)
    versions = ImpactAssessment.objects.filter(ai_system=system)
    draft = versions.filter(status=ImpactStatus.DRAFT).first()
    if draft is not None:
        raise ServiceError(
            gettext("%(reference)s is already a draft for %(system)s: edit it.")
            % {"reference": draft.reference, "system": system.reference},
            conflict=True,
        )
    latest = versions.order_by("-version").first()
    check_members(organisation, data, ("owner",))
    check_reference_free(ImpactAssessment, organisation, data.get("reference"))
    copied = {name: getattr(latest, name) for name in COPIED_FIELDS} if latest else {}
    if not latest:
        copied = {
            "use_considered": "\n".join(
                part
                for part in (
                    system.intended_purpose,
                    system.foreseeable_misuse
                    and gettext("Foreseeable misuse: %(misuse)s") % {"misuse": system.foreseeable_misuse},
                )
                if part
            ),
            "affected_individuals": system.affected_persons,
        }
    values = {**copied, **data}
    values.setdefault("owner", actor)
    assessment = ImpactAssessment(
        organisation=organisation,
        ai_system=system,
        version=(versions.aggregate(top=Max("version"))["top"] or 0) + 1,
        status=ImpactStatus.DRAFT,
        **values,
    )
    assessment.assign_reference()
    reason = f"Version {assessment.version} started" + (f" from {latest.reference}" if latest else "")
    _save(assessment, actor=actor, reason=reason)
    if latest:
        for area in latest.areas.all():
            copy = ImpactArea(
                organisation=organisation,
                impact_assessment=assessment,
                raised_risk=area.raised_risk,
                **{name: getattr(area, name) for name in AREA_FIELDS},
            )
            _save(copy, actor=actor, reason=f"Copied from {latest.reference}")
    return assessment


@transaction.atomic
def impact_assessment_update(
    *, actor, assessment: ImpactAssessment, data: dict, reason: str = "Edited"
) -> ImpactAssessment:
    """Edit a draft impact assessment; approved and superseded versions are records and are not edited."""
    _check_fields(data, IMPACT_FIELDS)
    _require_draft(assessment, "edited")
    check_members(assessment.organisation, data, ("owner",))
    check_reference_free(ImpactAssessment, assessment.organisation, data.get("reference"), exclude_pk=assessment.pk)
    for name, value in data.items():
        setattr(assessment, name, value)
    if "reference" in data:
        assessment.assign_reference()
    return _save(assessment, actor=actor, reason=reason)


def _validate_for_approval(assessment: ImpactAssessment) -> None:
    errors: dict[str, list[str]] = {}
    if not (assessment.conclusion or "").strip():
        errors["conclusion"] = [gettext("Write the conclusion before approving.")]
    if not (assessment.affected_individuals or assessment.affected_groups or assessment.affected_society).strip():
        errors["affected_individuals"] = [gettext("Say who is affected: individuals, groups or society.")]
    if assessment.is_dpia and not assessment.dpia_reference.strip():
        errors["dpia_reference"] = [gettext("Give the reference of the data-protection impact assessment.")]
    if assessment.is_fria:
        for name, message in FRIA_REQUIRED.items():
            if not (getattr(assessment, name) or "").strip():
                errors[name] = [str(message)]
    if not assessment.areas.exists():
        errors.setdefault("__all__", []).append(gettext("Assess at least one impact area before approving."))
    if errors:
        raise ServiceError(errors)


@transaction.atomic
def impact_assessment_approve(
    *, actor, assessment: ImpactAssessment, clear_reassessment: bool = False
) -> ImpactAssessment:
    """Approve a draft: it becomes the system's impact assessment in force; the previous one is superseded.

    With ``clear_reassessment`` the system's "reassessment required" flag is cleared, through the inventory's
    own service, since this assessment is the reassessment.
    """
    if not can(actor, "approve", assessment, assessment.organisation):
        raise PermissionDenied("Only a member who may approve can approve an impact assessment.")
    assessment = ImpactAssessment.objects.select_for_update().select_related("ai_system").get(pk=assessment.pk)
    _require_draft(assessment, "approved")
    _validate_for_approval(assessment)
    for old in ImpactAssessment.objects.filter(ai_system=assessment.ai_system, status=ImpactStatus.APPROVED):
        old.status = ImpactStatus.SUPERSEDED
        _save(old, actor=actor, reason=f"Superseded by {assessment.reference}")
    assessment.status = ImpactStatus.APPROVED
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    if assessment.next_review is None:
        assessment.next_review = add_months(timezone.localdate(), assessment.ai_system.review_cadence_months)
    _save(assessment, actor=actor, reason="Approved")
    system = assessment.ai_system
    if clear_reassessment and system.reassessment_required:
        from registry.services import ai_system_mark_reviewed

        ai_system_mark_reviewed(actor=actor, system=system)
    return assessment


@transaction.atomic
def impact_assessment_delete(*, actor, assessment: ImpactAssessment) -> None:
    """Discard a draft impact assessment."""
    _require_draft(assessment, "deleted")
    delete_with_history(assessment, actor=actor, reason="Draft discarded")


# --- Impact areas ---------------------------------------------------------------------------------------


@transaction.atomic
def impact_area_add(*, actor, assessment: ImpactAssessment, data: dict) -> ImpactArea:
    """Assess one impact area (who, what, how bad, how likely, how reversible, mitigations) in a draft."""
    _check_fields(data, AREA_FIELDS)
    _require_draft(assessment, "changed")
    require_text(
        data.get("potential_impact"), field="potential_impact", message=gettext("Describe the potential impact.")
    )
    area = ImpactArea(organisation=assessment.organisation, impact_assessment=assessment, **data)
    return _save(area, actor=actor, reason="Assessed")


@transaction.atomic
def impact_area_update(*, actor, area: ImpactArea, data: dict) -> ImpactArea:
    """Edit an impact area of a draft."""
    _check_fields(data, AREA_FIELDS)
    _require_draft(area.impact_assessment, "changed")
    if "potential_impact" in data:
        require_text(
            data["potential_impact"], field="potential_impact", message=gettext("Describe the potential impact.")
        )
    for name, value in data.items():
        setattr(area, name, value)
    return _save(area, actor=actor, reason="Edited")


@transaction.atomic
def impact_area_delete(*, actor, area: ImpactArea) -> None:
    """Remove an impact area from a draft."""
    _require_draft(area.impact_assessment, "changed")
    delete_with_history(area, actor=actor, reason="Deleted")


@transaction.atomic
def impact_raise_risk(*, actor, area: ImpactArea, owner=None) -> Risk:
    """Raise a risk in the register from an impact area, in one step; the area and the risk point to each other.

    The risk affects the assessed system, is owned by its business owner (or ``owner``), and takes its category
    and Annex C objectives from the kind of impact. It is left unscored for its owner to analyse.
    """
    area = ImpactArea.objects.select_for_update().select_related("impact_assessment__ai_system").get(pk=area.pk)
    if area.raised_risk_id is not None:
        raise ServiceError(
            gettext("This impact already raised %(risk)s.") % {"risk": area.raised_risk.reference}, conflict=True
        )
    assessment = area.impact_assessment
    system = assessment.ai_system
    category, objectives = AREA_TO_CATEGORY[ImpactAreaKind(area.area)]
    first_line = (area.potential_impact.strip().splitlines() or [""])[0]
    summary = first_line if len(first_line) <= 90 else first_line[:89].rstrip() + "…"
    # The risk's texts are written in the language of whoever raises it.
    title = gettext("%(area)s impact: %(summary)s") % {"area": area.get_area_display(), "summary": summary}
    consequence = gettext("%(impact)s\n\nSeverity %(severity)s, %(likelihood)s, %(reversibility)s.") % {
        "impact": area.potential_impact,
        "severity": area.get_severity_display().lower(),
        "likelihood": area.get_likelihood_display().lower(),
        "reversibility": area.get_reversibility_display().lower(),
    }
    if area.affected:
        consequence = gettext("Affects %(affected)s. %(consequence)s") % {
            "affected": area.affected,
            "consequence": consequence,
        }
    risk = risk_create(
        actor=actor,
        organisation=assessment.organisation,
        reason=f"Raised from {assessment.reference} ({area.get_area_display()})",
        data={
            "title": title,
            "cause": gettext("Identified in impact assessment %(assessment)s of %(system)s.")
            % {"assessment": assessment.reference, "system": system.reference},
            "event": first_line,
            "consequence": consequence,
            "category": category,
            "objectives": ",".join(objectives),
            "existing_controls": area.mitigations,
            "ai_systems": [system],
            "owner": owner or system.business_owner or actor,
            "lifecycle_stage": system.lifecycle_stage,
        },
    )
    area.raised_risk = risk
    _save(area, actor=actor, reason=f"Raised as {risk.reference}")
    return risk


@transaction.atomic
def impact_area_link_risk(*, actor, area: ImpactArea, risk: Risk) -> ImpactArea:
    """Link an impact to a risk already in the register (instead of raising a new one); recorded on both."""
    if risk.organisation_id != area.organisation_id:
        raise ServiceError(gettext("Select a risk of your own organisation."), field="risk")
    area = ImpactArea.objects.select_for_update().select_related("impact_assessment").get(pk=area.pk)
    if area.raised_risk_id is not None:
        raise ServiceError(
            gettext("This impact is already linked to %(risk)s.") % {"risk": area.raised_risk.reference}, conflict=True
        )
    area.raised_risk = risk
    _save(area, actor=actor, reason=f"Linked to {risk.reference}")
    save_with_history(
        risk,
        actor=actor,
        reason=f"Linked to the {area.get_area_display().lower()} impact in {area.impact_assessment.reference}",
        update_fields=["updated_at"],
    )
    return area
