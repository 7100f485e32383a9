"""The public face, measured in Chromium: chart text as displayed, a legend with every map, no page wider than a
320 px phone, the first result within a phone's first screen, axe-core on every page type, and the advocate's
three clicks from the home page to the "Big Brother" email."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_experience import main_pages, serious_violations, sign_in_as_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTHS = [390, 1280]
PHONE = {"width": 390, "height": 844}
AGENCY = "Washington County Sheriff's Office"

# The displayed size of each chart text: its computed font size (user units) times the drawing's scale on screen
# (the length of the matrix's x column, which a rotated axis title turns but keeps).
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('svg.chart text')].map(t => {
    const m = t.getScreenCTM();
    return {text: t.textContent, kind: t.getAttribute('class') || '',
            px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)};
})"""


def staff_pages() -> dict[str, str]:
    from records.models import Document, Procurement, RecordsRequest, TimelineEvent

    own_entry = TimelineEvent.objects.filter(procurement__isnull=True, records_request__isnull=True).first()
    return {
        "staff dashboard": "/staff/",
        "review queue": "/staff/review/",
        "duplicates": "/staff/duplicates/",
        "staff documents": "/staff/documents/",
        "staff document": f"/staff/documents/{Document.objects.first().pk}/",
        "upload": "/staff/documents/upload/",
        "file a request": "/staff/requests/new/",
        "staff request": f"/staff/requests/{RecordsRequest.objects.first().pk}/",
        "request history": f"/staff/requests/{RecordsRequest.objects.first().pk}/history/",
        "add a procurement": "/staff/procurements/new/",
        "add an entry": "/staff/events/new/",
        "edit an entry": f"/staff/events/{own_entry.pk}/edit/",
        "edit a procurement": f"/staff/procurements/{Procurement.objects.first().pk}/edit/",
        "calendar": "/staff/calendar/",
        "timeline as staff": "/timeline/",
    }


