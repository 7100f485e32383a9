"""Atom feeds for every timeline, announced on the pages; sitemap and robots.txt."""

import datetime
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own output

import pytest

from tests import factories

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world():
    amazon = factories.vendor("Amazon")
    agency = factories.agency("Washington County Sheriff's Office", "OR")
    factories.event(agency, datetime.date(2017, 11, 1), [amazon], [factories.technology()], title="Mugshots indexed",
                    date_precision="month")  # fmt: skip
    factories.event(factories.agency("Other", "FL"), datetime.date(2019, 1, 1), title="Elsewhere")
    return agency, amazon


def entries(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == f"{ATOM}feed"
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_feeds_hold_their_timeline(client, world):
    agency, amazon = world
    assert entries(client, "/timeline/feed/") == ["Jan 1, 2019: Elsewhere", "Nov 2017: Mugshots indexed"]
    assert entries(client, f"/agencies/{agency.slug}/feed/") == ["Nov 2017: Mugshots indexed"]
    assert entries(client, "/vendors/amazon/feed/") == ["Nov 2017: Mugshots indexed"]
    assert entries(client, "/technologies/face-recognition/feed/") == ["Nov 2017: Mugshots indexed"]


def test_pages_announce_their_feed(client, world):
    agency, _ = world
    for page, feed in [
        ("/timeline/", "/timeline/feed/"),
        (f"/agencies/{agency.slug}/", f"/agencies/{agency.slug}/feed/"),
        ("/vendors/amazon/", "/vendors/amazon/feed/"),
        ("/technologies/face-recognition/", "/technologies/face-recognition/feed/"),
    ]:
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed}"' in html


def test_unknown_feed_is_404(client, world):
    assert client.get("/vendors/nobody/feed/").status_code == 404


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_locations(client) -> set[str]:
    """Every address the sitemap gives, read as a crawler does: the index, then each section page it lists."""
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    assert index.tag == f"{SITEMAP}sitemapindex"
    locations = set()
    for section in index.iter(f"{SITEMAP}loc"):
        response = client.get(section.text.removeprefix("http://testserver"))
        assert response.status_code == 200, section.text
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == f"{SITEMAP}urlset"
        locations |= {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    return locations


def test_sitemap_and_robots(client, world):
    agency, _ = world
    locations = sitemap_locations(client)
    assert f"http://testserver/agencies/{agency.slug}/" in locations
    assert "http://testserver/vendors/amazon/" in locations
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_a_filtered_list_offers_a_feed_with_the_same_filters(client, world):
    agency, _ = world
    html = client.get("/timeline/?state=FL&sort=date&after=2030-01-01~9").content.decode()
    assert 'href="/timeline/feed/?state=FL"' in html  # the filters, not the order or the page
    assert entries(client, "/timeline/feed/?state=FL") == ["Jan 1, 2019: Elsewhere"]
    assert entries(client, "/timeline/feed/?vendor=Amazon&start=2017") == ["Nov 2017: Mugshots indexed"]
    assert entries(client, "/timeline/feed/?year=2018") == []
    html = client.get(f"/agencies/{agency.slug}/?kind=deployment").content.decode()
    assert f'href="/agencies/{agency.slug}/feed/?kind=deployment"' in html
    assert entries(client, f"/agencies/{agency.slug}/feed/?kind=policy") == []
    assert entries(client, "/vendors/amazon/feed/?state=FL") == []
    root = ET.fromstring(client.get("/timeline/feed/?state=FL").content)  # noqa: S314
    assert root.find(f"{ATOM}title").text == "Surveillance Procurement Tracker: timeline (filtered)"
    assert root.find(f"{ATOM}link").get("href") == "http://testserver/timeline/?state=FL"


def test_a_feed_refuses_a_filter_it_cannot_use(client, world):
    response = client.get("/timeline/feed/?start=2021&end=2019&vendor=nobody")
    assert response.status_code == 400
    body = response.content.decode()
    assert "To: “To” (2019) comes before “From” (2021)" in body and "Vendor: No vendor is called" in body


def test_the_sitemap_lists_public_timeline_entries_and_procurements(client, world):
    agency, amazon = world
    shown = factories.procurement(agency, amazon)
    hidden = factories.procurement(agency, amazon, visibility="private")
    private_event = factories.event(agency, datetime.date(2020, 1, 1), visibility="private")
    locations = sitemap_locations(client)
    public_events = agency.timeline_events.exclude(pk=private_event.pk)
    assert {f"http://testserver{event.get_absolute_url()}" for event in public_events} <= locations
    assert f"http://testserver{shown.get_absolute_url()}" in locations
    assert f"http://testserver{hidden.get_absolute_url()}" not in locations
    assert f"http://testserver{private_event.get_absolute_url()}" not in locations


def test_a_long_sitemap_section_is_paged_in_the_index(client, world, monkeypatch):
    from records.web.sitemaps import SITEMAPS

    agency, _ = world
    for n in range(5):
        factories.event(agency, datetime.date(2020, 1, n + 1))
    monkeypatch.setattr(SITEMAPS["events"], "limit", 2)
    index = client.get("/sitemap.xml").content.decode()
    from records.models import TimelineEvent

    pages = -(-TimelineEvent.objects.visible_to(None).count() // 2)
    assert pages >= 3
    for page in range(2, pages + 1):
        assert f"http://testserver/sitemap-events.xml?p={page}" in index
    assert f"sitemap-events.xml?p={pages + 1}" not in index
    ours = {f"http://testserver{event.get_absolute_url()}" for event in agency.timeline_events.visible_to(None)}
    assert ours <= sitemap_locations(client)
    assert client.get(f"/sitemap-events.xml?p={pages + 1}").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
