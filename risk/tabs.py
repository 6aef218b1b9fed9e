"""The "Risks" and "Impact" tabs this app adds to an AI system's page (registry never imports risk)."""

from django.urls import reverse
from django.utils.translation import gettext

from aims.permissions import can
from risk.charts import heat_map_svg
from risk.constants import RiskStatus
from risk.models import ImpactAssessment, Risk, RiskAssessment
from risk.selectors import criteria_for_display, heat_map_counts, system_impact


def system_risks_tab(request, system) -> dict:
    user, organisation = request.user, request.organisation
    risks = list(
        Risk.objects.visible_to(user, organisation)
        .filter(ai_systems=system)
        .select_related("owner", "criteria")
        .order_by("status", "reference")
    )
    open_ids = [r.pk for r in risks if r.status != RiskStatus.CLOSED]
    criteria = criteria_for_display(organisation)
    counts = heat_map_counts(Risk.objects.filter(pk__in=open_ids), "current")
    assessments = list(
        RiskAssessment.objects.visible_to(user, organisation)
        .filter(ai_systems=system)
        .select_related("owner")
        .order_by("-assessment_date")[:5]
    )
    return {
        "can_add_risk": can(user, "add", Risk, organisation),
        "can_add_assessment": can(user, "add", RiskAssessment, organisation),
        "system_risks": risks,
        "system_assessments": assessments,
        "risk_heat_map": heat_map_svg(
            criteria=criteria,
            counts=counts,
            kind="current",
            base_url=reverse("risk:risk-list"),
            extra_params={"system": str(system.pk), "open": "true"},
            compact=True,
            title=gettext("Current risk of %(reference)s") % {"reference": system.reference},
            id_prefix="system-heat",
        ),
    }


def system_impact_tab(request, system) -> dict:
    return {
        "impact": system_impact(system, user=request.user, organisation=request.organisation),
        "can_add_impact": can(request.user, "add", ImpactAssessment, request.organisation),
    }
