"""Server-rendered choropleth of the US states as inline SVG: one link per state, shaded by a count.

The geometry is records/graphics/geo/us_states.json, generated once by scripts/build_state_paths.py from us-atlas
(already projected into a 975x610 Albers USA frame). Nothing here fetches anything.

The markup is safe under a strict Content-Security-Policy: no style="" attributes and no script. Colours are
SVG presentation attributes (fill=, stroke=), which CSP does not treat as inline styles; hover/focus styling
can hang off the class names (state-map, state-map__state, state-map__state--0 .. --5) in a stylesheet.
"""

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

GEO_FILE = Path(__file__).resolve().parent / "geo" / "us_states.json"

ZERO_FILL = "#eef0f3"  # light neutral grey: no records
# Sequential blues, lightest to darkest (ColorBrewer "Blues" 5-class, shifted one step darker).
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
BORDER = "#ffffff"


@functools.cache
def geography() -> dict:
    """The state outlines, keyed by USPS code (50 states + DC), read once per process."""
    return json.loads(GEO_FILE.read_text(encoding="utf-8"))


def shade_step(count: int, max_count: int) -> int:
    """0 for no records, else 1..len(PALETTE) by count relative to the largest count (ceiling of equal fifths)."""
    if count <= 0 or max_count <= 0:
        return 0
    steps = len(PALETTE)
    return min(steps, -(-steps * count // max_count))


def fill_for(count: int, max_count: int) -> str:
    step = shade_step(count, max_count)
    return PALETTE[step - 1] if step else ZERO_FILL


def legend_for(max_count: int) -> list[tuple[str, str]]:
    """(label, colour) for '0' and each palette step that some whole count can fall in, e.g. '1', '2–3'."""
    legend = [("0", ZERO_FILL)]
    steps = len(PALETTE)
    for step, colour in enumerate(PALETTE, start=1):
        low, high = (step - 1) * max_count // steps + 1, step * max_count // steps
        if low > high:
            continue  # with a small maximum some steps hold no whole number
        legend.append((f"{low:,}" if low == high else f"{low:,}–{high:,}", colour))
    return legend


# d3's geoAlbersUsa for the lower 48, the frame us-atlas's states-albers-10m was projected into: a conic equal-area
# projection with standard parallels 29.5° and 45.5° N, rotated to 96° W, centred on (-0.6°, 38.7°) of the rotated
# frame, scale 1300, translated to (487.5, 305). Alaska and Hawaii sit in insets of their own: no point goes there.
_P0, _P1 = math.radians(29.5), math.radians(45.5)
_N = (math.sin(_P0) + math.sin(_P1)) / 2
_C = 1 + math.sin(_P0) * (2 * _N - math.sin(_P0))
_R0 = math.sqrt(_C) / _N
_SCALE, _TX, _TY = 1300, 487.5, 305
LOWER_48 = ((24.0, 50.0), (-125.0, -66.0))  # latitudes, longitudes


def _conic(lam: float, phi: float) -> tuple[float, float]:
    r = math.sqrt(_C - 2 * _N * math.sin(phi)) / _N
    return r * math.sin(lam * _N), _R0 - r * math.cos(lam * _N)


_CENTRE = _conic(math.radians(-0.6), math.radians(38.7))


def project(longitude: float | None, latitude: float | None) -> tuple[float, float] | None:
    """A point of the lower 48 states in the map's frame; None outside them (or without coordinates)."""
    if longitude is None or latitude is None:
        return None
    (south, north), (west, east) = LOWER_48
    if not (south <= latitude <= north and west <= longitude <= east):
        return None
    x, y = _conic(math.radians(longitude + 96), math.radians(latitude))
    return round(_TX + _SCALE * (x - _CENTRE[0]), 1), round(_TY - _SCALE * (y - _CENTRE[1]), 1)


def _lines_svg(origin, points) -> SafeString:
    """Lines from `origin` to each of `points` ((longitude, latitude) pairs) with a dot at each end, for the
    points of the lower 48 (the insets' points are left out)."""
    start = project(*origin) if origin else None
    ends = [end for end in (project(*point) for point in points) if end is not None]
    if start is None or not ends:
        return SafeString("")
    return format_html(
        '<g class="state-map__links" pointer-events="none" stroke="#b35806" stroke-opacity="0.45" stroke-width="0.8"'
        ' fill="#b35806">'
        "{lines}{dots}"
        '<circle cx="{x}" cy="{y}" r="4" stroke="#ffffff" stroke-width="1.5" stroke-opacity="1"/></g>',
        lines=format_html_join("", '<line x1="{}" y1="{}" x2="{}" y2="{}"/>', ((*start, *end) for end in ends)),
        dots=format_html_join("", '<circle cx="{}" cy="{}" r="1.6" stroke="none"/>', ends),
        x=start[0],
        y=start[1],
    )


def state_map(
    counts: dict[str, int],
    link_for: Callable[[str], str],
    title: str,
    description: str,
    *,
    noun: tuple[str, str] = ("agency", "agencies"),
    id_prefix: str = "state-map",
    origin: tuple[float, float] | None = None,
    points: list[tuple[float, float]] = (),
) -> dict:
    """Everything a template needs to show the map and its table alternative.

    counts: USPS code -> count; missing states count 0, codes that are not one of the 50 states + DC are ignored.
    link_for: USPS code -> URL; called for every state, including those with no records (they are linked too).
    noun: singular and plural for the hover titles ("Oregon: 1 agency", "Oregon: 3 agencies").
    id_prefix: for the <title>/<desc> ids that aria-labelledby points at; make it unique if a page has two maps.
    origin, points: (longitude, latitude); with both, a line from the origin to each point (an agency's links).

    Returns {"svg": SafeString, "rows": [(code, name, count, url)] for count > 0 sorted by name,
    "legend": [(label, colour)], "legend_title": what the shades count, "max_count": int, "attribution": str}.
    """
    geo = geography()
    states = geo["states"]
    clean = {code: max(int(counts.get(code, 0) or 0), 0) for code in states}
    max_count = max(clean.values(), default=0)
    singular, plural = noun

    rows, links = [], []
    for code, state in sorted(states.items(), key=lambda item: item[1]["name"]):
        count = clean[code]
        url = link_for(code)
        label = f"{state['name']}: {count:,} {singular if count == 1 else plural}"
        links.append((url, shade_step(count, max_count), code, state["path"], fill_for(count, max_count), label))
        if count > 0:
            rows.append((code, state["name"], count, url))

    # format_html / format_html_join escape every argument; their SafeString results nest without re-escaping.
    svg: SafeString = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="group"'
        ' aria-labelledby="{id}-title {id}-desc" class="state-map">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        '<g class="state-map__states" stroke="{border}" stroke-width="0.75" stroke-linejoin="round">{links}</g>'
        "{lines}</svg>",
        width=geo["width"],
        height=geo["height"],
        id=id_prefix,
        title=title,
        description=description,
        border=BORDER,
        lines=_lines_svg(origin, points),
        links=format_html_join(
            "",
            '<a href="{}" class="state-map__state state-map__state--{}" data-state="{}">'
            '<path d="{}" fill="{}"><title>{}</title></path></a>',
            links,
        ),
    )
    return {
        "svg": svg,
        "rows": rows,
        "legend": legend_for(max_count),
        "legend_title": f"{plural[:1].upper()}{plural[1:]} in each state",
        "max_count": max_count,
        "attribution": geo["attribution"],
    }
