"""The three journeys of the people the tracker is for, from the home page, in real Chromium."""

import csv
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own feed

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
AGENCY = "Washington County Sheriff's Office"


def advocate_journey(page, site):
    """Search for an agency, open its timeline, filter it by vendor, open a source at the cited page."""
    page.goto(site + "/")
    page.get_by_label("Search agencies, vendors, technologies and documents").fill("Washington County")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Washington"))
    page.get_by_role("link", name=AGENCY).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)
    expect(page.get_by_text("About 300,000 mugshots uploaded to Amazon S3")).to_be_visible()
    page.locator(".quick-filters").get_by_role("link", name="Amazon").click()
    expect(page).to_have_url(re.compile(r"vendor=amazon"))
    entries = page.locator("li.event")
    expect(entries.first).to_be_visible()
    assert entries.count() >= 5
    page.get_by_role(
        "link", name=re.compile(r"Email from a Washington County employee \(excerpt\), p\. 1")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/#page-1$"))
    cited = page.locator("#page-1")
    expect(cited).to_be_visible()
    expect(cited).to_contain_text("Big Brother vibe")


def test_advocate_follows_an_agency_to_the_cited_page(page, demo_site):
    advocate_journey(page, demo_site)


def test_advocate_journey_works_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    try:
        advocate_journey(context.new_page(), demo_site)
    finally:
        context.close()


def test_researcher_narrows_a_vendor_by_state_and_takes_the_data_away(page, demo_site):
    page.goto(demo_site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    page.get_by_role("link", name="Amazon", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amazon")
    # Narrow the agencies by a state on the map.
    page.locator('svg a[href*="state=OR"]').first.click()
    expect(page).to_have_url(re.compile(r"state=OR"))
    listed = page.locator("aside .plain-list li > a").all_inner_texts()
    assert AGENCY in listed
    assert all("Orlando" not in name for name in listed)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="These agencies as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert sorted(row["name"] for row in rows) == sorted(listed)
    assert {row["state"] for row in rows} == {"OR"}
    feed_link = page.get_by_role("link", name="Atom feed")
    href = feed_link.get_attribute("href")
    assert href == page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    response = page.request.get(demo_site + href)
    assert response.ok
    feed = ET.fromstring(response.body())  # noqa: S314
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Rekognition" in (title or "") for title in titles)
