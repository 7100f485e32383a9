"""Server-rendered choropleth of the US states as inline SVG: one link per state, shaded by a count.

The geometry is records/graphics/geo/us_states.json, generated once by scripts/build_state_paths.py from us-atlas
(already projected into a 975x610 Albers USA frame). Nothing here fetches anything.

The markup is safe under a strict Content-Security-Policy: no style="" attributes and no script. Colours are
SVG presentation attributes (fill=, stroke=), which CSP does not treat as inline styles; hover/focus styling
can hang off the class names (state-map, state-map__state, state-map__state--0 .. --5) in a stylesheet.
"""

import functools
import json
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


def state_map(
    counts: dict[str, int],
    link_for: Callable[[str], str],
    title: str,
    description: str,
    *,
    noun: tuple[str, str] = ("agency", "agencies"),
    id_prefix: str = "state-map",
) -> dict:
    """Everything a template needs to show the map and its table alternative.

    counts: USPS code -> count; missing states count 0, codes that are not one of the 50 states + DC are ignored.
    link_for: USPS code -> URL; called for every state, including those with no records (they are linked too).
    noun: singular and plural for the hover titles ("Oregon: 1 agency", "Oregon: 3 agencies").
    id_prefix: for the <title>/<desc> ids that aria-labelledby points at; make it unique if a page has two maps.

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
        "</svg>",
        width=geo["width"],
        height=geo["height"],
        id=id_prefix,
        title=title,
        description=description,
        border=BORDER,
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
