"""The inline-SVG state map: geometry data, shading, links, escaping. Plain functions, no database."""

import re
import xml.etree.ElementTree as ET

from django.utils.safestring import SafeString

from records.graphics.maps import PALETTE, ZERO_FILL, fill_for, geography, legend_for, shade_step, state_map

SVG = "{http://www.w3.org/2000/svg}"


def link(code: str) -> str:
    return f"/states/{code.lower()}/"


def render(counts: dict[str, int], link_for=link, **kwargs) -> dict:
    return state_map(counts, link_for, title="Agencies by state", description="Count of agencies per state.", **kwargs)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 -- our own output, not untrusted input


def anchors(svg: str) -> dict[str, ET.Element]:
    root = parse(svg)
    return {a.get("data-state"): a for a in root.iter(f"{SVG}a")}


def test_geography_has_51_states_with_paths():
    geo = geography()
    states = geo["states"]
    assert len(states) == 51
    assert "DC" in states and "PR" not in states
    assert states["OR"] == {"name": "Oregon", "fips": "41", "path": states["OR"]["path"]}
    assert states["OR"]["path"].startswith("M") and len(states["OR"]["path"]) > 100
    assert all(state["path"] for state in states.values())
    assert (geo["width"], geo["height"]) == (975, 610)
    assert "us-atlas" in geo["attribution"] and "Census" in geo["attribution"]


def test_svg_is_well_formed_xml_with_accessible_title_and_desc():
    result = render({"OR": 3})
    assert isinstance(result["svg"], SafeString)
    root = parse(result["svg"])
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 975 610"
    assert root.get("role") == "group"  # not "img": an image role would hide the state links
    assert root.get("width") == "100%"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Agencies by state"
    assert desc.text == "Count of agencies per state."
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]


def test_every_state_rendered_and_linked_even_with_zero():
    result = render({"OR": 3})
    by_code = anchors(result["svg"])
    assert len(by_code) == 51
    assert by_code["OR"].get("href") == "/states/or/"
    assert by_code["WY"].get("href") == "/states/wy/"  # count 0, still a link
    path = by_code["OR"].find(f"{SVG}path")
    assert path.get("d") == geography()["states"]["OR"]["path"]
    assert path.find(f"{SVG}title").text == "Oregon: 3 agencies"
    assert by_code["WY"].find(f"{SVG}path/{SVG}title").text == "Wyoming: 0 agencies"


def test_singular_and_custom_noun():
    by_code = anchors(render({"OR": 1, "WA": 2}, noun=("contract", "contracts"))["svg"])
    assert by_code["OR"].find(f"{SVG}path/{SVG}title").text == "Oregon: 1 contract"
    assert by_code["WA"].find(f"{SVG}path/{SVG}title").text == "Washington: 2 contracts"


def test_counts_shade_differently():
    by_code = anchors(render({"CA": 40, "OR": 3, "TX": 20})["svg"])
    fill = {code: a.find(f"{SVG}path").get("fill") for code, a in by_code.items()}
    assert fill["WY"] == ZERO_FILL
    assert fill["CA"] == PALETTE[-1]
    assert fill["TX"] == PALETTE[2]  # 20/40 -> third of five steps
    assert fill["OR"] == PALETTE[0]
    assert len({fill["WY"], fill["OR"], fill["TX"], fill["CA"]}) == 4
    assert "state-map__state--5" in by_code["CA"].get("class")
    assert "state-map__state--0" in by_code["WY"].get("class")


def test_shading_steps():
    assert shade_step(0, 10) == 0
    assert shade_step(1, 10) == 1
    assert shade_step(2, 10) == 1
    assert shade_step(3, 10) == 2
    assert shade_step(10, 10) == 5
    assert shade_step(1, 1) == 5
    assert shade_step(0, 0) == 0
    assert fill_for(0, 0) == ZERO_FILL


def test_legend_matches_shading():
    assert legend_for(0) == [("0", ZERO_FILL)]
    assert legend_for(10) == [("0", ZERO_FILL)] + list(zip(["1–2", "3–4", "5–6", "7–8", "9–10"], PALETTE, strict=True))
    for max_count in (1, 2, 3, 4, 5, 7, 10, 13, 99, 1234):
        legend = {colour: label for label, colour in legend_for(max_count)}
        for count in range(max_count + 1):
            label = legend[fill_for(count, max_count)]
            low, _, high = label.replace(",", "").partition("–")
            assert int(low) <= count <= int(high or low), (max_count, count, label)


def test_rows_only_states_with_counts_sorted_by_name():
    result = render({"WA": 2, "OR": 3, "AL": 0, "ZZ": 9, "DC": 1})
    assert result["rows"] == [
        ("DC", "District of Columbia", 1, "/states/dc/"),
        ("OR", "Oregon", 3, "/states/or/"),
        ("WA", "Washington", 2, "/states/wa/"),
    ]
    assert result["max_count"] == 3  # the unknown code ZZ is ignored


def test_interpolated_values_are_escaped():
    def nasty_link(code: str) -> str:
        return f'/search/?state={code}&q="x"'

    result = render({"OR": 2}, link_for=nasty_link)
    svg = str(result["svg"])
    assert 'href="/search/?state=OR&amp;q=&quot;x&quot;"' in svg
    assert '&q="x"' not in svg
    # ...and it still round-trips to the original URL through an XML parser.
    assert anchors(svg)["OR"].get("href") == '/search/?state=OR&q="x"'
    assert result["rows"][0][3] == '/search/?state=OR&q="x"'  # raw in rows: the template escapes it

    hostile = state_map({}, link, title="<script>alert(1)</script>", description='a & b "c"', id_prefix='m"1')
    svg = str(hostile["svg"])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a &amp; b &quot;c&quot;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert root.find(f"{SVG}title").get("id") == 'm"1-title'


def test_csp_friendly_markup():
    svg = str(render({"OR": 3, "CA": 9})["svg"])
    assert "style=" not in svg
    assert "<script" not in svg
    assert not re.search(r"\son[a-z]+=", svg)  # no event-handler attributes
