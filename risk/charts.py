"""Server-side SVG charts for pages and PDFs: no JavaScript, no external assets, safe to embed anywhere.

``heat_map_svg`` draws the likelihood × impact grid of a criteria version with the number of risks in each
cell. Each non-empty cell links to the register filtered on that cell. Accessibility: the SVG has a title
and a description, every cell an accessible name (likelihood, impact, count and level), counts are text,
and levels are told by a letter as well as by colour (dark text on light fills, contrast above 4.5:1).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from risk.constants import LEVEL_ORDER, RiskLevel

# Fill colours for the levels; text is TEXT_COLOUR on all of them (contrast ≥ 6.9:1).
LEVEL_COLOURS = {"low": "#a8dcae", "medium": "#ffe08a", "high": "#ffb26b", "critical": "#f28b82"}
TEXT_COLOUR = "#111111"
MUTED_COLOUR = "#495057"
LEVEL_LETTERS = {"low": "L", "medium": "M", "high": "H", "critical": "C"}
_KIND_TITLES = {
    "inherent": _("Inherent risk heat map"),
    "residual": _("Residual risk heat map"),
    "current": _("Current risk heat map"),
}


def level_letter(level: str) -> str:
    """The level's letter in the reader's language (L/M/H/C in English), so levels are not told by colour alone."""
    letters = {
        "low": pgettext("letter for the risk level low", "L"),
        "medium": pgettext("letter for the risk level medium", "M"),
        "high": pgettext("letter for the risk level high", "H"),
        "critical": pgettext("letter for the risk level critical", "C"),
    }
    return letters.get(level, LEVEL_LETTERS.get(level, ""))


def _attr(value) -> str:
    return escape(str(value), quote=True)


def cell_url(base_url: str, kind: str, likelihood: int, impact: int, extra: dict | None = None) -> str:
    """The register filtered on one cell: ``/risks/?inherent_likelihood=3&inherent_impact=4``."""
    prefix = "" if kind == "current" else f"{kind}_"
    params = {**(extra or {}), f"{prefix}likelihood": likelihood, f"{prefix}impact": impact}
    return f"{base_url}?{urlencode(params)}"


def heat_map_svg(
    *,
    criteria,
    counts: dict[tuple[int, int], int],
    kind: str = "inherent",
    base_url: str | None = "/risks/",
    extra_params: dict | None = None,
    compact: bool = False,
    title: str | None = None,
    id_prefix: str | None = None,
) -> SafeString:
    """An SVG heat map of ``counts`` (``{(likelihood, impact): n}``) on ``criteria``'s scales and matrix.

    ``base_url`` None draws no links (for PDFs). ``compact`` draws a small version with numbers as axis labels.
    Counts of cells outside the criteria's scales (risks scored with another version) are told in the
    description, not drawn.
    """
    n_l, n_i = criteria.n_likelihood, criteria.n_impact
    cell = 34 if compact else 62
    left = 30 if compact else 132
    top = 8
    bottom = 34 if compact else 58
    right = 8
    width = left + n_i * cell + right
    legend_h = 0 if compact else 30
    height = top + n_l * cell + bottom + legend_h
    uid = _attr(id_prefix or f"heat-{kind}")
    title = title or str(_KIND_TITLES.get(kind, kind))
    total = sum(counts.values())
    outside = sum(n for (lk, im), n in counts.items() if not (1 <= lk <= n_l and 1 <= im <= n_i))
    desc = ngettext(
        "%(total)s risk by likelihood (rows, most likely at the top) and impact "
        "(columns, most severe on the right), on risk criteria version %(version)s.",
        "%(total)s risks by likelihood (rows, most likely at the top) and impact "
        "(columns, most severe on the right), on risk criteria version %(version)s.",
        total,
    ) % {"total": total, "version": criteria.version}
    if outside:
        desc += " " + gettext("%(outside)s scored on other scales are not shown: rescore them with these criteria.") % {
            "outside": outside
        }
    underline = ' text-decoration="underline"' if base_url is not None else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="heat-map{" heat-map-compact" if compact else ""}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif" '
        f'data-kind="{_attr(kind)}" data-total="{total}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    for lk in range(n_l, 0, -1):
        y = top + (n_l - lk) * cell
        for im in range(1, n_i + 1):
            x = left + (im - 1) * cell
            level = criteria.matrix.get(f"{lk},{im}", "")
            fill = LEVEL_COLOURS.get(level, "#e9ecef")
            count = counts.get((lk, im), 0)
            level_label = RiskLevel(level).label.lower() if level in LEVEL_ORDER else gettext("no level")
            label = ngettext(
                "Likelihood %(lk)s (%(lk_label)s), impact %(im)s (%(im_label)s): %(count)s risk, level %(level)s",
                "Likelihood %(lk)s (%(lk_label)s), impact %(im)s (%(im_label)s): %(count)s risks, level %(level)s",
                count,
            ) % {
                "lk": lk,
                "lk_label": criteria.likelihood_label(lk),
                "im": im,
                "im_label": criteria.impact_label(im),
                "count": count,
                "level": level_label,
            }
            shapes = [
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#ffffff" '
                f'stroke-width="2"/>'
            ]
            letter = ""  # drawn over the cell, outside its link: a link's visible text must be in its name
            if not compact and level in LEVEL_LETTERS:
                letter = (
                    f'<text x="{x + 5}" y="{y + 12}" font-size="9" fill="{MUTED_COLOUR}" aria-hidden="true" '
                    f'pointer-events="none">{escape(level_letter(level))}</text>'
                )
            if count:
                shapes.append(
                    f'<text x="{x + cell / 2:g}" y="{y + cell / 2:g}" text-anchor="middle" dominant-baseline="central" '
                    f'font-size="{13 if compact else 20}" font-weight="700" fill="{TEXT_COLOUR}"'
                    f"{underline}>{count}</text>"
                )
            body = "".join(shapes)
            if count and base_url is not None:
                url = _attr(cell_url(base_url, kind, lk, im, extra_params))
                parts.append(
                    f'<a href="{url}" xlink:href="{url}" aria-label="{_attr(label)}" class="heat-cell" style="text-decoration:none" '
                    f'data-cell="{lk},{im}" data-count="{count}"><title>{escape(label)}</title>{body}</a>'
                )
            else:
                parts.append(
                    f'<g class="heat-cell" data-cell="{lk},{im}" data-count="{count}" role="img" '
                    f'aria-label="{_attr(label)}"><title>{escape(label)}</title>{body}</g>'
                )
            parts.append(letter)
        axis_label = str(lk) if compact else _truncate(f"{lk} {criteria.likelihood_label(lk)}", 20)
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2:g}" text-anchor="end" dominant-baseline="central" '
            f'font-size="{10 if compact else 11}" fill="{TEXT_COLOUR}">{escape(axis_label)}</text>'
        )
    grid_bottom = top + n_l * cell
    impact_axis, likelihood_axis = gettext("Impact →"), gettext("Likelihood →")
    for im in range(1, n_i + 1):
        x = left + (im - 1) * cell + cell / 2
        axis_label = str(im) if compact else _truncate(criteria.impact_label(im), 11)
        parts.append(
            f'<text x="{x:g}" y="{grid_bottom + 13}" text-anchor="middle" font-size="{10 if compact else 11}" '
            f'fill="{TEXT_COLOUR}">{escape(axis_label)}</text>'
        )
        if not compact:
            parts.append(
                f'<text x="{x:g}" y="{grid_bottom + 26}" text-anchor="middle" font-size="10" '
                f'fill="{MUTED_COLOUR}">{im}</text>'
            )
    parts.append(
        f'<text x="{left + n_i * cell / 2:g}" y="{grid_bottom + bottom - 6}" text-anchor="middle" '
        f'font-size="{10 if compact else 12}" font-weight="600" fill="{TEXT_COLOUR}">{escape(impact_axis)}</text>'
    )
    parts.append(
        f'<text x="{8 if compact else 12}" y="{top + n_l * cell / 2:g}" text-anchor="middle" '
        f'font-size="{10 if compact else 12}" font-weight="600" fill="{TEXT_COLOUR}" '
        f'transform="rotate(-90 {8 if compact else 12} {top + n_l * cell / 2:g})">{escape(likelihood_axis)}</text>'
    )
    if not compact:
        y = grid_bottom + bottom + 6
        x = left
        for level in LEVEL_ORDER:
            parts.append(
                f'<rect x="{x}" y="{y}" width="14" height="14" fill="{LEVEL_COLOURS[level]}" stroke="{MUTED_COLOUR}" '
                f'stroke-width="0.5"/><text x="{x + 18}" y="{y + 11}" font-size="11" fill="{TEXT_COLOUR}">'
                f"{escape(level_letter(level))} {escape(str(RiskLevel(level).label))}</text>"
            )
            x += 78
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above  # nosec B308 B703


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
