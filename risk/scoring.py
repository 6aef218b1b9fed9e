"""Risk scoring as pure functions: scales, the likelihood × impact matrix, level lookup and the checks
the services apply before anything is saved (ISO/IEC 42001 clause 6.1.2: a repeatable method that gives
consistent, comparable results).

No database, no Django models: everything here takes plain values, so it is tested table-driven and with
property-based tests. A matrix is a dict ``{"L,I": level}`` with ``level`` one of ``LEVEL_ORDER``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from risk.constants import LEVEL_ORDER

MIN_LEVELS = 2
MAX_LEVELS = 10

DEFAULT_LIKELIHOOD = [
    (1, _("Rare"), _("Not expected in the life of the system; would need exceptional circumstances.")),
    (2, _("Unlikely"), _("Could happen but there is no sign of it; less than once in several years.")),
    (3, _("Possible"), _("Might happen in some years; similar systems have seen it.")),
    (4, _("Likely"), _("Expected to happen at some point, probably within a year.")),
    (5, _("Almost certain"), _("Happens already or will happen repeatedly.")),
]
DEFAULT_IMPACT = [
    (1, _("Negligible"), _("No noticeable effect on people or the organisation.")),
    (2, _("Minor"), _("Short-lived inconvenience, easily put right.")),
    (3, _("Moderate"), _("Real harm to some people or a reportable issue, put right with effort.")),
    (4, _("Major"), _("Serious harm to people, their rights or the organisation; hard to put right.")),
    (5, _("Severe"), _("Lasting or irreversible harm, loss of life, or a regulatory or public crisis.")),
]
DEFAULT_LEVEL_DESCRIPTIONS = {
    "low": _("Acceptable as it is; keep an eye on it at routine reviews."),
    "medium": _("Acceptable by the risk owner when treatment is reasonable; monitor."),
    "high": _("Needs treatment and acceptance above the risk owner; report to management."),
    "critical": _("Not acceptable: treat now or stop the activity; report to top management at once."),
}
DEFAULT_REVIEW_MONTHS = {"low": 24, "medium": 12, "high": 6, "critical": 3}
DEFAULT_APPETITE = "medium"

# The defaults are stored in a new criteria version in the language of whoever creates it (str() below).
SCALE_NAMES = {"likelihood": _("likelihood"), "impact": _("impact")}


def _scale_name(name: str) -> str:
    return str(SCALE_NAMES.get(name, name))


def default_level_descriptions() -> dict[str, str]:
    return {level: str(text) for level, text in DEFAULT_LEVEL_DESCRIPTIONS.items()}


class ScoringError(ValueError):
    """Input the method cannot score. ``errors`` is ``{field: [messages]}``."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))


def cell_key(likelihood: int, impact: int) -> str:
    return f"{likelihood},{impact}"


def level_rank(level: str) -> int:
    """0 for the lowest level; unknown levels raise ``ScoringError``."""
    try:
        return LEVEL_ORDER.index(level)
    except ValueError:
        raise ScoringError(
            {
                "level": [
                    gettext("%(level)r is not a risk level (%(levels)s).")
                    % {"level": level, "levels": ", ".join(LEVEL_ORDER)}
                ]
            }
        ) from None


def highest_level(levels: Iterable[str]) -> str | None:
    present = [level for level in levels if level]
    return max(present, key=level_rank) if present else None


def within_appetite(level: str, appetite: str) -> bool:
    """Can a risk owner accept a risk at ``level`` when the appetite is ``appetite``?"""
    return level_rank(level) <= level_rank(appetite)


# --- Scales and matrices -------------------------------------------------------------------------------


def default_scale(kind: str, size: int = 5) -> list[dict]:
    """A scale of ``size`` levels; 5 gives the default descriptions, other sizes numbered labels to edit."""
    base = DEFAULT_LIKELIHOOD if kind == "likelihood" else DEFAULT_IMPACT
    if size == len(base):
        return [{"level": n, "label": str(label), "description": str(text)} for n, label, text in base]
    return [{"level": n, "label": gettext("Level %(n)s") % {"n": n}, "description": ""} for n in range(1, size + 1)]


