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
    factories.procurement(agency, vendor, title="Private procurement", visibility="private", amount=777_131)
    factories.procurement(agency, vendor, title="Embargoed procurement", visibility="embargoed",
                          embargo_until=datetime.date(2999, 1, 1), amount=888_313)  # fmt: skip
    # A private and an embargoed sharing link: neither they nor the organisations only they name may show.
    alpr = factories.technology("automated-license-plate-readers")
    factories.sharing_link(agency, factories.organisation("Private Receiver Org", "NV"), vendor=vendor,
                           technology=alpr, visibility="private")  # fmt: skip
    factories.sharing_link(factories.organisation("Embargoed Sharer Org", "CA"), agency, vendor=vendor,
                           technology=alpr, visibility="embargoed",
                           embargo_until=datetime.date(2999, 1, 1))  # fmt: skip
    return agency, vendor


PUBLIC_CHANNELS = [
    "/", "/timeline/", "/timeline/?format=csv", "/timeline/?format=json", "/timeline/feed/",
    "/agencies/quiet-police-department/", "/agencies/quiet-police-department/feed/",
    "/vendors/hushed-vendor/", "/vendors/hushed-vendor/?format=json",
    "/technologies/face-recognition/", "/requests/", "/requests/?format=csv", "/documents/", "/documents/?format=json",
    "/search/?q=private", "/search/?q=secret", "/sitemap.xml", "/sitemap-procurements.xml",
    "/procurements/", "/procurements/?format=csv",
    "/procurements/?format=json", "/procurements/ocds.json", "/agencies/quiet-police-department/?format=json",
    "/vendors/hushed-vendor/feed/", "/technologies/face-recognition/?format=json", "/oversight/",
    "/sharing/", "/sharing/?format=csv", "/sharing/?format=json", "/sharing/?format=graphml",
    "/sharing/?agency=quiet-police-department", "/agencies/quiet-police-department/sharing.json",
    "/technologies/automated-license-plate-readers/",
]  # fmt: skip


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_hidden_records_are_absent_from_every_public_channel(client, hidden):
    for url in PUBLIC_CHANNELS:
        text = body(client.get(url))
        for secret in (SECRET, "Embargoed until 2999", "Private request", "Private document", "Private procurement",
                       "Embargoed procurement", "777131", "777,131", "888313", "888,313", "Private Receiver Org",
                       "Embargoed Sharer Org", "Data-sharing network"):  # fmt: skip
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


def test_a_private_document_request_and_correspondence_leak_through_no_channel(client):
    from records.models import Correspondence, Document

    agency = factories.agency("Leak Test Sheriff", "WA")
    secret_request = factories.records_request(
        agency, subject="Quokka surveillance request", visibility="embargoed", embargo_until=datetime.date(2999, 1, 1),
        status="filed", filed_on=datetime.date(2024, 1, 2), requester_person="Jane Private",
    )  # fmt: skip
    Correspondence.objects.create(
        request=secret_request, date=datetime.date(2024, 1, 3), direction="in", channel="email",
        summary="Quokka correspondence text", visibility="private",
    )  # fmt: skip
    factories.document(agency, title="Quokka memo", pages=["The quokka programme is secret"], visibility="private")
    public_request = factories.records_request(agency, subject="Public wallaby request", status="filed")
    Correspondence.objects.create(
        request=public_request, date=datetime.date(2024, 1, 3), direction="in", channel="email",
        summary="Private quokka note on a public request", visibility="private",
    )  # fmt: skip
    channels = [
        "/", "/requests/", "/requests/?format=json", "/requests/?format=csv", "/documents/", "/documents/?format=csv",
        "/documents/?format=json", "/search/?q=quokka", "/search/?q=quokka&format=json", "/search/?q=quokka&format=csv",
        f"/agencies/{agency.slug}/",
        f"/agencies/{agency.slug}/?format=json", f"/agencies/{agency.slug}/feed/", "/timeline/feed/", "/sitemap.xml",
        "/sitemap-documents.xml",
        "/procurements/ocds.json", f"/requests/{public_request.pk}/", "/staff/deadlines.ics",
    ]  # fmt: skip
    secrets = ["Quokka memo", "quokka programme", "Quokka surveillance request", "Quokka correspondence text",
               "Private quokka note", "Jane Private"]  # fmt: skip
    for url in channels:
        text = body(client.get(url))
        for secret in secrets:
            assert secret not in text, (url, secret)
    assert client.get(secret_request.get_absolute_url()).status_code == 404
    assert client.get(Document.objects.get(title="Quokka memo").get_absolute_url()).status_code == 404
    search = client.get("/search/?q=quokka&format=json").json()
    assert search["count"] in (0, None) and search["results"] == []
    assert client.get("/").context["counts"]["documents"] == 0
    agency_page = client.get(f"/agencies/{agency.slug}/")
    assert agency_page.context["request_stats"]["total"] == 1


