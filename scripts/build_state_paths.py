"""One-off: turn us-atlas's projected state TopoJSON into SVG path strings for records/graphics/geo/us_states.json.

Where the data comes from
-------------------------
The npm package ``us-atlas`` 3.0.1 by Mike Bostock (ISC licence), built from the US Census Bureau's
cartographic boundary files (2017 edition, 1:10,000,000). Its ``states-albers-10m.json`` is already
projected with d3.geoAlbersUsa into a 975x610 frame (Alaska and Hawaii inset), quantized and simplified,
so no projection maths is needed here: just decode the TopoJSON and write SVG path data.

Usage (nothing at run time fetches anything; this is only for regenerating the checked-in JSON)::

    cd /tmp && npm pack us-atlas@3          # -> us-atlas-3.0.1.tgz
    python scripts/build_state_paths.py /tmp/us-atlas-3.0.1.tgz

The argument may be the .tgz itself or an already extracted ``states-albers-10m.json``.
Pure standard library; no extra dependencies.
"""

import argparse
import itertools
import json
import sys
import tarfile
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "records" / "graphics" / "geo" / "us_states.json"
MEMBER = "package/states-albers-10m.json"
DEFAULT_VERSION = "3.0.1"

# FIPS state code -> USPS code, for the 50 states and DC. Anything else (territories) is dropped.
FIPS_TO_USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
    "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA",
    "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN",
    "28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM",
    "36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
    "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
    "54": "WV", "55": "WI", "56": "WY",
}  # fmt: skip


def load_topology(source: Path) -> tuple[dict, str]:
    """Read the topology (and the package version, when reading from the tarball)."""
    if source.suffix in {".tgz", ".gz"}:
        with tarfile.open(source, "r:gz") as tar:
            package = json.load(tar.extractfile("package/package.json"))
            topology = json.load(tar.extractfile(MEMBER))
        return topology, package["version"]
    return json.loads(source.read_text(encoding="utf-8")), DEFAULT_VERSION


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates for every arc: undo the delta encoding, then the quantization transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:  # unquantized topology: positions are already absolute
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stitch a ring's arcs together; a negative index ~i means arc i reversed. Shared endpoints appear once."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def fmt(tenths: int) -> str:
    """A coordinate held in tenths as the shortest SVG number: 705 -> '70.5', 710 -> '71', -5 -> '-.5'."""
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def ring_path(points: list[tuple[float, float]]) -> str:
    """One closed subpath: an absolute moveto, then relative linetos ('Mx,yldx,dy dx,dy ...z').

    Points are snapped to a 0.1 grid first and the deltas taken between snapped points, so every vertex
    lands exactly on a 1-decimal coordinate (no drift), and relative steps are much shorter than absolute
    coordinates (about a third smaller, and it gzips better). Points that coincide after rounding are dropped.
    """
    grid: list[tuple[int, int]] = []
    for x, y in points:
        snapped = (round(x * 10), round(y * 10))
        if not grid or grid[-1] != snapped:
            grid.append(snapped)
    if len(grid) > 1 and grid[0] == grid[-1]:
        grid.pop()  # z closes the ring
    if len(grid) < 3:
        return ""  # collapsed to nothing at this precision
    (x0, y0), steps = grid[0], itertools.pairwise(grid)
    deltas = " ".join(f"{fmt(bx - ax)},{fmt(by - ay)}" for (ax, ay), (bx, by) in steps)
    return f"M{fmt(x0)},{fmt(y0)}l{deltas}z"


def geometry_path(geometry: dict, arcs: list[list[tuple[float, float]]]) -> str:
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']!r} for {geometry.get('id')!r}")
    return "".join(ring_path(ring_points(ring, arcs)) for polygon in polygons for ring in polygon)


def build(topology: dict, version: str) -> dict:
    arcs = decode_arcs(topology)
    states = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        fips = str(geometry["id"]).zfill(2)
        code = FIPS_TO_USPS.get(fips)
        if code is None:
            print(f"dropping {fips} {geometry.get('properties', {}).get('name')}", file=sys.stderr)
            continue
        states[code] = {"name": geometry["properties"]["name"], "fips": fips, "path": geometry_path(geometry, arcs)}
    missing = sorted(set(FIPS_TO_USPS.values()) - states.keys())
    if missing:
        raise SystemExit(f"states missing from the topology: {', '.join(missing)}")
    return {
        "attribution": (
            f"State boundaries: us-atlas {version} (ISC), from US Census Bureau cartographic boundary files "
            "(2017, 1:10,000,000), projected with d3.geoAlbersUsa by Mike Bostock."
        ),
        "source": f"https://www.npmjs.com/package/us-atlas/v/{version} states-albers-10m.json",
        "width": 975,
        "height": 610,
        "states": dict(sorted(states.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "source", type=Path, help="us-atlas-3.x.tgz from `npm pack us-atlas@3`, or states-albers-10m.json"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    topology, version = load_topology(args.source)
    data = build(topology, version)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(data['states'])} states to {args.output} ({args.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
