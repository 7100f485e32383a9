"""Tests for records.graphics.charts: pure functions, no database, no Django settings needed."""

import itertools
import xml.etree.ElementTree as ET

from records.graphics import charts
from records.graphics.charts import _nice_ticks, cumulative_line_chart, year_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: dict) -> ET.Element:
    return ET.fromstring(str(chart["svg"]))  # noqa: S314 - parsing our own generated markup


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if "chart-bar" in (rect.get("class") or "").split()]


def year_labels(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-year"]


def test_bar_chart_parses_and_is_labelled():
    chart = year_bar_chart({2015: 2, 2017: 5}, "Contracts", "Contracts per year", chart_id="contracts")
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox")
    assert root.get("aria-labelledby") == "contracts-title contracts-desc"
    assert root.find(f"{SVG}title").get("id") == "contracts-title"
    assert root.find(f"{SVG}desc").get("id") == "contracts-desc"
    assert chart["title"] == "Contracts"
    assert chart["description"] == "Contracts per year"
    assert chart["empty"] is False


def test_gap_years_filled_and_one_bar_per_year():
    chart = year_bar_chart({2014: 1, 2019: 4, 2016: 2}, "t", "d")
    assert chart["rows"] == [(2014, 1), (2015, 0), (2016, 2), (2017, 0), (2018, 0), (2019, 4)]
    assert len(bars(parse(chart))) == 6


def test_bar_heights_proportional():
    chart = year_bar_chart({2010: 2, 2011: 8, 2012: 4, 2013: 0}, "t", "d")
    heights = [float(b.get("height")) for b in bars(parse(chart))]
    assert heights.index(max(heights)) == 1  # 2011 is the max year
    assert heights[3] == 0
    assert abs(heights[0] / heights[1] - 2 / 8) < 0.01
    assert abs(heights[2] / heights[1] - 4 / 8) < 0.01


def test_bar_hover_titles():
    root = parse(year_bar_chart({2017: 3}, "t", "d"))
    assert [b.find(f"{SVG}title").text for b in bars(root)] == ["2017: 3 entries"]


def test_cumulative_rows_are_running_totals():
    chart = cumulative_line_chart({2012: 1, 2014: 3, 2015: 2}, "Adoption", "Agencies over time")
    assert chart["rows"] == [(2012, 1, 1), (2013, 0, 1), (2014, 3, 4), (2015, 2, 6)]
    root = parse(chart)
    points = [c for c in root.iter(f"{SVG}circle") if "chart-point" in (c.get("class") or "").split()]
    assert len(points) == 4
    assert points[-1].find(f"{SVG}title").text == "2015: 6 agencies (2 new)"
    cys = [float(c.get("cy")) for c in points]
    assert cys == sorted(cys, reverse=True)  # running total never goes down (y grows downward)
    assert len(root.find(f"{SVG}polyline").get("points").split()) == 4


def test_text_is_escaped_never_raw():
    evil = '<script>alert("x")</script> & co'
    for func in (year_bar_chart, cumulative_line_chart):
        for counts in ({2020: 1}, {}):
            chart = func(counts, evil, evil, unit=evil, chart_id='x" onload="y')
            svg = str(chart["svg"])
            assert "<script" not in svg
            assert "&lt;script&gt;" in svg
            assert "&amp; co" in svg
            assert "onload=" not in svg
            root = parse(chart)  # still well-formed
            assert root.find(f"{SVG}title").text == evil


def test_no_inline_style_or_script():
    counts = {year: year % 7 for year in range(1990, 2025)}
    for chart in (year_bar_chart(counts, "t", "d"), cumulative_line_chart(counts, "t", "d")):
        svg = str(chart["svg"]).lower()
        assert "style=" not in svg
        assert "<style" not in svg
        assert "<script" not in svg


def test_year_labels_thinned_when_many_years():
    six = year_labels(parse(year_bar_chart({2016: 1, 2021: 1}, "t", "d")))
    assert six == [str(y) for y in range(2016, 2022)]
    twelve = year_labels(parse(year_bar_chart({2010: 1, 2021: 1}, "t", "d")))
    assert twelve == [str(y) for y in range(2010, 2022, 2)]
    many = year_labels(parse(year_bar_chart({1990: 1, 2024: 1}, "t", "d")))
    assert many == [str(y) for y in range(1990, 2025, 10)]


def test_year_labels_never_touch():
    for last in range(2001, 2060):
        root = parse(year_bar_chart({2000: 1, last: 1}, "t", "d"))
        xs = [float(t.get("x")) for t in root.iter(f"{SVG}text") if t.get("class") == "chart-year"]
        label_width = 4 * charts.DIGIT_W
        assert all(b - a >= label_width for a, b in itertools.pairwise(xs)), last


def test_text_is_drawn_at_a_size_that_stays_legible_in_the_narrowest_column():
    # Shown 288 CSS px wide (a 320 px phone) the chart's 15-unit text is 12.7 px; the browser tests measure it.
    root = parse(year_bar_chart({2019: 3, 2020: 5}, "t", "d"))
    width = float(root.get("viewBox").split()[2])
    sizes = {float(t.get("font-size")) for t in root.iter(f"{SVG}text")}
    assert min(sizes) * 288 / width >= 12


def test_axes_have_titles_and_the_latest_value_stands_out():
    root = parse(year_bar_chart({2019: 3, 2020: 5}, "Entries", "d", unit="entries"))
    titles = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-axis-title"]
    assert titles == ["Year", "Entries"]
    drawn = bars(root)
    assert [b.get("class") for b in drawn] == ["chart-bar", "chart-bar chart-latest"]
    assert drawn[0].get("fill") != drawn[1].get("fill")
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["5"]
    line = parse(cumulative_line_chart({2019: 3, 2020: 5}, "Adoption", "d", y_title="Agencies using it"))
    assert [t.text for t in line.iter(f"{SVG}text") if t.get("class") == "chart-axis-title"] == [
        "Year",
        "Agencies using it",
    ]
    assert [t.text for t in line.iter(f"{SVG}text") if t.get("class") == "chart-value"] == ["8"]
    latest = [c for c in line.iter(f"{SVG}circle") if "chart-latest" in c.get("class")]
    assert len(latest) == 1 and latest[0].find(f"{SVG}title").text == "2020: 8 agencies (5 new)"


def test_nice_ticks():
    assert _nice_ticks(0) == [0, 1]
    assert _nice_ticks(3) == [0, 1, 2, 3]
    assert _nice_ticks(7) == [0, 2, 4, 6, 8]
    assert _nice_ticks(37) == [0, 10, 20, 30, 40]
    assert _nice_ticks(120) == [0, 50, 100, 150]


def test_y_tick_labels_are_integers():
    root = parse(year_bar_chart({2020: 7, 2021: 3}, "t", "d"))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert ticks == ["0", "2", "4", "6", "8"]


def test_empty_input():
    for func in (year_bar_chart, cumulative_line_chart):
        chart = func({}, "Nothing", "No records")
        assert chart["empty"] is True
        assert chart["rows"] == []
        root = parse(chart)
        assert "No data yet" in [t.text for t in root.iter(f"{SVG}text")]
        assert root.get("role") == "img"


def test_none_year_ignored():
    chart = year_bar_chart({None: 5, 2020: 2}, "t", "d")
    assert chart["rows"] == [(2020, 2)]
    assert year_bar_chart({None: 5}, "t", "d")["empty"] is True
