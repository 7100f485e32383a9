"""Inline SVG charts rendered on the server: no chart library, no JavaScript.

The markup is CSP-safe: no ``style`` attributes, no ``<style>`` or ``<script>``
elements; only presentation attributes (fill, stroke, font-size, text-anchor).
Every interpolated piece of text goes through ``django.utils.html.escape``.

Both chart functions return a dict for templates::

    {"svg": SafeString, "rows": [...], "title": str, "description": str, "empty": bool}

``rows`` is the table alternative to the picture. For empty input, ``empty`` is
True, ``rows`` is ``[]`` and ``svg`` is still a complete, labelled ``<svg>`` that
says "No data yet", so templates can render it unconditionally.
"""

import math
import re
from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Drawn for the width it is shown at: charts sit in a column from about 288 CSS px wide (a 320 px phone) to
# about 480 (the stylesheet caps them, .chart svg), so one user unit is 0.85 to 1.4 CSS px and 15-unit text
# is shown at 12.7 to 21 px: legible at every width, never the 5 px a 640-wide drawing gave in a side column.
WIDTH, HEIGHT = 340, 236
LEFT, RIGHT, TOP, BOTTOM = 62, 14, 28, 58
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
FONT_SIZE = 15
# The bars and line pass 3:1 against white (WCAG non-text contrast); the latest value is the darkest.
BLUE, LATEST, TEXT, GRID, AXIS = "#4f7fbf", "#0b4f8a", "#1b2330", "#e2e5ea", "#6b7683"
FONT = f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" fill="{TEXT}"'
# About how wide a digit is drawn, in user units, to keep year labels apart and the latest value inside.
DIGIT_W = FONT_SIZE * 0.58
YEAR_GAP = 8


def _fill_years(counts: dict[int, int]) -> list[tuple[int, int]]:
    """(year, count) for every year from min to max; missing years are 0. None keys are dropped."""
    clean = {int(year): int(count or 0) for year, count in counts.items() if year is not None}
    if not clean:
        return []
    return [(year, clean.get(year, 0)) for year in range(min(clean), max(clean) + 1)]


def _nice_ticks(max_value: int, target: int = 5) -> list[int]:
    """Integer ticks from 0 with a 1/2/5 x 10^k step, reaching at least max_value."""
    max_value = max(max_value, 1)
    raw = max(max_value / (target - 1), 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    top = math.ceil(max_value / step) * step
    return list(range(0, top + 1, step))


def _label_every(n_years: int) -> int:
    """Label every year, or every 2nd, 5th, 10th... so that the labels (four digits each) never touch."""
    slot = PLOT_W / max(n_years, 1)
    fits = 4 * DIGIT_W + YEAR_GAP
    for every in (1, 2, 5, 10, 20, 50):
        if slot * every >= fits:
            return every
    return 100


def _open_svg(title: str, description: str, chart_id: str) -> list[str]:
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "chart"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{safe_id}-title {safe_id}-desc" class="chart">',
        f'<title id="{safe_id}-title">{escape(title)}</title>',
        f'<desc id="{safe_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]


def _result(parts: list[str], rows: list, title: str, description: str) -> dict:
    # Safe: every interpolated string was escaped; the rest is our own markup and numbers.
    svg = mark_safe("".join(parts))  # noqa: S308
    return {"svg": svg, "rows": rows, "title": title, "description": description, "empty": not rows}


def _empty(title: str, description: str, chart_id: str) -> dict:
    parts = _open_svg(title, description, chart_id)
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" {FONT}>No data yet</text></svg>')
    return _result(parts, [], title, description)


def _axes(years: list[int], ticks: list[int], y_title: str) -> tuple[list[str], float, Callable[[float], float]]:
    """Gridlines, y tick labels, x year labels and both axis titles. Returns (parts, slot width, value->y)."""
    slot = PLOT_W / len(years)
    top = ticks[-1]

    def y_of(value: float) -> float:
        return round(TOP + PLOT_H - PLOT_H * value / top, 1)

    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_W}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 5}" text-anchor="end" {FONT}>{tick:,}</text>')
    base = TOP + PLOT_H
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + PLOT_W}" y2="{base}" stroke="{AXIS}" stroke-width="1"/>')
    every = _label_every(len(years))
    for i, year in enumerate(years):
        if year % every == 0:
            x = round(LEFT + slot * (i + 0.5), 1)
            parts.append(f'<text class="chart-year" x="{x}" y="{base + 20}" text-anchor="middle" {FONT}>{year}</text>')
    x_middle = LEFT + PLOT_W / 2
    parts.append(
        f'<text class="chart-axis-title" x="{x_middle}" y="{HEIGHT - 8}" text-anchor="middle" {FONT}>Year</text>'
    )
    middle = TOP + PLOT_H / 2
    parts.append(
        f'<text class="chart-axis-title" x="16" y="{middle}" text-anchor="middle" transform="rotate(-90 16 {middle})" '
        f"{FONT}>{escape(y_title)}</text>"
    )
    return parts, slot, y_of


