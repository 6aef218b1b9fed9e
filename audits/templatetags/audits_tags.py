"""Template helpers of the audits pages: badges that say their meaning in words (never colour alone), KPI
values with units, and the reporting clock of an incident."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.builtin_kpis import catalogue_text
from audits.charts import fmt
from audits.constants import RAG, ChecklistResult
from audits.deadlines import clock_for
from risk.charts import LEVEL_COLOURS, TEXT_COLOUR

register = template.Library()

_STATUS_CLASSES = {
    "planned": "text-bg-light border",
    "draft": "text-bg-warning",
    "approved": "text-bg-success",
    "in_progress": "text-bg-warning",
    "reported": "text-bg-primary",
    "closed": "text-bg-secondary",
    "open": "text-bg-danger",
    "action_planned": "text-bg-warning",
    "done": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "prepared": "text-bg-info",
    "held": "text-bg-success",
    "contained": "text-bg-warning",
    "resolved": "text-bg-primary",
}
_RESULT_CLASSES = {
    ChecklistResult.CONFORMING: "text-bg-success",
    ChecklistResult.MAJOR_NC: "text-bg-danger",
    ChecklistResult.MINOR_NC: "text-bg-warning",
    ChecklistResult.OBSERVATION: "text-bg-info",
    ChecklistResult.OFI: "text-bg-primary",
}
_RAG_STYLE = {
    RAG.GREEN: ("#d1e7dd", "#0f5132", gettext_lazy("Green")),
    RAG.AMBER: ("#fff3cd", "#664d03", gettext_lazy("Amber")),
    RAG.RED: ("#f8d7da", "#842029", gettext_lazy("Red")),
    RAG.NONE: ("#e9ecef", "#41464b", gettext_lazy("No value")),
}
_SEVERITY_LEVEL = {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}
_TREND = {
    "better": ("↗", gettext_lazy("better")),
    "worse": ("↘", gettext_lazy("worse")),
    "steady": ("→", gettext_lazy("steady")),
}


@register.simple_tag
def audit_status(status, label):
    css = _STATUS_CLASSES.get(status, "text-bg-light border")
    return format_html('<span class="badge {}" data-status="{}">{}</span>', css, status, label)


@register.simple_tag
def result_badge(result, label=None):
    if not result:
        return format_html(
            '<span class="badge text-bg-light border text-body-secondary" data-result="">{}</span>', _("Not assessed")
        )
    label = label or ChecklistResult(result).label
    return format_html(
        '<span class="badge {}" data-result="{}">{}</span>', _RESULT_CLASSES.get(result, "text-bg-light"), result, label
    )


@register.simple_tag
def rag_badge(rag):
    background, colour, label = _RAG_STYLE.get(rag, _RAG_STYLE[RAG.NONE])
    return format_html(
        '<span class="badge border" style="background:{};color:{}" data-rag="{}">{}</span>',
        background,
        colour,
        rag,
        label,
    )


@register.simple_tag
def severity_badge(severity, label):
    return format_html(
        '<span class="badge" style="background:{};color:{}" data-severity="{}">{}</span>',
        LEVEL_COLOURS.get(_SEVERITY_LEVEL.get(severity, ""), "#e9ecef"),
        TEXT_COLOUR,
        severity,
        label,
    )


@register.simple_tag
def trend_mark(trend):
    if trend not in _TREND:
        return "—"
    arrow, word = _TREND[trend]
    css = {"better": "text-success", "worse": "text-danger"}.get(trend, "text-body-secondary")
    return format_html(
        '<span class="{}" style="white-space:nowrap" data-trend="{}"><span aria-hidden="true">{}</span> {}</span>',
        css,
        trend,
        arrow,
        word,
    )


@register.filter
def kpi_value(value, unit=""):
    return fmt(value, unit)


@register.filter
def kpi_text(text):
    """A built-in KPI's name, definition or unit in the reader's language; a custom KPI's text as entered."""
    return catalogue_text(text)


@register.simple_tag(takes_context=True)
def reporting_clock(context, incident):
    """The running Art. 73 clock of ``incident`` in the organisation's time zone, or None."""
    request = context.get("request")
    return clock_for(incident, getattr(request, "organisation", None) or incident.organisation)


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
