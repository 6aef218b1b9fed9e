"""Built-in KPIs: values computed from the live registers (ISO/IEC 42001 clause 9.1).

Each computation is a function ``(organisation, today) -> Measure`` that runs a fixed number of set-based
queries (aggregates with filtered counts, ``Exists`` subqueries), never a query per row, whatever the size of
the registers. ``BUILTINS`` describes each one (name, definition, unit, direction, suggested target) so an
organisation adds it to its KPI register in one step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from audits.constants import SEVERITY_ORDER, KPIDirection
from audits.deadlines import organisation_zone


@dataclass
class Measure:
    """A computed value (None when there is nothing to measure yet) and the counts behind it."""

    value: Decimal | None
    breakdown: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Builtin:
    key: str
    name: str
    definition: str
    unit: str
    direction: str
    compute: Callable
    target: Decimal | None = None
    amber: Decimal | None = None
    red: Decimal | None = None


def _percent(numerator: int, denominator: int) -> Measure:
    if not denominator:
        return Measure(None, {"numerator": numerator, "denominator": denominator})
    value = (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Measure(value, {"numerator": numerator, "denominator": denominator})


def _count(value: int, **parts) -> Measure:
    return Measure(Decimal(value), {"count": value, **parts})


def _systems_in_scope(organisation):
    from registry.constants import DeploymentStatus
    from registry.models import AISystem

    return AISystem.objects.filter(organisation=organisation, in_scope=True).exclude(
        deployment_status=DeploymentStatus.RETIRED
    )


# --- The computations -----------------------------------------------------------------------------------------


def systems_risk_assessed(organisation, today: dt.date) -> Measure:
    """In-scope systems (not retired) covered by a completed or approved risk assessment of the last 12 months.
    One query."""
    from risk.constants import AssessmentStatus
    from risk.models import RiskAssessment

    recent = RiskAssessment.objects.filter(
        ai_systems=OuterRef("pk"),
        status__in=[AssessmentStatus.COMPLETED, AssessmentStatus.APPROVED],
        assessment_date__gte=today - dt.timedelta(days=365),
        assessment_date__lte=today,
    )
    # The condition goes straight into the filtered count: an annotation would be dropped from the aggregate's
    # subquery.
    totals = _systems_in_scope(organisation).aggregate(total=Count("pk"), covered=Count("pk", filter=Exists(recent)))
    return _percent(totals["covered"], totals["total"])


def systems_impact_approved(organisation, today: dt.date) -> Measure:
    """In-scope systems (not retired) with an approved impact assessment. One query."""
    from risk.constants import ImpactStatus
    from risk.models import ImpactAssessment

    approved = ImpactAssessment.objects.filter(ai_system=OuterRef("pk"), status=ImpactStatus.APPROVED)
    totals = _systems_in_scope(organisation).aggregate(total=Count("pk"), approved=Count("pk", filter=Exists(approved)))
    return _percent(totals["approved"], totals["total"])


def open_high_critical_risks(organisation, today: dt.date) -> Measure:
    """Open risks whose current level (residual when scored, else inherent) is high or critical. One query."""
    from risk.models import Risk
    from risk.querysets import current_level_q

    totals = (
        Risk.objects.filter(organisation=organisation)
        .open()
        .aggregate(
            high=Count("pk", filter=current_level_q("high")), critical=Count("pk", filter=current_level_q("critical"))
        )
    )
    return _count(totals["high"] + totals["critical"], high=totals["high"], critical=totals["critical"])


def annex_a_implemented(organisation, today: dt.date) -> Measure:
    """Applicable lines of the SoA whose implementing controls are all implemented (as the SoA derives it: at
    least one control that is not "not applicable", and none of those short of implemented). One query."""
    from controls.constants import ImplementationStatus
    from controls.models import Control, SoALine

    relevant = Control.objects.filter(organisation=organisation, requirements=OuterRef("requirement_id")).exclude(
        implementation_status=ImplementationStatus.NOT_APPLICABLE
    )
    short = relevant.exclude(implementation_status=ImplementationStatus.IMPLEMENTED)
    totals = SoALine.objects.filter(organisation=organisation, applicable=True).aggregate(
        total=Count("pk"), implemented=Count("pk", filter=Q(Exists(relevant)) & ~Q(Exists(short)))
    )
    return _percent(totals["implemented"], totals["total"])


def evidence_expired(organisation, today: dt.date) -> Measure:
    """Evidence records past their expiry date. One query."""
    from controls.models import Evidence

    return _count(Evidence.objects.filter(organisation=organisation).expired(today).count())


def overdue_corrective_actions(organisation, today: dt.date) -> Measure:
    """Corrective actions still open after their due date. One query."""
    from audits.models import CorrectiveAction

    return _count(CorrectiveAction.objects.filter(organisation=organisation).overdue(today).count())


def mean_days_to_close_nc(organisation, today: dt.date) -> Measure:
    """Mean days from detection to closure of the nonconformities closed in the last 12 months. One query."""
    from audits.models import Nonconformity

    since = today - dt.timedelta(days=365)
    totals = Nonconformity.objects.filter(
        organisation=organisation, closed_at__isnull=False, days_to_close__isnull=False, closed_at__date__gte=since
    ).aggregate(mean=Avg("days_to_close"), closed=Count("pk"))
    if not totals["closed"]:
        return Measure(None, {"closed": 0})
    mean = Decimal(str(totals["mean"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Measure(mean, {"closed": totals["closed"]})


def incidents_this_month(organisation, today: dt.date) -> Measure:
    """AI incidents detected this calendar month (in the organisation's time zone), by severity. One query."""
    from audits.models import Incident

    zone = organisation_zone(organisation)
    start = dt.datetime.combine(today.replace(day=1), dt.time(0, 0), tzinfo=zone)
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    end = dt.datetime.combine(next_month, dt.time(0, 0), tzinfo=zone)
    rows = (
        Incident.objects.filter(organisation=organisation, detected_at__gte=start, detected_at__lt=end)
        .order_by()
        .values("severity")
        .annotate(n=Count("pk"))
    )
    by_severity = dict.fromkeys(SEVERITY_ORDER, 0)
    for row in rows:
        by_severity[row["severity"]] = row["n"]
    return _count(sum(by_severity.values()), by_severity=by_severity, month=today.strftime("%Y-%m"))


def training_compliance(organisation, today: dt.date) -> Measure:
    """Of the competences members need for the AIMS roles they hold today, the share backed by a valid training
    record (passed or attended, not expired): the met and expiring cells of the competence matrix.

    Two queries: the (member, competence) pairs required, and the pairs valid training gives; the share is the
    size of their intersection over the size of the first.
    """
    from governance.models import RoleAssignment, TrainingRecord

    required = set(
        RoleAssignment.objects.filter(organisation=organisation)
        .active(today)
        .filter(role__competences__isnull=False)
        .values_list("member_id", "role__competences")
        .distinct()
    )
    held = set(
        TrainingRecord.objects.filter(organisation=organisation)
        .valid(today)
        .filter(course__competences__isnull=False)
        .values_list("member_id", "course__competences")
        .distinct()
    )
    return _percent(len(required & held), len(required))


def policy_acknowledgement(organisation, today: dt.date) -> Measure:
    """Of the acknowledgements owed for the approved versions of policies that require them, the share given
    (the same count as the policy acknowledgement pages). Six queries."""
    from governance.awareness import acknowledgement_statuses
    from governance.models import AcknowledgementRequirement

    requirements = AcknowledgementRequirement.objects.filter(organisation=organisation)
    statuses = acknowledgement_statuses(user=None, organisation=organisation, requirements=requirements, today=today)
    return _percent(sum(s.done for s in statuses), sum(s.required for s in statuses))


# --- The catalogue ------------------------------------------------------------------------------------------------

_HIGHER, _LOWER = KPIDirection.HIGHER, KPIDirection.LOWER
D = Decimal

BUILTINS: dict[str, Builtin] = {
    b.key: b
    for b in [
        Builtin(
            "systems_risk_assessed",
            gettext_noop("AI systems with a current risk assessment"),
            gettext_noop(
                "Share of in-scope AI systems (not retired) covered by a risk assessment completed in the last 12 months."
            ),
            "%",
            _HIGHER,
            systems_risk_assessed,
            D(100),
            D(90),
            D(75),
        ),
        Builtin(
            "systems_impact_approved",
            gettext_noop("AI systems with an approved impact assessment"),
            gettext_noop("Share of in-scope AI systems (not retired) with an approved AI system impact assessment."),
            "%",
            _HIGHER,
            systems_impact_approved,
            D(100),
            D(80),
            D(60),
        ),
        Builtin(
            "open_high_critical_risks",
            gettext_noop("Open high and critical risks"),
            gettext_noop("Open risks whose current level (residual once scored) is high or critical."),
            gettext_noop("risks"),
            _LOWER,
            open_high_critical_risks,
            D(0),
            D(2),
            D(5),
        ),
        Builtin(
            "annex_a_implemented",
            gettext_noop("Applicable Annex A controls implemented"),
            gettext_noop(
                "Share of the Annex A controls the SoA declares applicable whose implementing controls are all in place."
            ),
            "%",
            _HIGHER,
            annex_a_implemented,
            D(100),
            D(85),
            D(70),
        ),
        Builtin(
            "evidence_expired",
            gettext_noop("Expired evidence"),
            gettext_noop("Evidence records past their expiry date."),
            gettext_noop("records"),
            _LOWER,
            evidence_expired,
            D(0),
            D(0),
            D(3),
        ),
        Builtin(
            "overdue_corrective_actions",
            gettext_noop("Overdue corrective actions"),
            gettext_noop("Corrective actions still open after their due date."),
            gettext_noop("actions"),
            _LOWER,
            overdue_corrective_actions,
            D(0),
            D(0),
            D(3),
        ),
        Builtin(
            "mean_days_to_close_nc",
            gettext_noop("Mean days to close a nonconformity"),
            gettext_noop("Mean days from detection to closure of the nonconformities closed in the last 12 months."),
            gettext_noop("days"),
            _LOWER,
            mean_days_to_close_nc,
            D(90),
            D(90),
            D(120),
        ),
        Builtin(
            "incidents_this_month",
            gettext_noop("AI incidents this month"),
            gettext_noop("AI incidents detected in the current calendar month, by severity."),
            gettext_noop("incidents"),
            _LOWER,
            incidents_this_month,
            D(2),
            D(3),
            D(6),
        ),
        Builtin(
            "training_compliance",
            gettext_noop("Training compliance"),
            gettext_noop(
                "Share of the competences required by the AIMS roles members hold that are backed by valid training."
            ),
            "%",
            _HIGHER,
            training_compliance,
            D(100),
            D(90),
            D(75),
        ),
        Builtin(
            "policy_acknowledgement",
            gettext_noop("Policy acknowledgement"),
            gettext_noop("Share of the acknowledgements owed for approved policies that members have given."),
            "%",
            _HIGHER,
            policy_acknowledgement,
            D(100),
            D(90),
            D(75),
        ),
    ]
}


# The catalogue's English texts, kept as they are in the KPIs added from it (they are shared data; a member may
# rename them), and shown translated wherever they are still the catalogue's own.
_CATALOGUE_TEXTS = frozenset(text for b in BUILTINS.values() for text in (b.name, b.definition, b.unit))


def catalogue_text(text):
    """``text`` in the active language when it is a built-in KPI's name, definition or unit; else as given (a
    custom KPI's name is the organisation's data)."""
    if isinstance(text, str) and text in _CATALOGUE_TEXTS:
        return gettext(text)
    return text


def builtin_choices() -> list[tuple[str, str]]:
    """The built-in computations as form and API choices (names translated when the form renders)."""
    return [(b.key, gettext_lazy(b.name)) for b in BUILTINS.values()]


def compute(key: str, organisation, today: dt.date | None = None) -> Measure:
    """The current value of built-in KPI ``key`` for ``organisation``."""
    return BUILTINS[key].compute(organisation, today or timezone.localdate())
