"""The governance panels of the dashboard: progress of the AI objectives and competence against the roles."""

from django.utils.translation import gettext

from governance.selectors import competence_matrix, objective_summary


def objectives_panel(request):
    summary = objective_summary(user=request.user, organisation=request.organisation)
    if summary is None or not summary.total:
        return None
    return {"title": gettext("AI objectives"), "template": "governance/panels/objectives.html", "context": summary}


def competence_panel(request):
    matrix = competence_matrix(user=request.user, organisation=request.organisation)
    if not matrix.rows:
        return None
    return {
        "title": gettext("Competence and training"),
        "template": "governance/panels/competence.html",
        "context": matrix,
    }
