"""Every page issues a fixed number of queries, pinned here, whatever the size of the data."""

import datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import Correspondence
from records.services.sharing import sharing_summaries_refresh
from tests import factories

pytestmark = pytest.mark.django_db

STATES = ["OR", "FL", "CA", "NY", "TX"]


def grow(size: int):
    """Add `size` agencies' worth of data: events with vendors, technologies and sources, records, and sharing
    links with the pinned agency and among themselves (two hops), from portals and released documents."""
    from records.models import Agency

    face, alpr = factories.technology("face-recognition"), factories.technology("automated-license-plate-readers")
    vendors = [factories.vendor() for _ in range(2)]
    pinned = Agency.objects.get(slug="washington-county-sheriffs-office-or")
    previous = None
    for i in range(size):
        agency = factories.agency(code=STATES[i % len(STATES)])
        shared = {"technology": alpr, "vendor": vendors[0], "source_url": f"https://example.org/portal/{agency.pk}"}
        factories.sharing_link(pinned, agency, **shared)
        factories.sharing_link(agency, pinned, how="records", **shared)
        factories.sharing_link(agency, factories.organisation(code=STATES[i % len(STATES)]), **shared)
        if previous is not None:
            factories.sharing_link(agency, previous, how="records", **shared)
        previous = agency
        request = factories.records_request(agency, filed_on=datetime.date(2020, 1, 2), status="filed")
        Correspondence.objects.create(
            request=request, date=datetime.date(2020, 1, 3), direction="out", channel="email", summary="Filed"
        )
        document = factories.document(agency, request=request, pages=["one", "two"])
        factories.procurement(agency, vendors[i % 2], amount=100)
        for year in (2018, 2019, 2020):
            event = factories.event(
                agency, date=datetime.date(year, 3, 1 + i % 27), vendors=vendors, technologies=[face, alpr]
            )
            event.sources.create(document=document, page=2)
    # As the import, the merges and the admin keep them after each write.
    sharing_summaries_refresh()


@pytest.fixture
def demo():
    from records.importers.demo import load_demo

    load_demo()


def pages():
    from records.models import Agency, Document, Procurement, RecordsRequest, TimelineEvent

    agency = Agency.objects.get(slug="washington-county-sheriffs-office-or")
    return {
        "home": "/",
        "timeline": "/timeline/",
        "timeline filtered": "/timeline/?vendor=amazon&state=OR&start=2017&end=2019-06",
        "timeline json": "/timeline/?format=json",
        "agencies": "/agencies/",
        "agencies filtered": "/agencies/?state=OR&technology=face-recognition",
        "agencies json": "/agencies/?format=json",
        "agency": agency.get_absolute_url(),
        "agency filtered": f"{agency.get_absolute_url()}?kind=deployment",
        "vendors": "/vendors/",
        "vendor": "/vendors/amazon/",
        "vendor in a state": "/vendors/amazon/?state=OR",
        "technologies": "/technologies/",
        "technology": "/technologies/face-recognition/",
        "procurements": "/procurements/?state=OR&amount_min=0",
        "procurement": Procurement.objects.first().get_absolute_url(),
        "requests": "/requests/?status=overdue",
        "request": RecordsRequest.objects.first().get_absolute_url(),
        "documents": "/documents/",
        "document": Document.objects.first().get_absolute_url(),
        "event": TimelineEvent.objects.first().get_absolute_url(),
        "search": "/search/?q=county",
        "feed": "/timeline/feed/",
        "agency feed": f"{agency.get_absolute_url()}feed/",
        "sitemap": "/sitemap.xml",
        "sitemap events": "/sitemap-events.xml",
        "timeline csv": "/timeline/?format=csv",
        "agency csv": f"{agency.get_absolute_url()}?format=csv",
        "agencies csv": "/agencies/?format=csv",
        "documents csv": "/documents/?format=csv",
        "timeline oldest first": "/timeline/?sort=date&year=2019",
        "agency oldest first": f"{agency.get_absolute_url()}?sort=date",
        "procurements by amount": "/procurements/?sort=-amount&vendor=Amazon",
        "requests by due date": "/requests/?sort=due_on&outcome=open&state=OR",
        "feed filtered": "/timeline/feed/?vendor=amazon&state=OR&start=2017",
        "agency names": "/names/agencies/?q=wash",
        "vendor names": "/names/vendors/?q=a",
        "oversight": "/oversight/",
        "oversight filtered": "/oversight/?state=OR&technology=face-recognition&vendor=Amazon",
        "follow": "/follow/?url=/vendors/amazon/",
        "follow a search": "/follow/?url=" + quote("/timeline/?vendor=Amazon&state=OR&technology=face-recognition"),
        "sharing": "/sharing/",
        "sharing filtered": (
            f"/sharing/?agency={agency.slug}&state=OR&how=portal&technology=automated-license-plate-readers"
        ),
        "sharing csv": "/sharing/?format=csv",
        "sharing json": "/sharing/?format=json&on=2024-05",
        "sharing graphml": "/sharing/?format=graphml",
        "agency sharing json": f"{agency.get_absolute_url()}sharing.json",
    }


