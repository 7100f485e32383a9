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
