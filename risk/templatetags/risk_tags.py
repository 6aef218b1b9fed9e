"""Template helpers of the risk pages: level and status badges that read the same on screen and in PDFs."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from risk import annex_c
from risk.charts import LEVEL_COLOURS, TEXT_COLOUR
from risk.constants import (
    ActionStatus,
    AssessmentStatus,
    CriteriaStatus,
    ImpactStatus,
    RiskLevel,
    RiskStatus,
    Severity,
    TreatmentOption,
)

register = template.Library()

_STATUS_CLASSES = {
    RiskStatus.IDENTIFIED: "text-bg-light border",
    RiskStatus.ASSESSED: "text-bg-info",
    RiskStatus.TREATMENT_PLANNED: "text-bg-warning",
    RiskStatus.TREATED: "text-bg-primary",
    RiskStatus.ACCEPTED: "text-bg-success",
    RiskStatus.CLOSED: "text-bg-secondary",
    ActionStatus.PLANNED: "text-bg-light border",
    ActionStatus.IN_PROGRESS: "text-bg-warning",
    ActionStatus.DONE: "text-bg-success",
    ActionStatus.CANCELLED: "text-bg-secondary",
    AssessmentStatus.IN_PROGRESS: "text-bg-warning",
    AssessmentStatus.COMPLETED: "text-bg-primary",
    AssessmentStatus.APPROVED: "text-bg-success",
    CriteriaStatus.DRAFT: "text-bg-warning",
    CriteriaStatus.SUPERSEDED: "text-bg-secondary",
    ImpactStatus.DRAFT: "text-bg-warning",
}
_SEVERITY = {
    Severity.LOW: "low",
    Severity.MODERATE: "medium",
    Severity.HIGH: "high",
    Severity.SEVERE: "critical",
}


@register.simple_tag
def level_badge(level, label_prefix=""):
    """A level as a coloured badge with its name (never colour alone); "Not scored" when empty."""
    if not level:
        return format_html(
            '<span class="badge text-bg-light border text-body-secondary">{}</span>', gettext("Not scored")
        )
    label = RiskLevel(level).label if level in RiskLevel.values else level
    return format_html(
        '<span class="badge risk-level" style="background:{};color:{}" data-level="{}">{}{}</span>',
        LEVEL_COLOURS.get(level, "#e9ecef"),
        TEXT_COLOUR,
        level,
        label_prefix,
        label,
    )


@register.simple_tag
def severity_badge(severity, label):
    level = _SEVERITY.get(severity, "")
    return format_html(
        '<span class="badge" style="background:{};color:{}">{}</span>',
        LEVEL_COLOURS.get(level, "#e9ecef"),
        TEXT_COLOUR,
        label,
    )


@register.simple_tag
def status_badge(status, label):
    css = _STATUS_CLASSES.get(status, "text-bg-light border")
    return format_html('<span class="badge {}" data-status="{}">{}</span>', css, status, label)


@register.filter
def level_colour(level):
    return LEVEL_COLOURS.get(level, "#e9ecef")


@register.filter
def level_label(level):
    return RiskLevel(level).label if level in RiskLevel.values else (level or "—")


@register.simple_tag
def score_text(likelihood, impact):
    if likelihood is None or impact is None:
        return "—"
    return gettext("L%(likelihood)s × I%(impact)s") % {"likelihood": likelihood, "impact": impact}


@register.filter
def risk_source_title(key):
    return annex_c.risk_source_title(key) if key else ""


@register.filter
def risk_source_description(key):
    return next((item.description for item in annex_c.risk_sources() if item.key == key), "")


@register.filter
def objective_items(risk):
    keys = risk.objective_list if hasattr(risk, "objective_list") else []
    lookup = {item.key: item for item in annex_c.objectives()}
    return [lookup[key] for key in keys if key in lookup]


@register.filter
def status_label(value):
    return RiskStatus(value).label if value in RiskStatus.values else (value or "—")


@register.filter
def treatment_label(value):
    return TreatmentOption(value).label if value in TreatmentOption.values else (value or "—")
