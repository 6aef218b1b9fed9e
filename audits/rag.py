"""Red/amber/green status and trend of a KPI value, the same on pages, the dashboard, the API and the review pack.

Thresholds say where the bands start: worse than the amber threshold (the target when none is set) is amber,
worse than the red threshold is red. "Worse" follows the KPI's direction: below for higher-is-better, above for
lower-is-better. A value equal to a threshold is on the better side.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from audits.constants import RAG, KPIDirection


def _worse(value: Decimal, limit: Decimal, direction: str) -> bool:
    return value > limit if direction == KPIDirection.LOWER else value < limit


def rag_status(value, *, direction: str, target, amber=None, red=None) -> str:
    """``green``, ``amber``, ``red`` or ``none`` (no value, or nothing to compare it with)."""
    if value is None:
        return RAG.NONE
    value = Decimal(value)
    amber = amber if amber is not None else target
    if red is not None and _worse(value, Decimal(red), direction):
        return RAG.RED
    if amber is not None and _worse(value, Decimal(amber), direction):
        return RAG.AMBER
    if amber is None and red is None:
        return RAG.NONE
    return RAG.GREEN


def threshold_problems(*, direction: str, target, amber, red) -> dict[str, list[str]]:
    """The red threshold may not be better than the amber one (nor than the target when amber is empty)."""
    limit = amber if amber is not None else target
    if red is None or limit is None:
        return {}
    if direction == KPIDirection.LOWER and red < limit:
        return {"red_threshold": [_("For a lower-is-better KPI the red threshold must be at or above the amber one.")]}
    if direction != KPIDirection.LOWER and red > limit:
        return {"red_threshold": [_("For a higher-is-better KPI the red threshold must be at or below the amber one.")]}
    return {}


def trend_word(latest, previous, *, direction: str) -> str:
    """``better``, ``worse`` or ``steady`` from the previous value to the latest; "" without both."""
    if latest is None or previous is None:
        return ""
    latest, previous = Decimal(latest), Decimal(previous)
    if latest == previous:
        return "steady"
    improved = latest < previous if direction == KPIDirection.LOWER else latest > previous
    return "better" if improved else "worse"


def misses_target(value, *, direction: str, target) -> bool:
    """Is ``value`` worse than ``target``? (False while either is unknown.)"""
    if value is None or target is None:
        return False
    return _worse(Decimal(value), Decimal(target), direction)
