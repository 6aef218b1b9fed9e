"""Server-side SVG charts of the controls app, for pages and PDFs alike (no JavaScript, no external assets).

``readiness_bar_chart`` draws one horizontal bar per framework or clause/section: the share of applicable
requirements that are ready (solid), and the further share covered through the crosswalk (light, hatched).
Accessibility: a title and a description on the chart, an accessible name on every bar saying the numbers
in words, the percentages as text beside the bars, and the two shares told apart by pattern as well as colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

READY_COLOUR = "#1f7a6f"  # white-on contrast 5.3:1; next to text #111 on white
COVERED_COLOUR = "#9fd3cb"
TRACK_COLOUR = "#e9ecef"
TEXT_COLOUR = "#111111"
MUTED_COLOUR = "#495057"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str  # short: "A.6", "ISO/IEC 42001"
    title: str = ""  # longer, after the label: "AI system life cycle"
    ready: int = 0
    covered: int = 0
    applicable: int = 0
    url: str | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.ready / self.applicable) if self.applicable else 0

    @property
    def covered_percent(self) -> int:
        total = round(100 * (self.ready + self.covered) / self.applicable) if self.applicable else 0
        return total - self.percent

    def spoken(self) -> str:
        values = {
            "name": f"{self.label} {self.title}".strip(),
            "ready": self.ready,
            "applicable": self.applicable,
            "percent": self.percent,
            "covered": self.covered,
            "covered_percent": self.covered_percent,
        }
        if self.covered:
            return (
                gettext(
                    "%(name)s: %(ready)s of %(applicable)s ready (%(percent)s%%), %(covered)s more covered through "
                    "the crosswalk (+%(covered_percent)s%%)"
                )
                % values
            )
        return gettext("%(name)s: %(ready)s of %(applicable)s ready (%(percent)s%%)") % values


def _a(value) -> str:
    return escape(str(value), quote=True)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def readiness_bar_chart(
    bars: list[Bar],
    *,
    title: str,
    description: str = "",
    id_prefix: str = "readiness",
    label_width: int = 230,
    bar_width: int = 340,
    show_crosswalk: bool = True,
) -> SafeString:
    """An SVG bar chart of readiness; bars with a ``url`` link to it (leave it empty in PDFs)."""
    uid = _a(id_prefix)
    row, top, gap = 24, 8, 6
    value_width = 118
    width = label_width + bar_width + value_width
    legend = 34
    height = top + len(bars) * (row + gap) + 22 + legend
    total_ready = sum(b.ready for b in bars)
    total = sum(b.applicable for b in bars)
    desc = description or (
        ngettext(
            "%(count)s bar; in all %(ready)s of %(total)s applicable requirements are ready (an implemented control "
            "and current evidence).",
            "%(count)s bars; in all %(ready)s of %(total)s applicable requirements are ready (an implemented control "
            "and current evidence).",
            len(bars),
        )
        % {"count": len(bars), "ready": total_ready, "total": total}
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="readiness-chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}" data-total="{total}" '
        f'data-ready="{total_ready}">',
        f'<title id="{uid}-title">{escape(str(title))}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
        "<defs>"
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{COVERED_COLOUR}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" '
        'stroke-width="2"/></pattern></defs>',
    ]
    x0 = label_width
    grid_bottom = top + len(bars) * (row + gap)
    for pct in (0, 25, 50, 75, 100):
        x = x0 + bar_width * pct / 100
        parts.append(
            f'<line x1="{x:g}" y1="{top - 2}" x2="{x:g}" y2="{grid_bottom - gap + 2}" stroke="#ced4da" '
            f'stroke-width="{1 if pct in (0, 100) else 0.6}" stroke-dasharray="{"" if pct in (0, 100) else "2 3"}"/>'
        )
        parts.append(
            f'<text x="{x:g}" y="{grid_bottom + 10}" font-size="10" text-anchor="middle" fill="{MUTED_COLOUR}">'
            f"{pct}%</text>"
        )
    for index, bar in enumerate(bars):
        y = top + index * (row + gap)
        ready_w = bar_width * bar.percent / 100
        covered_w = bar_width * bar.covered_percent / 100 if show_crosswalk else 0
        label = _cut(bar.label, 16)
        title_text = _cut(bar.title, max(8, (label_width - 12) // 6 - len(label) - 1)) if bar.title else ""
        underline = ' text-decoration="underline"' if bar.url else ""
        value = f"{bar.percent}%" + (f" +{bar.covered_percent}%" if show_crosswalk and bar.covered else "")
        shapes = [
            f'<text x="{x0 - 8}" y="{y + row / 2:g}" text-anchor="end" dominant-baseline="central" font-size="11.5" '
            f'fill="{TEXT_COLOUR}"><tspan font-weight="700"{underline}>{escape(label)}</tspan>'
            + (f" {escape(title_text)}" if title_text else "")
            + "</text>",
            f'<rect x="{x0}" y="{y}" width="{bar_width}" height="{row}" fill="{TRACK_COLOUR}" rx="2"/>',
        ]
        if ready_w:
            shapes.append(f'<rect x="{x0}" y="{y}" width="{ready_w:.1f}" height="{row}" fill="{READY_COLOUR}" rx="2"/>')
        if covered_w:
            shapes.append(
                f'<rect x="{x0 + ready_w:.1f}" y="{y}" width="{covered_w:.1f}" height="{row}" fill="url(#{uid}-hatch)" '
                f'stroke="{READY_COLOUR}" stroke-width="0.6"/>'
            )
        shapes.append(
            f'<text x="{x0 + bar_width + 8}" y="{y + row / 2:g}" dominant-baseline="central" font-size="11.5" '
            f'fill="{TEXT_COLOUR}"><tspan font-weight="700">{escape(value)}</tspan>'
            f'<tspan fill="{MUTED_COLOUR}" font-size="10"> {bar.ready}/{bar.applicable}</tspan></text>'
        )
        body = "".join(shapes)
        spoken = _a(bar.spoken())
        data = f'data-label="{_a(bar.label)}" data-percent="{bar.percent}" data-ready="{bar.ready}"'
        if bar.url:
            url = _a(bar.url)
            parts.append(
                f'<a href="{url}" xlink:href="{url}" aria-label="{spoken}" class="readiness-bar" style="text-decoration:none" '
                f"{data}>"
                f"<title>{spoken}</title>{body}</a>"
            )
        else:
            parts.append(
                f'<g class="readiness-bar" role="img" aria-label="{spoken}" {data}><title>{spoken}</title>{body}</g>'
            )
    ly = grid_bottom + 20
    # Outside the f-strings: makemessages does not look into f-string expressions.
    ready_legend = escape(gettext("Ready: implemented control and current evidence"))
    covered_legend = escape(gettext("Covered through the crosswalk"))
    parts.append(
        f'<rect x="{x0}" y="{ly}" width="14" height="12" fill="{READY_COLOUR}"/>'
        f'<text x="{x0 + 19}" y="{ly + 10}" font-size="11" fill="{TEXT_COLOUR}">{ready_legend}</text>'
    )
    if show_crosswalk:
        parts.append(
            f'<rect x="{x0}" y="{ly + 15}" width="14" height="12" fill="url(#{uid}-hatch)" stroke="{READY_COLOUR}" '
            f'stroke-width="0.6"/><text x="{x0 + 19}" y="{ly + 25}" font-size="11" fill="{TEXT_COLOUR}">'
            f"{covered_legend}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above  # nosec B308 B703


def framework_bars(readiness_list, *, url_for=None) -> list[Bar]:
    return [
        Bar(
            label=r.framework.name,
            title="",
            ready=r.ready,
            covered=r.covered,
            applicable=r.applicable,
            url=url_for(r) if url_for else None,
        )
        for r in readiness_list
    ]


def section_bars(sections, *, url_for=None) -> list[Bar]:
    return [
        Bar(
            label=s.identifier,
            title=s.title,
            ready=s.ready,
            covered=s.covered,
            applicable=s.applicable,
            url=url_for(s) if url_for else None,
        )
        for s in sections
    ]
