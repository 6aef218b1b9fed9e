"""Reads of the inventory that take more than one step."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from registry.constants import ScopeStatus
from registry.models import AISystem, ScopeStatement
from registry.services import SCOPE_FIELDS


def inventory_summary(*, user, organisation) -> dict:
    """Counts for the dashboard, in one query: systems by EU AI Act tier, scope, reviews and reassessment."""
    today = timezone.localdate()
    systems = AISystem.objects.visible_to(user, organisation)
    totals = systems.aggregate(
        total=Count("id"),
        in_scope=Count("id", filter=Q(in_scope=True)),
        reassessment=Count("id", filter=Q(reassessment_required=True)),
        review_overdue=Count("id", filter=Q(next_review__lt=today)),
        high=Count("id", filter=Q(eu_tier="high")),
        prohibited=Count("id", filter=Q(eu_tier="prohibited")),
        limited=Count("id", filter=Q(eu_tier="limited")),
        gpai=Count("id", filter=Q(eu_tier="gpai")),
        minimal=Count("id", filter=Q(eu_tier="minimal")),
        unclassified=Count("id", filter=Q(eu_tier="unclassified")),
    )
    return totals


# --- AIMS scope (clause 4.3) ----------------------------------------------------------------------------


def scope_current(organisation) -> ScopeStatement | None:
    """The organisation's current AIMS scope: its approved version (the highest, should there be two)."""
    return (
        ScopeStatement.objects.filter(organisation=organisation, status=ScopeStatus.APPROVED)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def scope_draft_initial(organisation) -> dict:
    """The texts a new draft starts from: those of the current approved scope, if there is one."""
    current = scope_current(organisation)
    return {name: getattr(current, name) for name in SCOPE_FIELDS} if current else {}


@dataclass
class ScopeOverview:
    """What the scope page shows: the current version, a draft in progress, earlier versions, and the
    AI systems inside and outside the scope with their justifications."""

    current: ScopeStatement | None
    draft: ScopeStatement | None
    earlier: list[ScopeStatement]
    in_scope: list[AISystem]
    out_of_scope: list[AISystem]


def scope_overview_for_user(*, user, organisation) -> ScopeOverview:
    """Two queries whatever the number of versions and systems: one for the versions, one for the systems."""
    versions = list(
        ScopeStatement.objects.visible_to(user, organisation).select_related("approved_by").order_by("-version")
    )
    current = next((v for v in versions if v.status == ScopeStatus.APPROVED), None)
    draft = next((v for v in versions if v.status == ScopeStatus.DRAFT), None)
    earlier = [v for v in versions if v is not current and v is not draft]
    systems = list(
        AISystem.objects.visible_to(user, organisation)
        .select_related("business_owner", "technical_owner")
        .order_by("reference", "pk")
    )
    return ScopeOverview(
        current=current,
        draft=draft,
        earlier=earlier,
        in_scope=[s for s in systems if s.in_scope],
        out_of_scope=[s for s in systems if not s.in_scope],
    )
