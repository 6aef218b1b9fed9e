"""Server-side SVG trend charts of KPIs, for pages and PDFs alike (no JavaScript, no external assets).

``trend_chart_svg`` draws a KPI's values over time on the red/amber/green bands its thresholds define, with the
target as a dashed line. ``sparkline_svg`` is the small version for tables and the review pack. Accessibility:
a title and a description stating the first, latest and target values in words; every point has an accessible
name with its date and value; bands are named in a legend, not told by colour alone.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from html import escape

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audits.constants import KPIDirection

TEXT = "#111111"
MUTED = "#495057"
LINE = "#1d3557"
TARGET = "#0f5132"
BANDS = {"green": "#d1e7dd", "amber": "#fff3cd", "red": "#f8d7da"}
BAND_LABELS = {"green": gettext_lazy("Green"), "amber": gettext_lazy("Amber"), "red": gettext_lazy("Red")}
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def _a(value) -> str:
    return escape(str(value), quote=True)


def fmt(value, unit: str = "") -> str:
    """``82.5 %``, ``3 days``: trailing zeros dropped."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if not unit:
        return text
    if unit == "%":
        return f"{text} %"
    one = number == 1
    if unit in _UNIT_WORDS:
        return f"{text} {_UNIT_WORDS[unit](1 if one else 2)}"
    if one and unit.endswith("s") and len(unit) > 2:
        unit = unit[:-1]  # 1 day, 1 risk, 1 action
    return f"{text} {unit}"


# The units of the built-in KPIs, in the active language and number (a custom unit is shown as entered).
_UNIT_WORDS = {
    "days": lambda n: ngettext("day", "days", n),
    "risks": lambda n: ngettext("risk", "risks", n),
    "records": lambda n: ngettext("record", "records", n),
    "actions": lambda n: ngettext("action", "actions", n),
    "incidents": lambda n: ngettext("incident", "incidents", n),
}


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _bounds(values: list[float], extras: list[float], unit: str) -> tuple[float, float]:
    everything = values + extras
    low, high = min(everything), max(everything)
    if unit == "%":
        low, high = min(low, 0.0) if low < 10 else low, max(high, 100.0) if high > 60 else high
    if high == low:
        high, low = high + 1, low - 1 if low > 0 else 0
    pad = (high - low) * 0.08
    low = 0.0 if low >= 0 and low - pad < 0 else low - pad
    return low, high + pad


def _band_edges(direction: str, target, amber, red) -> list[tuple[str, float | None, float | None]]:
    """(band, from, to) in value space; None means open-ended."""
    amber = amber if amber is not None else target
    if amber is None:
        return []
    a = float(amber)
    r = float(red) if red is not None else None
    if direction == KPIDirection.LOWER:
        bands = (
            [("green", None, a), ("amber", a, r), ("red", r, None)]
            if r is not None
            else [("green", None, a), ("amber", a, None)]
        )
    else:
        bands = (
            [("green", a, None), ("amber", r, a), ("red", None, r)]
            if r is not None
            else [("green", a, None), ("amber", None, a)]
        )
    return bands


