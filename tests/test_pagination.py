"""Keyset pagination: walking every page finds each entry exactly once, in order."""

import datetime
import re

import pytest

from records.models import TimelineEvent
from records.web.pagination import BadCursor, keyset_page
from tests import factories

pytestmark = pytest.mark.django_db


def make_events(agency, count):
    """`count` events over few distinct dates, so many share a date and the id breaks the ties."""
    start = datetime.date(2010, 1, 1)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(agency=agency, date=start + datetime.timedelta(days=i % 97), kind="other", title=f"E{i}")
        for i in range(count)
    )


def test_walking_a_thousand_event_timeline_finds_each_event_once(client, settings):
    settings.PAGE_SIZE = 37
    agency = factories.agency("Big Agency", "OR")
    make_events(agency, 1000)
    seen, url, pages = [], f"/agencies/{agency.slug}/", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [event.pk for event in response.context["page"].items]
        match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        url = f"/agencies/{agency.slug}/" + match[1].replace("&amp;", "&") if match else None
        pages += 1
    expected = list(TimelineEvent.objects.filter(agency=agency).order_by("-date", "-id").values_list("pk", flat=True))
    assert seen == expected
    assert len(set(seen)) == 1000
    assert pages == 28


def test_cursor_pages_match_offset_slices():
    agency = factories.agency("Agency", "OR")
    make_events(agency, 120)
    ordered = list(TimelineEvent.objects.order_by("-date", "-id"))
    page = keyset_page(TimelineEvent.objects.all(), None, 50, "date", "date", descending=True)
    assert page.items == ordered[:50]
    page = keyset_page(TimelineEvent.objects.all(), page.next_cursor, 50, "date", "date", descending=True)
    assert page.items == ordered[50:100]


def test_string_keys_ascending():
    for name in ["Delta", "alpha", "Charlie", "Bravo~tilde"]:
        factories.agency(name, "OR")
    from records.models import Agency

    first = keyset_page(Agency.objects.all(), None, 2, "name", "str", descending=False)
    second = keyset_page(Agency.objects.all(), first.next_cursor, 2, "name", "str", descending=False)
    everything = list(Agency.objects.order_by("name", "id"))
    assert first.items + second.items == everything
    assert second.next_cursor is None


@pytest.mark.parametrize(
    "cursor", ["garbage", "2020-13-01~5", "2020-01-01~x", "~", "2020-01-01~99999999999999999999999"]
)
def test_bad_cursors_are_rejected(cursor):
    with pytest.raises(BadCursor):
        keyset_page(TimelineEvent.objects.all(), cursor, 10, "date", "date", descending=True)


def walk_html(client, path, query):
    """Every row's id, following the pages' "Next page" links from `path?query`."""
    seen, url = [], f"{path}?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        seen += [row.pk for row in response.context["page"].items]
        match = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        url = path + match[1].replace("&amp;", "&") if match else None
    return seen


def walk_json(client, path, query):
    seen, url = [], f"{path}?{query}&format=json"
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.json()
        seen += [int(row["url"].rstrip("/").rsplit("/", 1)[1]) for row in data["results"]]
        url = data["next"]
    return seen


def test_an_agency_timeline_reads_forwards_too(client, settings):
    settings.PAGE_SIZE = 23
    agency = factories.agency("Story Agency", "OR")
    make_events(agency, 150)
    forwards = list(TimelineEvent.objects.filter(agency=agency).order_by("date", "id").values_list("pk", flat=True))
    assert walk_html(client, agency.get_absolute_url(), "sort=date") == forwards
    assert walk_html(client, "/timeline/", "sort=date") == forwards
    assert walk_html(client, "/timeline/", "sort=-date") == forwards[::-1]
    page = client.get(f"{agency.get_absolute_url()}?sort=date").content.decode()
    assert '<option value="date" selected>Oldest first</option>' in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-amount", lambda p: (p.amount is None, -(p.amount or 0), -p.pk)),
        ("amount", lambda p: (p.amount is None, p.amount or 0, p.pk)),
        ("-signed_on", lambda p: (p.signed_on is None, -(p.signed_on or datetime.date.min).toordinal(), -p.pk)),
        ("signed_on", lambda p: (p.signed_on is None, p.signed_on or datetime.date.min, p.pk)),
    ],
)
def test_procurements_by_amount_and_date_page_through_every_row_once(client, settings, sort, expected):
    """Rows without an amount or a date come last in either direction, and the pages walk into them."""
    from records.models import Procurement

    settings.PAGE_SIZE = 7
    agency, vendor = factories.agency("Buyer", "OR"), factories.vendor("Seller")
    for i in range(40):
        factories.procurement(
            agency, vendor, amount=None if i % 5 == 0 else (i % 9) * 1000 + 0.5,
            signed_on=None if i % 4 == 0 else datetime.date(2015 + i % 6, 1, 1),
        )  # fmt: skip
    order = [p.pk for p in sorted(Procurement.objects.all(), key=expected)]
    assert walk_html(client, "/procurements/", f"sort={sort}") == order
    assert walk_json(client, "/procurements/", f"sort={sort}") == order


def test_requests_by_due_date(client, settings):
    from records.models import RecordsRequest

    settings.PAGE_SIZE = 4
    agency = factories.agency("Asked", "OR")
    for i in range(15):
        records_request = factories.records_request(agency, status="filed", filed_on=datetime.date(2020, 1, 1))
        due_on = None if i % 5 == 0 else datetime.date(2020, 2, 1 + i % 3)
        RecordsRequest.objects.filter(pk=records_request.pk).update(due_on=due_on)
    soonest = [r.pk for r in sorted(RecordsRequest.objects.all(), key=lambda r: (r.due_on is None, r.due_on, r.pk))]
    assert walk_html(client, "/requests/", "sort=due_on") == soonest
    assert walk_json(client, "/requests/", "sort=due_on") == soonest


def test_an_unknown_order_is_reported(client):
    response = client.get("/procurements/?sort=color")
    assert response.status_code == 400
    assert "Sort by -id or -amount" in " ".join(response.context["filter"].errors["sort"])
    assert client.get("/procurements/?sort=-amount&after=lots~5").status_code == 400
    assert client.get("/procurements/?sort=-amount&after=~5").status_code == 200  # the rows without an amount
