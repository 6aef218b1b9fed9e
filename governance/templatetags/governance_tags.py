"""Template helpers of the governance pages: choice labels, state badges and progress bars (text, not colour
alone, so they read the same for everyone)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.constants import CompetenceState, ObjectiveStatus

register = template.Library()

_OBJECTIVE_CLASSES = {
    ObjectiveStatus.DRAFT: "text-bg-warning",
    ObjectiveStatus.APPROVED: "text-bg-primary",
    ObjectiveStatus.ACHIEVED: "text-bg-success",
    ObjectiveStatus.MISSED: "text-bg-danger",
    ObjectiveStatus.CANCELLED: "text-bg-secondary",
}
_STATE_CLASSES = {
    CompetenceState.MET: ("text-bg-success", "check-circle"),
    CompetenceState.EXPIRING: ("text-bg-warning", "hourglass-split"),
    CompetenceState.EXPIRED: ("text-bg-danger", "x-circle"),
    CompetenceState.MISSING: ("text-bg-danger", "dash-circle"),
}
_DOC_STATES = {
    "held": ("text-bg-success", _("Held")),
    "incomplete": ("text-bg-warning", _("Not approved yet")),
    "missing": ("text-bg-danger", _("Missing")),
}


@register.filter
def display(obj, field: str):
    """The label of a choice field (``get_<field>_display``), or the value itself."""
    method = getattr(obj, f"get_{field}_display", None)
    value = method() if callable(method) else getattr(obj, field, "")
    return value if value not in (None, "") else "—"


@register.simple_tag
def objective_badge(objective):
    css = _OBJECTIVE_CLASSES.get(objective.status, "text-bg-light border")
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>', css, objective.status, objective.get_status_display()
    )


@register.simple_tag
def state_badge(state, label=""):
    """A competence state badge with an icon and its word."""
    css, icon = _STATE_CLASSES.get(state, ("text-bg-light border", "circle"))
    return format_html(
        '<span class="badge {}" data-state="{}"><i class="bi bi-{}" aria-hidden="true"></i> {}</span>',
        css,
        state,
        icon,
        label or CompetenceState(state).label,
    )


@register.simple_tag
def doc_state_badge(state):
    css, label = _DOC_STATES.get(state, ("text-bg-light border", state))
    return format_html('<span class="badge {}" data-state="{}">{}</span>', css, state, label)


@register.simple_tag
def progress_bar(value, label="", expected=None):
    """A labelled progress bar (0–100) with its number; an optional tick marks where it should be by now."""
    if value is None:
        return format_html('<div class="text-body-secondary small">{}</div>', gettext("Not measured yet"))
    css = "bg-success" if value >= 100 else ("bg-primary" if expected is None or value >= expected else "bg-warning")
    tick = ""
    if expected is not None and 0 < expected < 100:
        tick = format_html(
            '<span class="position-absolute top-0 bottom-0 border-start border-2 border-dark" style="left:{}%" '
            'title="{}"></span>',
            expected,
            gettext("Expected by now: %(percent)s%%") % {"percent": expected},
        )
    return format_html(
        '<div class="d-flex align-items-center gap-2" style="min-width:9rem">'
        '<div class="progress flex-grow-1 position-relative" role="progressbar" aria-label="{}" aria-valuenow="{}" '
        'aria-valuemin="0" aria-valuemax="100" style="height:.75rem"><div class="progress-bar {}" style="width:{}%">'
        '</div>{}</div><span class="small">{}%</span></div>',
        label or gettext("Progress"),
        value,
        css,
        value,
        tick,
        value,
    )