def public_pages(site) -> dict[str, str]:
    from records.models import Procurement, TimelineEvent

    return main_pages(site) | {
        "procurement": Procurement.objects.first().get_absolute_url(),
        "entry": TimelineEvent.objects.filter(sources__document__isnull=False).first().get_absolute_url(),
        "oversight": "/oversight/",
        "timeline filtered": "/timeline/?state=OR&vendor=amazon",
        "bad filter": "/timeline/?start=2020-13",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_text_is_at_least_12_px_as_displayed(browser, demo_site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    measured = {}
    for path, expected in {
        "/vendors/amazon/": 2,
        "/technologies/face-recognition/": 2,
        "/agencies/washington-county-sheriffs-office-or/": 1,
    }.items():
        page.goto(demo_site + path)
        charts = page.locator("figure.chart")
        assert charts.count() == expected, path
        for n in range(charts.count()):
            chart = charts.nth(n)
            # Each chart: axis titles, its latest value highlighted, a hover title per bar or point, the numbers.
            assert chart.locator("text.chart-axis-title").count() == 2
            assert chart.locator(".chart-latest").count() == 1
            assert chart.locator("text.chart-value").count() == 1
            marks = chart.locator(".chart-bar, .chart-point")
            assert marks.count() >= 1
            assert chart.locator(".chart-bar title, .chart-point title").count() == marks.count()
            assert chart.locator("details table tbody tr").count() >= 1
        measured[path] = page.evaluate(CHART_TEXT_SIZES)
    context.close()
    sizes = [label["px"] for labels in measured.values() for label in labels]
    assert sizes and min(sizes) >= 12, min(measured.values(), key=lambda labels: min(x["px"] for x in labels))
    kinds = {label["kind"] for labels in measured.values() for label in labels}
    assert {"chart-tick", "chart-year", "chart-axis-title", "chart-value"} <= kinds


def test_every_map_has_a_legend_and_comes_before_the_lists(browser, demo_site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for path, first_of_the_rest in {
        "/": None,
        "/agencies/": ".col-main table.stacked tbody tr >> nth=0",
        "/vendors/amazon/": "li.event >> nth=0",
        "/technologies/face-recognition/": "li.event >> nth=0",
    }.items():
        page.goto(demo_site + path)
        maps = page.locator("figure.map")
        assert maps.count() == 1, path
        legend = maps.locator(".map-legend")
        expect(legend).to_be_visible()
        expect(legend.locator(".map-legend-title")).to_have_text("Agencies in each state")
        assert legend.locator("li svg rect").count() >= 2
        if first_of_the_rest:
            map_top = maps.bounding_box()["y"]
            assert map_top < page.locator(first_of_the_rest).bounding_box()["y"], path
    context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_no_page_is_wider_than_the_screen(browser, demo_site, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    too_wide = {}

    def measure(name, path):
        page.goto(demo_site + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            culprits = page.evaluate(
                """(width) => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .slice(0, 3).map(e => e.tagName + '.' + e.className)""",
                width,
            )
            too_wide[name] = (scroll, culprits)

    for name, path in public_pages(demo_site).items():
        measure(name, path)
    sign_in_as_editor(page, demo_site)
    for name, path in staff_pages().items():
        measure(name, path)
    context.close()
    assert too_wide == {}


def test_a_sha256_wraps_inside_its_card_on_the_smallest_phone(browser, demo_site):
    from records.models import Document

    document = Document.objects.first()
    Document.objects.filter(pk=document.pk).update(sha256="9f" * 32)
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    sign_in_as_editor(page, demo_site)
    for path in (document.get_absolute_url(), f"/staff/documents/{document.pk}/"):
        page.goto(demo_site + path)
        digest = page.locator("code.hash")
        expect(digest).to_have_text("9f" * 32)  # whole, for checking the file against it
        box = digest.bounding_box()
        assert box["x"] + box["width"] <= 320 - 16, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()


@pytest.mark.parametrize("path", ["/timeline/", "/procurements/"])
def test_the_first_result_is_on_a_phones_first_screen(browser, demo_site, path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(demo_site + path)
    panel = page.locator("details.filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(panel.locator("form")).to_be_hidden()
    first = page.locator("li.event .event-title a" if path == "/timeline/" else "table.stacked tbody tr td a").first
    expect(first).to_be_in_viewport()
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= PHONE["height"]
    # The one Filter control opens the whole form.
    panel.locator("summary").tap()
    expect(panel.locator("form")).to_be_visible()
    expect(panel.get_by_role("button", name="Apply filters")).to_be_visible()
    context.close()


def test_filters_in_use_show_as_chips_that_remove_one_each(page, demo_site):
    page.goto(demo_site + "/timeline/?state=OR&vendor=amazon")
    chips = page.get_by_role("list", name="Filters in use")
    expect(chips.get_by_role("link", name=re.compile("^State: Oregon"))).to_be_visible()
    chips.get_by_role("link", name=re.compile("^Vendor: Amazon")).click()
    expect(page).to_have_url(re.compile(r"/timeline/\?state=OR$"))
    expect(page.get_by_role("list", name="Filters in use").get_by_role("link")).to_have_count(2)  # chip + clear all


def test_tables_become_cards_on_a_phone(browser, demo_site):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(demo_site + "/procurements/")
    row = page.locator("table.stacked tbody tr").first
    cells = row.locator("td")
    boxes = [cells.nth(n).bounding_box() for n in range(cells.count())]
    assert len({round(box["x"]) for box in boxes}) == 1  # one above the other, not side by side
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('table.stacked tbody td:nth-child(2)'), '::before').content"
    )
    assert label == '"Agency: "'
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_on_any_page_type(browser, demo_site, axe_source, width):
    # axe is injected as a script; the pages' own CSP would (rightly) refuse it, so this context bypasses it. axe's
    # color-contrast rule (serious) checks the palette as drawn, at AA.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = {}
    for name, path in public_pages(demo_site).items():
        page.goto(demo_site + path)
        if found := serious_violations(page, axe_source):
            problems[name] = found
    sign_in_as_editor(page, demo_site)
    for name, path in staff_pages().items():
        page.goto(demo_site + path)
        if found := serious_violations(page, axe_source):
            problems[name] = found
    context.close()
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_advocate_reaches_the_big_brother_email_in_three_clicks(browser, demo_site, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    page = context.new_page()
    page.goto(demo_site + "/")
    clicks = 0
    page.get_by_role("link", name=AGENCY).first.click()
    clicks += 1
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)
    page.get_by_role("link", name=re.compile(r"Email from a Washington County employee \(excerpt\)")).first.click()
    clicks += 1
    expect(page.locator("#page-1")).to_contain_text("Big Brother vibe")
    assert clicks <= 3
    context.close()


def test_the_header_shows_who_is_signed_in_and_signs_out(page, demo_site):
    page.goto(demo_site + "/")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Staff sign-in")).to_be_visible()
    sign_in_as_editor(page, demo_site)
    expect(banner).to_contain_text("Signed in as browser-editor")
    banner.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Staff sign-in")).to_be_visible()


def test_staff_see_a_badge_on_what_the_public_cannot(page, demo_site):
    from records.models import TimelineEvent

    entry = TimelineEvent.objects.filter(agency__slug="washington-county-sheriffs-office-or").first()
    TimelineEvent.objects.filter(pk=entry.pk).update(visibility="private")
    sign_in_as_editor(page, demo_site)
    page.goto(demo_site + "/agencies/washington-county-sheriffs-office-or/")
    expect(page.locator(f"#event-{entry.pk} .tag-hidden")).to_have_text("Private")
    page.goto(demo_site + entry.get_absolute_url())
    expect(page.locator(".staff-bar .tag-hidden")).to_have_text("Private")