def default_matrix(n_likelihood: int = 5, n_impact: int = 5) -> dict[str, str]:
    """The default mapping: the product of likelihood and impact, each rescaled to 1–5, in four bands.

    The product grows with either factor, so the default is monotonic whatever the scale sizes.
    """
    matrix = {}
    for likelihood in range(1, n_likelihood + 1):
        for impact in range(1, n_impact + 1):
            score = (likelihood * 5 / n_likelihood) * (impact * 5 / n_impact)
            if score <= 4:
                level = "low"
            elif score <= 9:
                level = "medium"
            elif score <= 16:
                level = "high"
            else:
                level = "critical"
            matrix[cell_key(likelihood, impact)] = level
    return matrix


def scale_errors(levels, *, name: str) -> list[str]:
    """Problems with a likelihood or impact scale: 2–10 levels numbered 1..n, each with a label."""
    if not isinstance(levels, list) or not all(isinstance(item, dict) for item in levels):
        return [
            gettext("The %(scale)s scale must be a list of levels, each with a number, a label and a description.")
            % {"scale": _scale_name(name)}
        ]
    errors = []
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        errors.append(
            gettext("The %(scale)s scale needs between %(min)s and %(max)s levels.")
            % {"scale": _scale_name(name), "min": MIN_LEVELS, "max": MAX_LEVELS}
        )
    numbers = [item.get("level") for item in levels]
    if numbers != list(range(1, len(levels) + 1)):
        errors.append(
            gettext("Number the %(scale)s levels 1, 2, 3… from the lowest, without gaps.")
            % {"scale": _scale_name(name)}
        )
    if any(not str(item.get("label") or "").strip() for item in levels):
        errors.append(gettext("Give every %(scale)s level a label.") % {"scale": _scale_name(name)})
    return errors


def matrix_errors(matrix, n_likelihood: int, n_impact: int) -> list[str]:
    """Problems with a matrix: a level for every cell, known levels only, and monotonic.

    Monotonic means a more likely or more severe cell is never at a lower level than its neighbour, so a
    higher likelihood or impact can never lower a risk's level. Checking neighbours is enough: the order
    is transitive.
    """
    if not isinstance(matrix, dict):
        return [gettext("The matrix must map every likelihood × impact cell to a level.")]
    expected = {cell_key(lk, im) for lk in range(1, n_likelihood + 1) for im in range(1, n_impact + 1)}
    errors = []
    missing = sorted(expected - set(matrix))
    if missing:
        errors.append(
            gettext("Give a level to every cell of the matrix (missing: %(cells)s).")
            % {"cells": ", ".join(missing[:5])}
        )
    extra = sorted(set(matrix) - expected)
    if extra:
        errors.append(gettext("The matrix has cells outside the scales: %(cells)s.") % {"cells": ", ".join(extra[:5])})
    unknown = sorted({str(v) for k, v in matrix.items() if k in expected and v not in LEVEL_ORDER})
    if unknown:
        errors.append(
            gettext("Unknown levels in the matrix: %(unknown)s (use %(levels)s).")
            % {"unknown": ", ".join(unknown), "levels": ", ".join(LEVEL_ORDER)}
        )
    if errors:
        return errors
    offending = non_monotonic_cells(matrix, n_likelihood, n_impact)
    if offending:
        (lk, im), (lk2, im2) = offending[0]
        errors.append(
            gettext(
                "The matrix must never lower the level as likelihood or impact grows: likelihood %(lk2)s × impact "
                "%(im2)s is %(level2)s, lower than likelihood %(lk)s × impact %(im)s (%(level)s)."
            )
            % {
                "lk2": lk2,
                "im2": im2,
                "level2": matrix[cell_key(lk2, im2)],
                "lk": lk,
                "im": im,
                "level": matrix[cell_key(lk, im)],
            }
        )
    return errors