def test_what_a_public_record_links_to_stays_hidden_when_it_is_not_public(client):
    """A public entry citing a private document, a public entry from an embargoed request, and a public
    document released under that request: the public sees the public records, never the hidden titles."""
    from records.models import EventSource

    agency = factories.agency("Linked Leak Police", "WA")
    hidden_request = factories.records_request(
        agency, subject="Numbat request subject", visibility="embargoed", embargo_until=datetime.date(2999, 1, 1)
    )
    hidden_document = factories.document(agency, title="Numbat memo title", visibility="private")
    event = factories.event(agency, title="Public numbat entry", url="")
    EventSource.objects.filter(event=event).delete()
    EventSource.objects.create(event=event, document=hidden_document, page=2)
    event.records_request = hidden_request
    event.save()
    factories.document(agency, title="Public numbat release", request=hidden_request)
    secrets = ["Numbat request subject", "Numbat memo title", f"/requests/{hidden_request.pk}/",
               f"/documents/{hidden_document.pk}/"]  # fmt: skip
    channels = [
        "/", "/timeline/", event.get_absolute_url(), f"/agencies/{agency.slug}/", f"/agencies/{agency.slug}/feed/",
        "/timeline/feed/", "/documents/", "/documents/?format=csv", "/documents/?format=json",
    ]  # fmt: skip
    for url in channels:
        text = body(client.get(url))
        assert "numbat" in text.lower(), url  # the public records themselves are there
        for secret in secrets:
            assert secret not in text, (url, secret)
    assert "A document not yet public" in body(client.get(event.get_absolute_url()))
    staff = client_for_staff()
    assert "Numbat memo title" in body(staff.get(event.get_absolute_url()))
    assert "Numbat request subject" in body(staff.get(event.get_absolute_url()))
    assert "Numbat request subject" in body(staff.get("/documents/?format=csv"))
    assert "Numbat request subject" in body(staff.get("/documents/?format=json"))


def client_for_staff():
    from django.test import Client

    from tests.accounts import user

    staff = Client()
    staff.force_login(user("staff"))
    return staff


def test_hidden_records_reach_no_email(client, hidden, settings):
    """Follows of the vendor, the agency, the state and a search that name the hidden records: the digest that
    goes out holds the public entry only."""
    from django.utils import timezone

    from records.web import digests
    from tests.servers import smtp_server

    agency, vendor = hidden
    with smtp_server() as (port, inbox):
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": port}}}  # fmt: skip
        settings.SITE_URL, settings.FOLLOW_RATE_LIMIT = "https://tracker.test", 0
        urls = [vendor.get_absolute_url(), agency.get_absolute_url(), "/timeline/?state=NV", "/search/?q=private",
                "/search/?q=secret", "/documents/", "/procurements/?state=NV"]  # fmt: skip
        for url in urls:
            response = client.post("/follow/", {"email": "watcher@example.org", "cadence": "daily", "url": url})
            assert response.status_code == 200, url
        for _recipients, message in list(inbox.messages):
            link = message.get_content().split("https://tracker.test", 2)[2].split()[0]
            assert client.post(link).status_code == 200
        factories.event(agency, vendors=[vendor], title="Public hushed entry")
        factories.document(agency, title="Public secret-free memo", pages=["private and secret words"])
        later = timezone.now() + datetime.timedelta(days=1)
        assert digests.send_digests(cadence="daily", now=later).sent == 1
        [digest] = [m for _, m in inbox.messages if not m["Subject"].startswith("Confirm")]
        content = digest.get_content()
    assert "Public hushed entry" in content and "Public secret-free memo" in content
    for secret in (SECRET, "Embargoed until 2999", "Private request", "Private document", "Private procurement",
                   "Embargoed procurement"):  # fmt: skip
        assert secret not in content, secret
