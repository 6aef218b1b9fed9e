"""The risk panel of the dashboard: open high and critical risks, overdue treatment, a small heat map."""

from django.urls import reverse
from django.utils.translation import gettext

from risk.charts import heat_map_svg
from risk.selectors import risk_summary


def risk_panel(request):
    summary = risk_summary(user=request.user, organisation=request.organisation)
    if summary is None:
        return None
    svg = heat_map_svg(
        criteria=summary.criteria,
        counts=summary.counts,
        kind="current",
        base_url=reverse("risk:risk-list"),
        extra_params={"open": "true"},
        compact=True,
        title=gettext("Current position of open risks"),
        id_prefix="dashboard-heat",
    )
    return {
        "title": gettext("AI risks"),
        "template": "risk/panels/risks.html",
        "context": {"summary": summary, "heat_map": svg},
    }
