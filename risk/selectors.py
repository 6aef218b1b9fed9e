"""Reads of the risk registers that take more than one step (heat maps, the dashboard, a system's risks)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from risk.constants import LEVEL_ORDER, OPEN_ACTION_STATUSES, CriteriaStatus, ImpactStatus, RiskStatus
from risk.models import ImpactAssessment, Risk, RiskCriteria, TreatmentAction
from risk.services import criteria_current, impact_assessment_due_reason
from risk.services.criteria import default_criteria_fields

HEAT_MAP_KINDS = ("inherent", "residual", "current")


def risk_list_queryset():
    """The risk register with everything its rows show, in a fixed number of queries."""
    return Risk.objects.select_related("owner", "criteria").prefetch_related("ai_systems").with_ranks()


def criteria_for_display(organisation) -> RiskCriteria:
    """The criteria in force, or (before any exists) the default set the first scoring will create, unsaved:
    pages that only read never write."""
    current = criteria_current(organisation)
    if current is not None:
        return current
    return RiskCriteria(
        organisation=organisation, version=1, status=CriteriaStatus.APPROVED, **default_criteria_fields()
    )


def heat_map_counts(risks, kind: str) -> dict[tuple[int, int], int]:
    """``{(likelihood, impact): number of risks}`` for ``kind`` inherent, residual or current (residual when
    scored, else inherent). One query."""
    if kind not in HEAT_MAP_KINDS:
        raise ValueError(kind)
    if kind == "current":
        risks = risks.annotate(
            _l=Coalesce("residual_likelihood", "inherent_likelihood"), _i=Coalesce("residual_impact", "inherent_impact")
        )
        l_name, i_name = "_l", "_i"
    else:
        l_name, i_name = f"{kind}_likelihood", f"{kind}_impact"
    rows = (
        risks.order_by()
        .filter(**{f"{l_name}__isnull": False, f"{i_name}__isnull": False})
        .values(l_name, i_name)
        .annotate(n=Count("id", distinct=True))
    )
    return {(row[l_name], row[i_name]): row["n"] for row in rows}


@dataclass
class RiskSummary:
    criteria: RiskCriteria
    open_total: int = 0
    high: int = 0
    critical: int = 0
    above_appetite: int = 0
    review_overdue: int = 0
    actions_open: int = 0
    actions_overdue: int = 0
    counts: dict = field(default_factory=dict)


def risk_summary(*, user, organisation) -> RiskSummary | None:
    """Counts for the dashboard panel and the current-position heat map. Four queries whatever the data."""
    risks = Risk.objects.visible_to(user, organisation)
    if organisation is None or risks.query.is_empty():
        return None
    criteria = criteria_for_display(organisation)
    today = timezone.localdate()
    open_risks = risks.open()
    totals = open_risks.aggregate(
        open_total=Count("id"),
        high=Count("id", filter=Q(residual_level="high") | Q(residual_level="", inherent_level="high")),
        critical=Count("id", filter=Q(residual_level="critical") | Q(residual_level="", inherent_level="critical")),
        review_overdue=Count("id", filter=Q(next_review__lt=today)),
    )
    above = LEVEL_ORDER[LEVEL_ORDER.index(criteria.appetite) + 1 :]
    totals["above_appetite"] = (
        open_risks.exclude(status=RiskStatus.ACCEPTED)
        .filter(Q(residual_level__in=above) | Q(residual_level="", inherent_level__in=above))
        .count()
    )
    actions = TreatmentAction.objects.visible_to(user, organisation).filter(status__in=OPEN_ACTION_STATUSES)
    action_totals = actions.aggregate(
        actions_open=Count("id"), actions_overdue=Count("id", filter=Q(due_date__lt=today))
    )
    return RiskSummary(criteria=criteria, counts=heat_map_counts(open_risks, "current"), **totals, **action_totals)


@dataclass
class SystemImpact:
    current: ImpactAssessment | None
    draft: ImpactAssessment | None
    versions: list
    due_reason: str


def system_impact(system, *, user, organisation) -> SystemImpact:
    versions = list(
        ImpactAssessment.objects.visible_to(user, organisation)
        .filter(ai_system=system)
        .select_related("owner", "approved_by")
        .prefetch_related("areas__raised_risk")
        .order_by("-version")
    )
    current = next((v for v in versions if v.status == ImpactStatus.APPROVED), None)
    draft = next((v for v in versions if v.status == ImpactStatus.DRAFT), None)
    return SystemImpact(
        current=current, draft=draft, versions=versions, due_reason=impact_assessment_due_reason(system, current)
    )
