"""The leadership view (ISO/IEC 42001 clause 5.1, 9.3 inputs): what top management needs at a glance, computed
from the live registers: the AI policy's status, progress of the AI objectives, open high and critical risks,
overdue actions, competence gaps, and the latest management review and audit results.

The audit and review figures come from the documented-information index, so they appear as soon as the audits
app registers its holders; until then they read "none yet". A fixed number of queries whatever the data.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from governance import docindex
from governance.models import AimsRole, Communication, Objective
from governance.selectors import competence_matrix, objective_summary, roles_with_holders
from risk.constants import LEVEL_ORDER, RiskLevel
from risk.models import Risk, TreatmentAction
from risk.selectors import risk_summary

# The documented-information items the leadership view shows as "latest results" (the audits app holds them).
REVIEW_ITEMS = ("management_review", "audit_programme", "monitoring_results", "nonconformities")


@dataclass
class OverdueLine:
    label: str  # with the count: "2 AI objectives past the deadline"
    count: int
    url: str


@dataclass
class Leadership:
    policy: docindex.Holding | None
    policy_review_overdue: bool
    acknowledgements: object
    objectives: object
    risks: object
    top_risks: list
    overdue: list
    competence: object
    reporters: list
    review_items: list = field(default_factory=list)

    @property
    def overdue_total(self) -> int:
        return sum(line.count for line in self.overdue)


def _policy_review_overdue(organisation, today: dt.date) -> bool:
    from controls.constants import PolicyKind, PolicyStatus
    from controls.models import Policy

    return Policy.objects.filter(
        organisation=organisation, kind=PolicyKind.AI_POLICY, status=PolicyStatus.APPROVED, review_date__lt=today
    ).exists()


def leadership_view(*, user, organisation, today: dt.date | None = None) -> Leadership:
    today = today or timezone.localdate()
    high_levels = LEVEL_ORDER[LEVEL_ORDER.index(RiskLevel.HIGH) :]
    from risk.querysets import current_level_q

    level_q = current_level_q(high_levels[0])
    for level in high_levels[1:]:
        level_q |= current_level_q(level)
    top_risks = list(
        Risk.objects.visible_to(user, organisation)
        .open()
        .filter(level_q)
        .with_ranks()
        .select_related("owner")
        .order_by("-residual_rank", "-inherent_rank", "reference")[:8]
    )
    actions = TreatmentAction.objects.visible_to(user, organisation).overdue(today).count()
    objectives = Objective.objects.visible_to(user, organisation).overdue(today).count()
    communications = Communication.objects.visible_to(user, organisation).overdue(today).count()
    overdue = [
        OverdueLine(
            ngettext(
                "%(count)d risk treatment action past the due date",
                "%(count)d risk treatment actions past the due date",
                actions,
            )
            % {"count": actions},
            actions,
            reverse("risk:treatmentaction-list") + "?overdue=true",
        ),
        OverdueLine(
            ngettext(
                "%(count)d AI objective past the deadline", "%(count)d AI objectives past the deadline", objectives
            )
            % {"count": objectives},
            objectives,
            reverse("governance:objective-list") + "?overdue=true",
        ),
        OverdueLine(
            ngettext("%(count)d communication overdue", "%(count)d communications overdue", communications)
            % {"count": communications},
            communications,
            reverse("governance:communication-list") + "?overdue=true",
        ),
    ]
    reporters = list(
        roles_with_holders(
            AimsRole.objects.visible_to(user, organisation).filter(is_active=True, reports_performance=True)
        ).order_by("reference")
    )
    review_items = docindex.documented_information_index(organisation, only=REVIEW_ITEMS)
    from governance.awareness import acknowledgement_summary_for_ai_policy

    return Leadership(
        policy=docindex.resolve("ai_policy", organisation),
        policy_review_overdue=_policy_review_overdue(organisation, today),
        acknowledgements=acknowledgement_summary_for_ai_policy(user=user, organisation=organisation),
        objectives=objective_summary(user=user, organisation=organisation, today=today),
        risks=risk_summary(user=user, organisation=organisation),
        top_risks=top_risks,
        overdue=overdue,
        competence=competence_matrix(user=user, organisation=organisation, today=today),
        reporters=reporters,
        review_items=review_items,
    )
