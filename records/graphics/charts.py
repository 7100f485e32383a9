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

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
BLUE, TEXT, GRID, AXIS = "#2b6cb0", "#333333", "#e2e2e2", "#888888"
FONT = f'font-family="system-ui, sans-serif" font-size="12" fill="{TEXT}"'


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
    """Label every year up to 12, then years divisible by 2 up to 30, then by 5, then by 10."""
    if n_years <= 12:
        return 1
    if n_years <= 30:
        return 2
    return 5 if n_years <= 60 else 10


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


def _axes(years: list[int], ticks: list[int]) -> tuple[list[str], float, Callable[[float], float]]:
    """Gridlines, y tick labels and x year labels. Returns (parts, slot width, value->y function)."""
    slot = PLOT_W / len(years)
    top = ticks[-1]

    def y_of(value: float) -> float:
        return round(TOP + PLOT_H - PLOT_H * value / top, 1)

    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_W}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" {FONT}>{tick}</text>')
    base = TOP + PLOT_H
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + PLOT_W}" y2="{base}" stroke="{AXIS}" stroke-width="1"/>')
    every = _label_every(len(years))
    for i, year in enumerate(years):
        if year % every == 0:
            x = round(LEFT + slot * (i + 0.5), 1)
            parts.append(f'<text x="{x}" y="{base + 18}" text-anchor="middle" {FONT}>{year}</text>')
    return parts, slot, y_of


def year_bar_chart(
    counts: dict[int, int], title: str, description: str, unit: str = "entries", chart_id: str = "chart"
) -> dict:
    """Bar chart of counts per year. rows: [(year, count)], gap years included as 0."""
    filled = _fill_years(counts)
    if not filled:
        return _empty(title, description, chart_id)
    years = [year for year, _ in filled]
    parts = _open_svg(title, description, chart_id)
    axes, slot, y_of = _axes(years, _nice_ticks(max(c for _, c in filled)))
    parts += axes
    bar_w = round(slot * 0.7, 1)
    base = TOP + PLOT_H
    for i, (year, count) in enumerate(filled):
        x = round(LEFT + slot * i + slot * 0.15, 1)
        y = y_of(count)
        label = escape(f"{year}: {count} {unit}")
        parts.append(
            f'<rect class="chart-bar" x="{x}" y="{y}" width="{bar_w}" height="{round(base - y, 1)}" '
            f'fill="{BLUE}"><title>{label}</title></rect>'
        )
    parts.append("</svg>")
    return _result(parts, filled, title, description)


def cumulative_line_chart(
    counts: dict[int, int], title: str, description: str, unit: str = "agencies", chart_id: str = "chart"
) -> dict:
    """Adoption curve: counts are new adopters per year; plots the running total.

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
    axes, slot, y_of = _axes(years, _nice_ticks(total))
    parts += axes
    points = [(round(LEFT + slot * (i + 0.5), 1), y_of(cumulative)) for i, (_, _, cumulative) in enumerate(rows)]
    path = " ".join(f"{x},{y}" for x, y in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for (x, y), (year, new, cumulative) in zip(points, rows, strict=True):
        label = escape(f"{year}: {cumulative} {unit} ({new} new)")
        parts.append(
            f'<circle class="chart-point" cx="{x}" cy="{y}" r="4" fill="{BLUE}" stroke="#ffffff" stroke-width="1">'
            f"<title>{label}</title></circle>"
        )
    parts.append("</svg>")
    return _result(parts, rows, title, description)
