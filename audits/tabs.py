"""Tabs this app adds to pages of lower apps (which never import audits): incidents and audits on an AI system,
the KPIs measuring an AI objective."""

from aims.permissions import can
from audits.charts import sparkline_svg
from audits.models import KPI, Audit, Incident, KPISnapshot


def system_audits_tab(request, system) -> dict:
    user, organisation = request.user, request.organisation
    return {
        "system_incidents": list(
            Incident.objects.visible_to(user, organisation)
            .filter(ai_systems=system)
            .select_related("owner")
            .order_by("-detected_at")[:20]
        ),
        "system_audits": list(
            Audit.objects.visible_to(user, organisation)
            .filter(ai_systems=system)
            .select_related("lead_auditor")
            .order_by("-planned_start")[:10]
        ),
        "can_add_incident": can(user, "add", Incident, organisation),
    }


def objective_kpis_tab(request, objective) -> dict:
    """The KPIs that measure an AI objective, with their latest values and a sparkline of the last twelve. Two
    queries."""
    kpis = list(
        KPI.objects.visible_to(request.user, request.organisation)
        .filter(objective=objective)
        .select_related("owner")
        .order_by("reference")
    )
    values: dict = {}
    for row in KPISnapshot.objects.filter(kpi__in=kpis).order_by("taken_at").values("kpi_id", "value"):
        values.setdefault(row["kpi_id"], []).append(row["value"])
    for kpi in kpis:
        kpi.sparkline = sparkline_svg(values.get(kpi.pk, [])[-12:], label=kpi.display_name)
    return {"objective_kpis": kpis, "can_add_kpi": can(request.user, "add", KPI, request.organisation)}
