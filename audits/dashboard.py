"""The audits panels of the dashboard: KPIs off target, overdue corrective actions (every one for officers, their
own for others), and open incidents with their reporting deadlines."""

from django.utils import timezone
from django.utils.translation import gettext as _

from audits.constants import RAG
from audits.deadlines import clock_for
from audits.filtersets import sees_all_actions
from audits.models import KPI, Incident
from audits.selectors import improvement_summary


def kpi_panel(request):
    """Active KPIs whose latest value is amber or red. One query."""
    user, organisation = request.user, request.organisation
    kpis = list(KPI.objects.visible_to(user, organisation).active().select_related("owner").order_by("reference"))
    if not kpis:
        return None
    off = [k for k in kpis if k.off_target]
    rank = {RAG.RED: 0, RAG.AMBER: 1}
    off.sort(key=lambda k: (rank.get(k.rag, 2), k.reference))
    return {
        "title": _("KPIs off target"),
        "template": "audits/panels/kpis.html",
        "context": {"off": off, "total": len(kpis), "measured": sum(1 for k in kpis if k.last_value is not None)},
    }


def improvement_panel(request):
    user, organisation = request.user, request.organisation
    summary = improvement_summary(user=user, organisation=organisation, sees_all=sees_all_actions(user, organisation))
    if summary is None:
        return None
    return {
        "title": _("Nonconformities and corrective actions"),
        "template": "audits/panels/improvement.html",
        "context": summary,
    }


def incident_panel(request):
    """Open incidents, the most severe first, with the running Art. 73 clocks. Two queries."""
    user, organisation = request.user, request.organisation
    incidents = Incident.objects.visible_to(user, organisation)
    if incidents.query.is_empty():
        return None
    open_incidents = list(
        incidents.open().with_severity_rank().order_by("-severity_rank", "reporting_deadline", "-detected_at")[:6]
    )
    now = timezone.now()
    rows = [{"incident": i, "clock": clock_for(i, organisation, now)} for i in open_incidents]
    running = [r for r in rows if r["clock"] is not None]
    return {
        "title": _("Open AI incidents"),
        "template": "audits/panels/incidents.html",
        "context": {"rows": rows[:5], "open_total": incidents.open().count(), "running": running},
    }
