"""Risk criteria: the organisation's own, versioned method for judging AI risk (ISO/IEC 42001 clause 6.1.1,
6.1.2). Approving a version never rescores risks; ``risk_rescore_with_criteria`` does that explicitly."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.permissions import can
from aims.services import ServiceError, check_members, delete_with_history, save_with_history
from risk import scoring
from risk.constants import LEVEL_ORDER, CriteriaStatus
from risk.models import RiskCriteria
from risk.services.common import lock_organisation, model_errors_as_service_errors

CRITERIA_FIELDS = (
    "name",
    "method",
    "likelihood_levels",
    "impact_levels",
    "matrix",
    "level_descriptions",
    "appetite",
    "appetite_approver",
    "review_months",
)

DEFAULT_METHOD = _(
    "Each risk is described as cause, event and consequence for the AI systems it affects. The risk owner "
    "rates how likely the event is and how bad its consequence would be on the scales below, first before "
    "treatment (inherent) and then after the planned treatment (residual). The matrix turns the two ratings "
    "into a level; the level decides who may accept the risk and how often it is reviewed."
)


def criteria_current(organisation) -> RiskCriteria | None:
    """The approved version in force (the highest approved version)."""
    return (
        RiskCriteria.objects.filter(organisation=organisation, status=CriteriaStatus.APPROVED)
        .select_related("appetite_approver", "approved_by")
        .order_by("-version")
        .first()
    )


def default_criteria_fields() -> dict:
    """The default 5 × 5 method: scales, matrix, level meanings, appetite and cadence."""
    return {
        # Stored text: in the language of whoever creates the first version (editable afterwards).
        "name": gettext("AI risk criteria"),
        "method": str(DEFAULT_METHOD),
        "likelihood_levels": scoring.default_scale("likelihood"),
        "impact_levels": scoring.default_scale("impact"),
        "matrix": scoring.default_matrix(),
        "level_descriptions": scoring.default_level_descriptions(),
        "appetite": scoring.DEFAULT_APPETITE,
        "review_months": dict(scoring.DEFAULT_REVIEW_MONTHS),
    }


@transaction.atomic
def criteria_ensure(*, organisation, actor=None) -> RiskCriteria:
    """The current approved criteria; on first need, a default 5 × 5 set is created and approved as version 1.

    Every organisation therefore always has a method to score with, which it can then adapt as a new version.
    """
    current = criteria_current(organisation)
    if current is not None:
        return current
    lock_organisation(organisation)
    current = criteria_current(organisation)
    if current is not None:
        return current
    version = _next_version(organisation)
    criteria = RiskCriteria(
        organisation=organisation,
        version=version,
        status=CriteriaStatus.APPROVED,
        approved_at=timezone.now(),
        **default_criteria_fields(),
    )
    save_with_history(criteria, actor=actor, reason="Default 5 × 5 criteria created on first use")
    return criteria


def _next_version(organisation) -> int:
    top = RiskCriteria.objects.filter(organisation=organisation).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


def _require_approver(actor, organisation, what: str) -> None:
    if not can(actor, "approve", RiskCriteria, organisation):
        raise PermissionDenied(f"Only a member who may approve can {what} the risk criteria.")


def validate_criteria(criteria: RiskCriteria) -> None:
    """Scales of 2–10 numbered levels, a complete and monotonic matrix, a known appetite and a cadence per level."""
    errors: dict[str, list[str]] = {}
    for field, name in (("likelihood_levels", "likelihood"), ("impact_levels", "impact")):
        problems = scoring.scale_errors(getattr(criteria, field), name=name)
        if problems:
            errors[field] = problems
    if not errors:
        problems = scoring.matrix_errors(criteria.matrix, criteria.n_likelihood, criteria.n_impact)
        if problems:
            errors["matrix"] = problems
    if criteria.appetite not in LEVEL_ORDER:
        errors["appetite"] = [gettext("Choose the appetite among %(levels)s.") % {"levels": ", ".join(LEVEL_ORDER)}]
    months = criteria.review_months if isinstance(criteria.review_months, dict) else {}
    bad = [
        level
        for level in LEVEL_ORDER
        if isinstance(months.get(level), bool) or not isinstance(months.get(level), int) or not 1 <= months[level] <= 60
    ]
    if bad:
        errors["review_months"] = [
            gettext("Give a reassessment cadence of 1–60 months for: %(levels)s.") % {"levels": ", ".join(bad)}
        ]
    if not (criteria.name or "").strip():
        errors["name"] = [gettext("Give the criteria a name.")]
    if errors:
        raise ServiceError(errors)


@transaction.atomic
def criteria_new_version(*, actor, organisation) -> RiskCriteria:
    """Start the next version as a draft copy of the current approved one. One draft at a time."""
    _require_approver(actor, organisation, "change")
    base = criteria_ensure(organisation=organisation, actor=actor)
    lock_organisation(organisation)
    draft = RiskCriteria.objects.filter(organisation=organisation, status=CriteriaStatus.DRAFT).first()
    if draft is not None:
        raise ServiceError(
            gettext("Version %(version)s is already a draft: edit or approve it first.") % {"version": draft.version},
            conflict=True,
        )
    criteria = RiskCriteria(
        organisation=organisation,
        version=_next_version(organisation),
        status=CriteriaStatus.DRAFT,
        **{name: getattr(base, name) for name in CRITERIA_FIELDS},
    )
    save_with_history(criteria, actor=actor, reason=f"Draft started from version {base.version}")
    return criteria


def _locked(criteria: RiskCriteria) -> RiskCriteria:
    return RiskCriteria.objects.select_for_update().get(pk=criteria.pk)


NOT_A_DRAFT = {
    "edited": _("Version %(version)s is %(status)s and cannot be edited: start a new version instead."),
    "approved": _("Version %(version)s is %(status)s and cannot be approved: start a new version instead."),
    "deleted": _("Version %(version)s is %(status)s and cannot be deleted: start a new version instead."),
}


def _require_draft(criteria: RiskCriteria, what: str) -> None:
    if criteria.status != CriteriaStatus.DRAFT:
        raise ServiceError(
            NOT_A_DRAFT[what] % {"version": criteria.version, "status": criteria.get_status_display().lower()},
            conflict=True,
        )


@transaction.atomic
def criteria_update(*, actor, criteria: RiskCriteria, data: dict, reason: str = "Draft edited") -> RiskCriteria:
    """Edit a draft. Changing the number of likelihood or impact levels without a new matrix regenerates the
    default matrix for the new size (cells can then be edited one by one)."""
    _require_approver(actor, criteria.organisation, "change")
    _require_draft(_locked(criteria), "edited")
    unknown = set(data) - set(CRITERIA_FIELDS)
    if unknown:
        raise ServiceError({name: [gettext("This field cannot be changed here.")] for name in sorted(unknown)})
    check_members(criteria.organisation, data, ("appetite_approver",))
    resized = ("likelihood_levels" in data and len(data["likelihood_levels"] or []) != criteria.n_likelihood) or (
        "impact_levels" in data and len(data["impact_levels"] or []) != criteria.n_impact
    )
    for name, value in data.items():
        setattr(criteria, name, value)
    if resized and "matrix" not in data:
        n_l, n_i = len(criteria.likelihood_levels or []), len(criteria.impact_levels or [])
        if min(n_l, n_i) >= scoring.MIN_LEVELS and max(n_l, n_i) <= scoring.MAX_LEVELS:
            criteria.matrix = scoring.default_matrix(n_l, n_i)
    validate_criteria(criteria)
    with model_errors_as_service_errors():
        save_with_history(criteria, actor=actor, reason=reason)
    return criteria


@transaction.atomic
def criteria_resize(*, actor, criteria: RiskCriteria, n_likelihood: int, n_impact: int) -> RiskCriteria:
    """Change the number of levels of a draft's scales: labels are kept where the level still exists, new levels
    get numbered labels, and the matrix is reset to the default mapping for the new size."""

    def resize(levels, size, kind):
        if not isinstance(size, int) or not scoring.MIN_LEVELS <= size <= scoring.MAX_LEVELS:
            raise ServiceError(
                gettext("Choose between %(min)s and %(max)s levels.")
                % {"min": scoring.MIN_LEVELS, "max": scoring.MAX_LEVELS},
                field=f"n_{kind}",
            )
        if size == len(levels):
            return levels
        fresh = scoring.default_scale(kind, size)
        return [levels[n] if n < len(levels) else fresh[n] for n in range(size)]

    data = {
        "likelihood_levels": resize(criteria.likelihood_levels, n_likelihood, "likelihood"),
        "impact_levels": resize(criteria.impact_levels, n_impact, "impact"),
        "matrix": scoring.default_matrix(n_likelihood, n_impact),
    }
    return criteria_update(
        actor=actor, criteria=criteria, data=data, reason=f"Scales resized to {n_likelihood} × {n_impact}"
    )


@transaction.atomic
def criteria_approve(*, actor, criteria: RiskCriteria) -> RiskCriteria:
    """Approve a draft: it becomes the criteria in force; the previous approved version is superseded.

    Risks scored with earlier versions keep their scores and levels until they are rescored explicitly.
    """
    _require_approver(actor, criteria.organisation, "approve")
    lock_organisation(criteria.organisation)
    current = _locked(criteria)
    _require_draft(current, "approved")
    validate_criteria(current)
    for old in RiskCriteria.objects.filter(organisation=current.organisation, status=CriteriaStatus.APPROVED):
        old.status = CriteriaStatus.SUPERSEDED
        save_with_history(
            old, actor=actor, reason=f"Superseded by version {current.version}", update_fields=["status", "updated_at"]
        )
    current.status = CriteriaStatus.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    save_with_history(
        current, actor=actor, reason="Approved", update_fields=["status", "approved_by", "approved_at", "updated_at"]
    )
    criteria.status, criteria.approved_by, criteria.approved_at = current.status, actor, current.approved_at
    return current


@transaction.atomic
def criteria_delete_draft(*, actor, criteria: RiskCriteria) -> None:
    """Discard a draft version; approved and superseded versions are kept as the method's history."""
    _require_approver(actor, criteria.organisation, "change")
    _require_draft(_locked(criteria), "deleted")
    delete_with_history(criteria, actor=actor, reason="Draft discarded")
