"""The public's cache of aggregates and of whole pages: kept for the public, never for staff, never staff's view."""

import gc

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records.models import Visibility
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """The content token moves when a write commits; a test runs in one transaction that never commits, so
    writes inside `with committing():` run their on-commit callbacks at the end, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def empty_cache():
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def agency(committing):
    with committing():
        agency = factories.agency("Springfield Police Department")
        factories.event(agency, title="Cameras bought", vendors=[factories.vendor("Axon")])
    return agency


def staff_client():
    client = Client()
    client.force_login(user("staff"))
    return client


def test_aggregates_are_kept_for_the_public_until_the_records_change(settings, agency, committing):
    settings.PUBLIC_CACHE_SECONDS = 60
    url = agency.get_absolute_url()
    assert [v.name for v in Client().get(url).context["vendors"]] == ["Axon"]
    # Kept: a second request reads the token and the timeline, not the side panel's aggregates.
    with CaptureQueriesContext(connection) as kept:
        Client().get(url)
    with CaptureQueriesContext(connection) as fresh:
        staff_client().get(url)
    assert len(kept) < len(fresh) - 3
    with committing():
        factories.event(agency, title="Drones bought", vendors=[factories.vendor("Skydio")])
    assert [v.name for v in Client().get(url).context["vendors"]] == ["Axon", "Skydio"]
    assert [v.name for v in staff_client().get(url).context["vendors"]] == ["Axon", "Skydio"]


def test_what_staff_see_never_reaches_the_public(settings, agency):
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    factories.event(agency, title="Private entry", vendors=[factories.vendor("Hushed")], visibility=Visibility.PRIVATE)
    url = agency.get_absolute_url()
    assert b"Hushed" in staff_client().get(url).content
    public = Client().get(url)
    assert b"Hushed" not in public.content and b"Private entry" not in public.content


def test_whole_pages_are_kept_for_signed_out_readers_until_the_records_change(settings, agency, committing):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    assert b"Cameras bought" in Client().get("/timeline/").content
    # A kept page answers without rendering: it has no template context.
    assert Client().get("/timeline/").context is None
    assert staff_client().get("/timeline/").context is not None
    with committing():
        factories.event(agency, title="Later entry")
    response = Client().get("/timeline/")
    assert response.context is not None and b"Later entry" in response.content


def test_a_csv_export_is_kept_once_sent_whole_until_the_records_change(settings, agency, committing):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    url = "/timeline/?format=csv"
    first = Client().get(url)
    assert first.streaming
    # Not kept before it has been sent.
    assert Client().get(url).streaming
    sent = b"".join(first.streaming_content)
    assert b"Cameras bought" in sent
    kept = Client().get(url)
    assert not kept.streaming and kept.content == sent
    for header in ("Content-Type", "Content-Disposition"):
        assert kept[header] == first[header]
    # The kept body is shared, the response is not: what one request's middleware sets stays with it.
    kept["X-Only-This-Answer"] = "1"
    again = Client().get(url)
    assert again.content == sent and again is not kept and "X-Only-This-Answer" not in again
    assert staff_client().get(url).streaming, "staff always get the export made afresh"
    with committing():
        factories.event(agency, title="Later entry")
    fresh = Client().get(url)
    assert fresh.streaming and b"Later entry" in b"".join(fresh.streaming_content)


def test_an_export_over_the_size_limit_or_abandoned_halfway_is_not_kept(settings, agency):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    for n in range(3):
        factories.event(agency, title=f"Entry {n}")
    url = "/timeline/?format=csv"
    settings.PUBLIC_EXPORT_CACHE_BYTES = 200  # the header and a row or two
    assert len(b"".join(Client().get(url).streaming_content)) > 200
    assert Client().get(url).streaming
    settings.PUBLIC_EXPORT_CACHE_BYTES = 10_000
    abandoned = Client().get(url)
    next(iter(abandoned.streaming_content))  # the reader leaves after the first chunk
    # and the server drops the answer. (Its close() would also close the test's database connection, which
    # is inside the test's transaction; dropping it closes the same generators.)
    del abandoned
    gc.collect()
    whole = Client().get(url)
    assert whole.streaming, "an abandoned export is not kept"
    b"".join(whole.streaming_content)
    assert not Client().get(url).streaming, "sent whole, it is kept"


def test_a_record_made_private_leaves_the_kept_pages_at_once(settings, agency, committing):
    settings.PUBLIC_CACHE_SECONDS = 60
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    secret = factories.event(agency, title="Soon private", vendors=[factories.vendor("Hushed")])
    for url in ("/timeline/", agency.get_absolute_url(), "/vendors/hushed/"):
        assert b"Soon private" in Client().get(url).content
    secret.visibility = Visibility.PRIVATE
    with committing():
        secret.save()
    for url in ("/timeline/", agency.get_absolute_url(), "/vendors/hushed/"):
        content = Client().get(url).content
        assert b"Soon private" not in content, url
    # The agency's side panel (an aggregate) no longer names the vendor of the private entry either.
    assert b"Hushed" not in Client().get(agency.get_absolute_url()).content


def test_writes_that_bypass_save_move_the_token_on(agency, committing):
    """bulk_create, QuerySet.update() and many-to-many changes send no save signal; the token still moves."""
    from records.models import ContentVersion, TimelineEvent

    before = ContentVersion.current()
    with committing():
        TimelineEvent.objects.filter(agency=agency).update(title="Renamed in bulk")
    after_update = ContentVersion.current()
    assert after_update != before
    with committing():
        TimelineEvent.objects.get(agency=agency).vendors.add(factories.vendor("Skydio"))
    assert ContentVersion.current() != after_update


def test_reads_do_not_move_the_token(agency):
    from records.models import ContentVersion

    before = ContentVersion.current()
    Client().get("/timeline/")
    Client().get(agency.get_absolute_url())
    assert ContentVersion.current() == before


def test_a_failed_answer_is_not_kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    assert Client().get("/vendors/skydio/").status_code == 404
    factories.vendor("Skydio")
    assert Client().get("/vendors/skydio/").status_code == 200


def test_nothing_is_kept_when_the_seconds_are_zero(settings, agency):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    Client().get(agency.get_absolute_url())
    factories.event(agency, title="Later entry", vendors=[factories.vendor("Skydio")])
    response = Client().get(agency.get_absolute_url())
    assert [v.name for v in response.context["vendors"]] == ["Axon", "Skydio"]


@pytest.mark.bench
def test_the_synthetic_generators_bulk_writes_move_the_token_on(committing):
    """It writes with COPY (PostgreSQL) or the driver's executemany (SQLite), past Django's cursor."""
    from bench.synthetic import BulkWriter, Table, next_id
    from records.models import ContentVersion, Vendor

    before = ContentVersion.current()
    first = next_id(Vendor)
    rows = [(first + n, f"Bulk vendor {n} (synthetic)", f"synthetic-bulk-vendor-{n}") for n in range(3)]
    with committing():
        BulkWriter(progress=False).write(Table.of(Vendor, ["id", "name", "slug"]), rows, len(rows), "vendors")
    assert Vendor.objects.filter(slug__startswith="synthetic-bulk-vendor-").count() == 3
    assert ContentVersion.current() != before


def test_the_token_moves_once_a_transaction_commits_and_not_after_a_rollback(agency, committing):
    from django.db import transaction

    from records.models import ContentVersion, TimelineEvent

    before = ContentVersion.current()
    with CaptureQueriesContext(connection) as queries, committing(), transaction.atomic():
        TimelineEvent.objects.filter(agency=agency).update(title="Renamed")
        TimelineEvent.objects.filter(agency=agency).update(title="Renamed again")
        # Not yet: other writers are not held up by the token's row while the transaction runs.
        assert ContentVersion.current() == before
    committed = ContentVersion.current()
    assert committed != before
    assert sum("records_contentversion" in query["sql"] and "INSERT" in query["sql"] for query in queries) == 1
    with committing(), pytest.raises(RuntimeError), transaction.atomic():
        TimelineEvent.objects.filter(agency=agency).update(title="Never seen")
        raise RuntimeError("rolled back")
    assert ContentVersion.current() == committed


def test_every_public_list_and_detail_page_is_kept(settings, agency):
    from records.models import Document, Procurement, TimelineEvent

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    factories.procurement(agency, factories.vendor("Kept Vendor"), amount=100)
    factories.records_request(agency, subject="Kept request")
    factories.document(agency, title="Kept document")
    urls = [
        "/", "/timeline/", "/agencies/", "/vendors/", "/technologies/", "/procurements/", "/requests/",
        "/documents/", agency.get_absolute_url(), "/vendors/axon/", Procurement.objects.get().get_absolute_url(),
        Document.objects.get().get_absolute_url(), TimelineEvent.objects.first().get_absolute_url(),
    ]  # fmt: skip
    for url in urls:
        assert Client().get(url).context is not None, url
        assert Client().get(url).context is None, f"{url} is rendered again"


def test_agencies_by_state_and_technology_come_from_kept_ids_for_the_public(settings, agency, committing):
    """The public's /agencies/?state=…&technology=… reads the state's agency ids from the aggregates, and
    answers as the live subquery does, for the public and for staff, before and after a change."""
    settings.PUBLIC_CACHE_SECONDS = 60
    drones = factories.technology("drones")
    other = factories.agency("Other Police Department")  # same state (OR), no drone entry yet
    factories.agency("Far Police Department", code="WA")
    url = "/agencies/?state=OR&technology=drones"

    def names(client):
        return [row.name for row in client.get(url).context["page"].items]

    assert names(Client()) == names(staff_client()) == []
    with committing():
        factories.event(agency, title="Drone bought", technologies=[drones])
    assert names(Client()) == names(staff_client()) == ["Springfield Police Department"]
    with committing():
        factories.event(other, title="Drone bought too", technologies=[drones])
    assert names(Client()) == names(staff_client()) == ["Other Police Department", "Springfield Police Department"]
    with CaptureQueriesContext(connection) as kept:
        Client().get(url)
    assert not any("records_timelineevent_technologies" in query["sql"] for query in kept.captured_queries)


def test_the_exports_cache_keeps_values_as_they_are_until_they_expire():
    exports = caches["exports"]
    body = (b"url,title\r\n" * 1000, (("Content-Type", "text/csv"),))
    exports.set("export", body, 60)
    assert exports.get("export") is body, "not a copy"
    assert not exports.add("export", "other", 60) and exports.get("export") is body
    exports.set("gone", body, 0)
    assert exports.get("gone") is None
    assert exports.add("gone", "fresh", 60) and exports.get("gone") == "fresh"


def test_side_panels_are_rendered_once_for_the_public_until_the_records_change(settings, agency, committing):
    settings.PUBLIC_CACHE_SECONDS = 60
    url = agency.get_absolute_url()
    chart = "records/partials/chart.html"  # included by the agency page's side panel only

    def templates(response):
        return [template.name for template in response.templates]

    first = Client().get(url)
    assert chart in templates(first)
    again = Client().get(url)
    assert chart not in templates(again), "the side panel is kept, not rendered again"
    assert again.content == first.content
    assert chart in templates(staff_client().get(url)), "staff get it rendered"
    with committing():
        factories.procurement(agency, factories.vendor("Skydio"), title="Drone contract")
    fresh = Client().get(url)
    assert chart in templates(fresh) and b"Drone contract" in fresh.content


def test_a_kept_side_panel_follows_the_state_it_was_kept_for(settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    axon = factories.vendor("Axon")
    factories.event(factories.agency("Springfield Police Department", code="OR"), vendors=[axon])
    factories.event(factories.agency("Shelbyville Police Department", code="WA"), vendors=[axon])
    for state, shown, hidden in (("OR", b"Springfield", b"Shelbyville"), ("WA", b"Shelbyville", b"Springfield")):
        for _ in range(2):
            aside = Client().get(f"/vendors/axon/?state={state}").content.split(b'<aside class="col-side">')[1]
            assert shown in aside and hidden not in aside, state
