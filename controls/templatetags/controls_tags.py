"""Template helpers of the controls pages: status badges (text, never colour alone) and safe Markdown."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from controls.constants import (
    EvidenceState,
    ImplementationStatus,
    PolicyStatus,
    ReviewStatus,
    RoadmapStatus,
    SoAStatus,
)
from controls.markdown import render_markdown

register = template.Library()

_CLASSES = {
    ImplementationStatus.NOT_STARTED: "text-bg-light border",
    ImplementationStatus.PLANNED: "text-bg-info",
    ImplementationStatus.PARTIAL: "text-bg-warning",
    ImplementationStatus.IMPLEMENTED: "text-bg-success",
    ImplementationStatus.NOT_APPLICABLE: "text-bg-secondary",
}
_STATE_CLASSES = {
    EvidenceState.CURRENT: "text-bg-success",
    EvidenceState.EXPIRING: "text-bg-warning",
    EvidenceState.EXPIRED: "text-bg-danger",
    EvidenceState.NOT_YET: "text-bg-info",
    EvidenceState.REJECTED: "text-bg-danger",
    EvidenceState.EMPTY: "text-bg-light border",
}
_POLICY_CLASSES = {
    PolicyStatus.DRAFT: "text-bg-warning",
    PolicyStatus.IN_REVIEW: "text-bg-info",
    PolicyStatus.APPROVED: "text-bg-success",
    PolicyStatus.RETIRED: "text-bg-secondary",
}
_REVIEW_CLASSES = {
    ReviewStatus.PENDING: "text-bg-light border",
    ReviewStatus.ACCEPTED: "text-bg-success",
    ReviewStatus.REJECTED: "text-bg-danger",
}
_ROADMAP_CLASSES = {
    RoadmapStatus.PLANNED: "text-bg-light border",
    RoadmapStatus.IN_PROGRESS: "text-bg-warning",
    RoadmapStatus.DONE: "text-bg-success",
    RoadmapStatus.CANCELLED: "text-bg-secondary",
}
_SOA_CLASSES = {SoAStatus.DRAFT: "text-bg-warning", SoAStatus.APPROVED: "text-bg-success"}


def _badge(classes: dict, value, label, kind: str):
    return format_html(
        '<span class="badge {}" data-{}="{}">{}</span>', classes.get(value, "text-bg-light border"), kind, value, label
    )


@register.simple_tag
def implementation_badge(status, label=None):
    if not label:
        label = ImplementationStatus(status).label if status in ImplementationStatus.values else "—"
    return _badge(_CLASSES, status, label, "status")


@register.simple_tag
def evidence_state_badge(state):
    label = EvidenceState(state).label if state in EvidenceState.values else state
    return _badge(_STATE_CLASSES, state, label, "state")


@register.simple_tag
def policy_status_badge(status, label):
    return _badge(_POLICY_CLASSES, status, label, "status")


@register.simple_tag
def review_badge(status, label):
    return _badge(_REVIEW_CLASSES, status, label, "review")


@register.simple_tag
def roadmap_status_badge(status, label):
    return _badge(_ROADMAP_CLASSES, status, label, "status")


@register.simple_tag
def soa_status_badge(status, label):
    return _badge(_SOA_CLASSES, status, label, "soa-status")


@register.simple_tag
def applicable_badge(applicable):
    if applicable is True:
        return format_html('<span class="badge text-bg-success" data-applicable="yes">{}</span>', gettext("Applicable"))
    if applicable is False:
        return format_html(
            '<span class="badge text-bg-secondary" data-applicable="no">{}</span>', gettext("Not applicable")
        )
    return format_html(
        '<span class="badge text-bg-warning" data-applicable="undecided">{}</span>', gettext("Not decided")
    )


@register.filter
def markdown(text):
    return render_markdown(text or "")


_SHORT = {"iso42001": "", "iso27001": "27001", "nist_ai_rmf": "NIST", "eu_ai_act": "AI Act", "gdpr": "GDPR"}


@register.filter
def framework_short(framework) -> str:
    """A short prefix for a requirement's framework in tight cells ("" for ISO/IEC 42001, the main one)."""
    key = getattr(framework, "key", "")
    return _SHORT.get(key, key[:10])