def trend_chart_svg(
    points: list[tuple[dt.date, Decimal]],
    *,
    direction: str,
    unit: str = "",
    target=None,
    amber=None,
    red=None,
    title: str = "",
    id_prefix: str = "trend",
    width: int = 680,
    height: int = 260,
) -> SafeString:
    """A line chart of ``points`` (date, value), oldest first."""
    uid = _a(id_prefix)
    title = title or _("Trend")
    left, right, top, bottom = 56, 16, 14, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for _day, v in points]
    extras = [float(x) for x in (target, amber, red) if x is not None]
    if not values:
        desc = escape(_("No values yet."))
        return mark_safe(  # noqa: S308 — escaped  # nosec B308 B703
            f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-trend" viewBox="0 0 {width} 60" width="{width}" '
            f'height="60" role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}">'
            f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{desc}</desc>'
            f'<text x="12" y="34" font-size="13" fill="{MUTED}">{escape(_("No values recorded yet."))}</text></svg>'
        )
    low, high = _bounds(values, extras, unit)

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    first_day, last_day = points[0][0], points[-1][0]
    span_days = max((last_day - first_day).days, 1)

    def x(day: dt.date) -> float:
        if len(points) == 1:
            return left + plot_w / 2
        return left + (day - first_day).days / span_days * plot_w

    latest = points[-1][1]
    desc = ngettext(
        "%(count)s value from %(first_day)s to %(last_day)s; first %(first)s, latest %(latest)s",
        "%(count)s values from %(first_day)s to %(last_day)s; first %(first)s, latest %(latest)s",
        len(points),
    ) % {
        "count": len(points),
        "first_day": date_format(first_day, _("j M Y")),
        "last_day": date_format(last_day, _("j M Y")),
        "first": fmt(points[0][1], unit),
        "latest": fmt(latest, unit),
    }
    if target is not None:
        better = _("higher is better") if direction != KPIDirection.LOWER else _("lower is better")
        desc += "; " + _("target %(value)s (%(better)s)") % {"value": fmt(target, unit), "better": better}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-trend" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="group" aria-labelledby="{uid}-title {uid}-desc" font-family="{FONT}" '
        f'data-points="{len(points)}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}.</desc>',
    ]
    # Bands.
    for band, start, end in _band_edges(direction, target, amber, red):
        y_top = y(min(end, high)) if end is not None else top
        y_bottom = y(max(start, low)) if start is not None else top + plot_h
        y_top, y_bottom = max(top, min(y_top, top + plot_h)), max(top, min(y_bottom, top + plot_h))
        if y_bottom - y_top > 0.5:
            parts.append(
                f'<rect x="{left}" y="{y_top:.1f}" width="{plot_w}" height="{y_bottom - y_top:.1f}" '
                f'fill="{BANDS[band]}" data-band="{band}"/>'
            )
    # Y axis ticks.
    step = _nice_step(high - low)
    tick = (int(low / step)) * step
    while tick <= high + 1e-9:
        if tick >= low - 1e-9:
            ty = y(tick)
            parts.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#ffffff" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{left - 6}" y="{ty:.1f}" text-anchor="end" dominant-baseline="central" font-size="10" '
                f'fill="{MUTED}">{escape(fmt(Decimal(str(round(tick, 6))), "" if unit != "%" else "%"))}</text>'
            )
        tick += step
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#adb5bd" stroke-width="0.8"/>'
    )
    # Target line.
    if target is not None and low <= float(target) <= high:
        ty = y(float(target))
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{TARGET}" stroke-width="1.5" '
            f'stroke-dasharray="6 4" data-target="{_a(target)}"/>'
            f'<text x="{left + plot_w - 4}" y="{ty - 4:.1f}" text-anchor="end" font-size="10" font-weight="600" '
            f'fill="{TARGET}">{escape(_("Target %(value)s") % {"value": fmt(target, unit)})}</text>'
        )
    # X labels: at most eight, evenly picked.
    every = max(1, round(len(points) / 8))
    for index, (day, _value) in enumerate(points):
        if index % every and index != len(points) - 1:
            continue
        label = date_format(day, "M y") if span_days > 60 else date_format(day, "j M")
        parts.append(
            f'<text x="{x(day):.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="10" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    # The line and its points.
    coords = " ".join(f"{x(day):.1f},{y(float(value)):.1f}" for day, value in points)
    if len(points) > 1:
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2" stroke-linejoin="round"/>'
        )
    for day, value in points:
        label = f"{date_format(day, 'j F Y')}: {fmt(value, unit)}"
        parts.append(
            f'<circle cx="{x(day):.1f}" cy="{y(float(value)):.1f}" r="3.5" fill="#ffffff" stroke="{LINE}" '
            f'stroke-width="2" role="img" aria-label="{_a(label)}" class="kpi-point"><title>{escape(label)}</title></circle>'
        )
    # Legend.
    legend_y = height - 14
    lx = left
    for band in ("green", "amber", "red"):
        if any(b == band for b, _low, _high in _band_edges(direction, target, amber, red)):
            parts.append(
                f'<rect x="{lx}" y="{legend_y - 9}" width="12" height="10" fill="{BANDS[band]}" stroke="{MUTED}" '
                f'stroke-width="0.5"/><text x="{lx + 16}" y="{legend_y}" font-size="10" fill="{TEXT}">'
                f"{BAND_LABELS[band]}</text>"
            )
            lx += 86
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above  # nosec B308 B703


def sparkline_svg(values: list, *, label: str = "", width: int = 110, height: int = 26) -> SafeString:
    """A small line of the last values (no axes), with its values in the accessible name."""
    numbers = [float(v) for v in values if v not in (None, "")]
    name = f"{label}: " if label else ""
    name += ", ".join(fmt(v) for v in values if v not in (None, "")) or _("no values")
    if len(numbers) < 2:
        return mark_safe(  # noqa: S308 — escaped  # nosec B308 B703
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{_a(name)}"></svg>'
        )
    low, high = min(numbers), max(numbers)
    span = high - low or 1
    step = (width - 4) / (len(numbers) - 1)
    coords = " ".join(
        f"{2 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in enumerate(numbers)
    )
    last_x, last_y = coords.split(" ")[-1].split(",")
    return mark_safe(  # noqa: S308 — escaped  # nosec B308 B703
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_a(name)}"><title>{escape(name)}</title>'
        f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="1.5"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.2" fill="{LINE}"/></svg>'
    )