def _latest_label(x: float, y: float, text: str) -> str:
    """The latest value written above its bar or point, kept inside the drawing."""
    half = len(text) * DIGIT_W / 2
    x = min(max(x, LEFT + half), WIDTH - 2 - half)
    return (
        f'<text class="chart-value" x="{round(x, 1)}" y="{round(max(y - 8, FONT_SIZE), 1)}" text-anchor="middle" '
        f'font-weight="700" {FONT}>{escape(text)}</text>'
    )


def year_bar_chart(
    counts: dict[int, int],
    title: str,
    description: str,
    unit: str = "entries",
    chart_id: str = "chart",
    y_title: str | None = None,
) -> dict:
    """Bar chart of counts per year, the latest year's bar highlighted and its count written above it.
    rows: [(year, count)], gap years included as 0."""
    filled = _fill_years(counts)
    if not filled:
        return _empty(title, description, chart_id)
    years = [year for year, _ in filled]
    parts = _open_svg(title, description, chart_id)
    axes, slot, y_of = _axes(years, _nice_ticks(max(c for _, c in filled)), y_title or unit.capitalize())
    parts += axes
    bar_w = round(slot * 0.7, 1)
    base = TOP + PLOT_H
    for i, (year, count) in enumerate(filled):
        x = round(LEFT + slot * i + slot * 0.15, 1)
        y = y_of(count)
        label = escape(f"{year}: {count:,} {unit}")
        latest = i == len(filled) - 1
        parts.append(
            f'<rect class="chart-bar{" chart-latest" if latest else ""}" x="{x}" y="{y}" width="{bar_w}" '
            f'height="{round(base - y, 1)}" fill="{LATEST if latest else BLUE}"><title>{label}</title></rect>'
        )
    year, count = filled[-1]
    parts.append(_latest_label(LEFT + slot * (len(filled) - 0.5), y_of(count), f"{count:,}"))
    parts.append("</svg>")
    return _result(parts, filled, title, description)


def cumulative_line_chart(
    counts: dict[int, int],
    title: str,
    description: str,
    unit: str = "agencies",
    chart_id: str = "chart",
    y_title: str | None = None,
) -> dict:
    """Adoption curve: counts are new adopters per year; plots the running total, its latest value highlighted.

    rows: [(year, new_that_year, cumulative_total)], gap years included with 0 new.
    """
    filled = _fill_years(counts)
    if not filled:
        return _empty(title, description, chart_id)
    rows, total = [], 0
    for year, new in filled:
        total += new
        rows.append((year, new, total))
    years = [year for year, _ in filled]
    parts = _open_svg(title, description, chart_id)
    axes, slot, y_of = _axes(years, _nice_ticks(total), y_title or f"{unit.capitalize()}, in all")
    parts += axes
    points = [(round(LEFT + slot * (i + 0.5), 1), y_of(cumulative)) for i, (_, _, cumulative) in enumerate(rows)]
    path = " ".join(f"{x},{y}" for x, y in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for n, ((x, y), (year, new, cumulative)) in enumerate(zip(points, rows, strict=True)):
        label = escape(f"{year}: {cumulative:,} {unit} ({new:,} new)")
        latest = n == len(rows) - 1
        parts.append(
            f'<circle class="chart-point{" chart-latest" if latest else ""}" cx="{x}" cy="{y}" '
            f'r="{6 if latest else 4}" fill="{LATEST if latest else BLUE}" stroke="#ffffff" stroke-width="1.5">'
            f"<title>{label}</title></circle>"
        )
    (x, y), total = points[-1], rows[-1][2]
    parts.append(_latest_label(x, y, f"{total:,}"))
    parts.append("</svg>")
    return _result(parts, rows, title, description)
