"""Private and embargoed records stay out of every public channel; staff see them."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from records.models import TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = "Secret pilot with Hushed Vendor"


@pytest.fixture
def hidden():
    vendor = factories.vendor("Hushed Vendor")
    agency = factories.agency("Quiet Police Department", "NV")
    factories.event(agency, datetime.date(2022, 1, 1), [vendor], [factories.technology()], title=SECRET,
                    visibility="private")  # fmt: skip
    factories.event(agency, datetime.date(2022, 2, 1), title="Embargoed until 2999", visibility="embargoed",
                    embargo_until=datetime.date(2999, 1, 1))  # fmt: skip
    factories.event(agency, datetime.date(2021, 2, 1), title="Embargo over", visibility="embargoed",
                    embargo_until=datetime.date(2021, 3, 1))  # fmt: skip
    factories.records_request(agency, subject="Private request", visibility="private")
    factories.document(agency, title="Private document", visibility="private")
    return agency, vendor


PUBLIC_CHANNELS = [
    "/", "/timeline/", "/timeline/?format=csv", "/timeline/?format=json", "/timeline/feed/",
    "/agencies/quiet-police-department/", "/agencies/quiet-police-department/feed/",
    "/vendors/hushed-vendor/", "/vendors/hushed-vendor/?format=json",
    "/technologies/face-recognition/", "/requests/", "/requests/?format=csv", "/documents/", "/documents/?format=json",
    "/search/?q=private", "/search/?q=secret", "/sitemap.xml",
]  # fmt: skip


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_hidden_records_are_absent_from_every_public_channel(client, hidden):
    for url in PUBLIC_CHANNELS:
        text = body(client.get(url))
        for secret in (SECRET, "Embargoed until 2999", "Private request", "Private document"):
            assert secret not in text, (url, secret)
    assert "Embargo over" in body(client.get("/timeline/"))


def test_hidden_events_do_not_count_in_facets_lists_or_maps(client, hidden):
    assert client.get("/agencies/?vendor=hushed-vendor&format=json").json()["results"] == []
    vendors = client.get("/vendors/?format=json").json()["results"]
    assert next(v for v in vendors if v["name"] == "Hushed Vendor")["agency_count"] == 0
    response = client.get("/agencies/")
    vendor_facet = next(options for key, _label, options in response.context["facets"] if key == "vendor")
    assert "hushed-vendor" not in [option["value"] for option in vendor_facet]
    hidden_vendor_map = client.get("/agencies/?vendor=hushed-vendor").context["state_map"]
    assert hidden_vendor_map["rows"] == []
    assert client.get("/").context["counts"]["events"] == 1


def test_private_detail_pages_are_404_for_the_public(client, hidden):
    private = TimelineEvent.objects.get(title=SECRET)
    assert client.get(private.get_absolute_url()).status_code == 404


def test_a_signed_in_reader_without_a_group_sees_only_public_records(client, hidden):
    client.force_login(get_user_model().objects.create_user("reader", password="pw-long-enough-123"))
    assert SECRET not in body(client.get("/timeline/"))


def test_staff_see_everything(client, hidden):
    staff = get_user_model().objects.create_user("staffer", password="pw-long-enough-123")
    staff.groups.add(Group.objects.get(name="staff"))
    client.force_login(staff)
    assert SECRET in body(client.get("/timeline/"))
    assert client.get("/agencies/?vendor=hushed-vendor&format=json").json()["count"] == 1