# Every public page, export and feed reads the content token once for its HTTP validators
# (records/web/http_cache.py).
# Timeline exports: the rows, their vendors, technologies, sources, records requests and procurements (one query
# each: records/exports/lists.py), and for JSON the count (bounded: records/web/views/listing.py). The agency,
# technology and procurement-list pages each add up their known spend in one aggregate query. A filter form with a
# technology reads the dozen technologies for its list (one query). The timeline, procurement and document lists
# count their facets in two grouped queries, the request list in one (records/selectors/facets.py); a name typed
# in a filter is one query (records/selectors/names.py), and a name look-up one or two (names, then aliases).
# A procurement reads its oversight evidence and the laws covering it (records/selectors/oversight.py); the
# agency page its newest oversight records (one query), the
# oversight page its laws, their counts grouped by place (three queries) and its newest unapproved acquisitions.
# The home page counts six kinds of record, reads its featured agencies, vendors and the technologies, groups the
# agencies with entries by state for its map (records/selectors/home.py: kept for the public), and reads the latest
# documented acquisitions for display.
# The follow form reads the page it follows (the vendor; or the technology and the typed names of a filtered
# timeline, validated once) and counts its last week in one query.
# Data sharing (records/selectors/sharing.py): the agency page reads its kept answers and partners by state
# (SharingSummary, one query), a few links of each state each way (one query a way), the links in records not on
# its portal (one) and where the agencies it shares with are, for the map's lines (one); vendor and technology
# pages their network's size (one aggregate). /sharing/ is a list like the others; its GraphML reads the links in
# one query a batch; sharing.json is the kept answers and the missing links.
PINNED = {
    "home": 15, "timeline": 8, "timeline filtered": 9, "timeline json": 8, "agencies": 9,
    "agencies filtered": 10, "agencies json": 3, "agency": 19, "agency filtered": 19, "vendors": 5,
    "vendor": 15, "vendor in a state": 15, "technologies": 2, "technology": 14, "procurements": 6,
    "procurement": 5, "requests": 3, "request": 4, "documents": 4, "document": 5, "event": 5, "search": 15,
    "feed": 5, "agency feed": 6, "sitemap": 8, "sitemap events": 3, "timeline csv": 7, "agency csv": 8,
    "agencies csv": 2,
    "documents csv": 2, "timeline oldest first": 8, "agency oldest first": 19, "procurements by amount": 7,
    "requests by due date": 3, "feed filtered": 6, "agency names": 2, "vendor names": 2, "oversight": 7,
    "oversight filtered": 9, "follow": 2, "follow a search": 3, "sharing": 4, "sharing filtered": 6,
    "sharing csv": 2, "sharing json": 3, "sharing graphml": 2, "agency sharing json": 4,
}  # fmt: skip


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:  # a CSV export queries as it streams
            b"".join(response.streaming_content)
    return len(queries)


def test_query_counts_are_pinned_and_do_not_grow_with_the_data(client, demo):
    grow(2)
    small = {name: count_queries(client, url) for name, url in pages().items()}
    grow(20)
    large = {name: count_queries(client, url) for name, url in pages().items()}
    assert small == large
    assert small == PINNED


def test_the_publics_facets_are_kept_with_the_other_aggregates(client, demo, settings):
    """Counting facets reads every matching row: the public's are kept, so a list costs its rows again."""
    grow(2)
    settings.PUBLIC_CACHE_SECONDS = 600
    # What is kept: the facets' grouped queries, and the procurement list's known spend.
    for url, kept in [("/timeline/", 2), ("/procurements/", 3), ("/requests/", 1), ("/documents/", 2)]:
        first = count_queries(client, url)
        assert count_queries(client, url) == first - kept, url
