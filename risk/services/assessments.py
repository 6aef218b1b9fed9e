"""Risk assessments of AI systems (ISO/IEC 42001 clause 6.1.2, 8.2): dated, with a method (criteria version),
assessors and the risks identified or reviewed. Reassessing starts from the systems' current risks."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.permissions import can
from aims.services import ServiceError, check_members, check_same_organisation, delete_with_history, save_with_history
from risk.constants import AssessmentStatus, RiskStatus
from risk.models import Risk, RiskAssessment
from risk.services.common import check_reference_free, model_errors_as_service_errors
from risk.services.criteria import criteria_ensure
from risk.services.risks import risk_create

ASSESSMENT_FIELDS = (
    "reference",
    "title",
    "ai_systems",
    "scope",
    "assessors",
    "participants",
    "assessment_date",
    "owner",
    "conclusion",
    "risks",
)


def _check_fields(data: dict) -> None:
    unknown = set(data) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be set here.")] for name in sorted(unknown)})


def _check_people(organisation, data: dict) -> None:
    check_members(organisation, data, ("owner",))
    assessors = data.get("assessors") or []
    if assessors:
        from accounts.models import Membership

        members = set(
            Membership.objects.filter(organisation=organisation, user__in=assessors).values_list("user_id", flat=True)
        )
        if any(user.pk not in members for user in assessors):
            raise ServiceError(gettext("Choose assessors among the members of this organisation."), field="assessors")


def _save(assessment, *, actor, reason):
    with model_errors_as_service_errors():
        return save_with_history(assessment, actor=actor, reason=reason)


@transaction.atomic
def assessment_start(*, actor, organisation, data: dict) -> RiskAssessment:
    """Start an assessment of one or more AI systems with the current criteria.

    The systems' open risks are carried into it, so a reassessment starts from what is known; each carried risk
    gets a history entry, which keeps its earlier scores on record before they are reviewed.
    """
    _check_fields(data)
    data = dict(data)
    systems = list(data.pop("ai_systems", []) or [])
    assessors = list(data.pop("assessors", []) or [])
    data.pop("risks", None)
    if not systems:
        raise ServiceError(gettext("Choose at least one AI system to assess."), field="ai_systems")
    check_same_organisation(organisation, {"ai_systems": systems})
    _check_people(organisation, {**data, "assessors": assessors})
    check_reference_free(RiskAssessment, organisation, data.get("reference"))
    if not (data.get("title") or "").strip():
        data["title"] = gettext("Risk assessment of %(systems)s") % {
            "systems": ", ".join(system.name for system in systems)
        }
    data.setdefault("owner", actor)
    data["assessment_date"] = data.get("assessment_date") or timezone.localdate()
    criteria = criteria_ensure(organisation=organisation, actor=actor)
    assessment = RiskAssessment(organisation=organisation, criteria=criteria, **data)
    assessment.assign_reference()
    _save(assessment, actor=actor, reason="Started")
    assessment.ai_systems.set(systems)
    assessment.assessors.set(assessors or [actor])
    carried = list(Risk.objects.open().filter(ai_systems__in=systems).distinct().order_by("reference"))
    for risk in carried:
        save_with_history(
            risk,
            actor=actor,
            reason=f"Carried forward into {assessment.reference} for reassessment",
            update_fields=["updated_at"],
        )
    assessment.risks.set(carried)
    return assessment


NOT_IN_PROGRESS = {
    "edited": _("%(reference)s is %(status)s: it cannot be edited."),
    "changed": _("%(reference)s is %(status)s: it cannot be changed."),
    "completed": _("%(reference)s is %(status)s: it cannot be completed."),
    "deleted": _("%(reference)s is %(status)s: it cannot be deleted."),
}


def _require_in_progress(assessment: RiskAssessment, what: str) -> None:
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        raise ServiceError(
            NOT_IN_PROGRESS[what]
            % {"reference": assessment.reference, "status": assessment.get_status_display().lower()},
            conflict=True,
        )


@transaction.atomic
def assessment_update(*, actor, assessment: RiskAssessment, data: dict, reason: str = "Edited") -> RiskAssessment:
    """Edit an assessment in progress (scope, people, systems, the risks in it)."""
    _check_fields(data)
    _require_in_progress(assessment, "edited")
    data = dict(data)
    m2m = {name: list(data.pop(name)) for name in ("ai_systems", "assessors", "risks") if name in data}
    if "ai_systems" in m2m and not m2m["ai_systems"]:
        raise ServiceError(gettext("Choose at least one AI system to assess."), field="ai_systems")
    check_same_organisation(assessment.organisation, m2m)
    _check_people(assessment.organisation, {**data, "assessors": m2m.get("assessors")})
    check_reference_free(RiskAssessment, assessment.organisation, data.get("reference"), exclude_pk=assessment.pk)
    for name, value in data.items():
        setattr(assessment, name, value)
    if "reference" in data:
        assessment.assign_reference()
    _save(assessment, actor=actor, reason=reason)
    for name, values in m2m.items():
        getattr(assessment, name).set(values)
    return assessment


@transaction.atomic
def assessment_add_risk(*, actor, assessment: RiskAssessment, data: dict) -> Risk:
    """Identify a new risk in the assessment; it affects the assessed systems unless told otherwise."""
    _require_in_progress(assessment, "changed")
    data = dict(data)
    if not data.get("ai_systems"):
        data["ai_systems"] = list(assessment.ai_systems.all())
    risk = risk_create(
        actor=actor, organisation=assessment.organisation, data=data, reason=f"Identified in {assessment.reference}"
    )
    assessment.risks.add(risk)
    return risk


def _snapshot(assessment: RiskAssessment) -> list[dict]:
    rows = []
    for risk in assessment.risks.select_related("owner", "criteria").order_by("reference"):
        rows.append(
            {
                "reference": risk.reference,
                "title": risk.title,
                "status": risk.status,
                "owner": risk.owner.username if risk.owner else None,
                "criteria_version": risk.criteria.version if risk.criteria else None,
                "inherent": [risk.inherent_likelihood, risk.inherent_impact, risk.inherent_level],
                "residual": [risk.residual_likelihood, risk.residual_impact, risk.residual_level],
                "treatment_option": risk.treatment_option,
            }
        )
    return rows


@transaction.atomic
def assessment_complete(*, actor, assessment: RiskAssessment, conclusion: str | None = None) -> RiskAssessment:
    """Finish the assessment: every risk in it must be analysed; the scores are frozen in ``snapshot``."""
    _require_in_progress(assessment, "completed")
    if conclusion is not None:
        assessment.conclusion = conclusion
    if not (assessment.conclusion or "").strip():
        raise ServiceError(gettext("Write the conclusion of the assessment."), field="conclusion")
    unscored = list(
        assessment.risks.exclude(status=RiskStatus.CLOSED).filter(inherent_level="").values_list("reference", flat=True)
    )
    if unscored:
        raise ServiceError(
            gettext("Analyse every risk before completing: %(risks)s has no score yet.")
            % {"risks": ", ".join(unscored)}
        )
    assessment.snapshot = _snapshot(assessment)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = timezone.now()
    return _save(assessment, actor=actor, reason="Completed")


@transaction.atomic
def assessment_approve(*, actor, assessment: RiskAssessment) -> RiskAssessment:
    """Approve a completed assessment (members who may approve)."""
    if not can(actor, "approve", assessment, assessment.organisation):
        raise PermissionDenied("Only a member who may approve can approve a risk assessment.")
    if assessment.status != AssessmentStatus.COMPLETED:
        raise ServiceError(gettext("Only a completed assessment can be approved."), conflict=True)
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    return _save(assessment, actor=actor, reason="Approved")


@transaction.atomic
def assessment_delete(*, actor, assessment: RiskAssessment) -> None:
    """Only an assessment in progress can be discarded; completed ones are records."""
    _require_in_progress(assessment, "deleted")
    delete_with_history(assessment, actor=actor, reason="Discarded")