def non_monotonic_cells(matrix: Mapping[str, str], n_likelihood: int, n_impact: int) -> list[tuple]:
    """Pairs (cell, its more likely or more severe neighbour) where the neighbour has a lower level."""
    pairs = []
    for lk in range(1, n_likelihood + 1):
        for im in range(1, n_impact + 1):
            here = level_rank(matrix[cell_key(lk, im)])
            for nl, ni in ((lk + 1, im), (lk, im + 1)):
                if nl <= n_likelihood and ni <= n_impact and level_rank(matrix[cell_key(nl, ni)]) < here:
                    pairs.append(((lk, im), (nl, ni)))
    return pairs


def is_monotonic(matrix: Mapping[str, str], n_likelihood: int, n_impact: int) -> bool:
    return not non_monotonic_cells(matrix, n_likelihood, n_impact)


# --- Scoring one risk ----------------------------------------------------------------------------------


def score_errors(likelihood, impact, n_likelihood: int, n_impact: int, *, prefix: str) -> dict[str, list[str]]:
    """``{field: [message]}`` for a likelihood or impact outside the scale (fields ``<prefix>_likelihood``...)."""
    errors: dict[str, list[str]] = {}
    for name, value, size in (("likelihood", likelihood, n_likelihood), ("impact", impact, n_impact)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= size:
            message = (
                gettext("Choose a likelihood between 1 and %(size)s on the criteria's scale.")
                if name == "likelihood"
                else gettext("Choose an impact between 1 and %(size)s on the criteria's scale.")
            )
            errors[f"{prefix}_{name}"] = [message % {"size": size}]
    return errors


def level_for(matrix: Mapping[str, str], likelihood: int, impact: int) -> str:
    """The level of a likelihood × impact cell."""
    try:
        level = matrix[cell_key(likelihood, impact)]
    except KeyError:
        raise ScoringError(
            {
                "likelihood": [
                    gettext("Likelihood %(likelihood)s × impact %(impact)s is not a cell of the matrix.")
                    % {"likelihood": likelihood, "impact": impact}
                ]
            }
        ) from None
    level_rank(level)
    return level


def score(matrix: Mapping[str, str], likelihood, impact, n_likelihood: int, n_impact: int, *, prefix: str) -> str:
    """Check a score against the scales and return its level; ``ScoringError`` names the bad fields."""
    errors = score_errors(likelihood, impact, n_likelihood, n_impact, prefix=prefix)
    if errors:
        raise ScoringError(errors)
    return level_for(matrix, likelihood, impact)


def residual_errors(
    matrix: Mapping[str, str], inherent: tuple[int, int], residual: tuple[int, int]
) -> dict[str, list[str]]:
    """Treatment cannot make a risk worse: residual likelihood, impact and level never exceed the inherent ones."""
    (in_l, in_i), (re_l, re_i) = inherent, residual
    errors: dict[str, list[str]] = {}
    if re_l > in_l:
        errors["residual_likelihood"] = [
            gettext(
                "The residual likelihood (%(residual)s) cannot be above the inherent likelihood (%(inherent)s): "
                "treatment does not make a risk more likely. Rescore the inherent risk if it was underestimated."
            )
            % {"residual": re_l, "inherent": in_l}
        ]
    if re_i > in_i:
        errors["residual_impact"] = [
            gettext(
                "The residual impact (%(residual)s) cannot be above the inherent impact (%(inherent)s): "
                "rescore the inherent risk if it was underestimated."
            )
            % {"residual": re_i, "inherent": in_i}
        ]
    if not errors and level_rank(level_for(matrix, re_l, re_i)) > level_rank(level_for(matrix, in_l, in_i)):
        errors["residual_likelihood"] = [gettext("The residual level cannot be above the inherent level.")]
    return errors
