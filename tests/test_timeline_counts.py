"""The timeline's kept counts (TimelineCount, kept by database triggers): after every kind of write, whatever its
path, they equal what counting the entries gives, for the whole timeline and each agency, for the public today,
for the public once an embargo ends, and for staff; and the pages that read them show the same facets."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records.models import TimelineCount, TimelineEvent
from records.models.timeline_counts import WHOLE_TIMELINE, rebuild_timeline_counts
from records.selectors.facets import counted_timeline_facets, timeline_facets
from records.selectors.timeline import timeline_counts
from records.services.merges import agency_merge, vendor_merge
from records.services.review import records_set_visibility
from records.services.timeline import event_update
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=30)


def counted_by_hand(rows) -> dict[str, dict[str, int]]:
    """What counting the entries gives, in TimelineCount's shape."""
    found = {facet: {} for facet in ("kind", "state", "year", "vendor", "technology")}
    groups = {
        "kind": rows.values_list("kind"),
        "state": rows.exclude(state="").values_list("state"),
        "year": rows.values_list("date__year"),
        "vendor": rows.filter(vendors__isnull=False).values_list("vendors"),
        "technology": rows.filter(technologies__isnull=False).values_list("technologies"),
    }
    for facet, values in groups.items():
        for value, n in values.annotate(n=Count("id")).order_by():
            found[facet][str(value)] = n
    return found


def assert_counts_hold():
    """Every scope, as the public sees it today and once the embargoes shown end, and as staff see it."""
    agencies = set(TimelineEvent.objects.exclude(agency=None).values_list("agency_id", flat=True))
    agencies |= set(TimelineCount.objects.exclude(scope=WHOLE_TIMELINE).values_list("scope", flat=True))
    for scope in [WHOLE_TIMELINE, *sorted(agencies)]:
        rows = TimelineEvent.objects.all() if scope == WHOLE_TIMELINE else TimelineEvent.objects.filter(agency=scope)
        for public_on in (TODAY, LATER, None):
            shown = rows if public_on is None else rows.visible_to(None, today=public_on)
            assert TimelineCount.objects.counts(scope=scope, public_on=public_on) == counted_by_hand(shown), (
                scope,
                public_on,
            )


@pytest.fixture
def world():
    portland = factories.agency("Portland Police", "OR")
    miami = factories.agency("Miami Police", "FL")
    flock, axon = factories.vendor("Flock Safety"), factories.vendor("Axon")
    alpr, face = factories.technology("automated-license-plate-readers"), factories.technology("face-recognition")
    events = [
        factories.event(portland, datetime.date(2019, 5, 1), vendors=[flock], technologies=[alpr]),
        factories.event(portland, datetime.date(2021, 2, 1), vendors=[flock, axon], technologies=[alpr, face]),
        factories.event(miami, datetime.date(2021, 7, 1), vendors=[axon], kind="contract"),
        factories.event(None, datetime.date(2022, 1, 1), technologies=[face], kind="policy"),
        factories.event(miami, datetime.date(2023, 3, 1), vendors=[flock], visibility="private"),
        factories.event(portland, datetime.date(2024, 1, 1), vendors=[axon], visibility="embargoed",
                        embargo_until=TODAY + datetime.timedelta(days=10)),
    ]  # fmt: skip
    return portland, miami, flock, axon, alpr, face, events


def test_new_entries_are_counted_in_the_whole_timeline_and_their_agencys(world):
    assert TimelineCount.objects.exists()
    assert_counts_hold()
    portland = world[0]
    counts = TimelineCount.objects.counts(scope=portland.pk, public_on=TODAY)
    assert counts["year"] == {"2019": 1, "2021": 1}  # the 2024 entry is embargoed until later
    assert TimelineCount.objects.counts(scope=portland.pk, public_on=LATER)["year"]["2024"] == 1


def test_edits_through_the_service_the_orm_and_raw_sql_move_the_counts(world):
    portland, miami, flock, axon, alpr, face, events = world
    event_update(event=events[0], kind="policy", date=datetime.date(2018, 1, 1), vendors=[axon], technologies=[])
    assert_counts_hold()
    TimelineEvent.objects.filter(pk=events[1].pk).update(visibility="private")
    assert_counts_hold()
    TimelineEvent.objects.filter(pk=events[2].pk).update(agency=portland)  # moved, with its state
    assert_counts_hold()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_timelineevent SET kind = 'deployment', date = %s WHERE id = %s",
                       [datetime.date(2015, 6, 1), events[3].pk])  # fmt: skip
    assert_counts_hold()
    TimelineEvent.objects.filter(pk=events[4].pk).update(visibility="embargoed", embargo_until=LATER)
    assert_counts_hold()
    # A write that changes no counted column leaves the counts as they were.
    before = list(TimelineCount.objects.order_by("pk").values_list("scope", "facet", "value", "public_from", "n"))
    TimelineEvent.objects.update(title="Renamed")
    assert list(TimelineCount.objects.order_by("pk").values_list("scope", "facet", "value", "public_from", "n")) == (
        before
    )


def test_tags_added_removed_and_replaced_move_the_counts(world):
    portland, miami, flock, axon, alpr, face, events = world
    events[0].vendors.add(axon)
    events[1].vendors.remove(flock)
    events[2].technologies.set([alpr, face])
    events[5].vendors.clear()
    assert_counts_hold()
    # Link rows re-pointed or deleted in bulk, as merges and clean-ups do.
    TimelineEvent.technologies.through.objects.filter(timelineevent=events[3], technology=face).update(technology=alpr)
    assert_counts_hold()
    TimelineEvent.vendors.through.objects.filter(vendor=axon).delete()
    assert_counts_hold()


def test_deleted_and_bulk_created_entries_move_the_counts(world):
    portland, miami, flock, axon, alpr, face, events = world
    events[0].sources.all().delete()
    events[0].delete()
    assert_counts_hold()
    made = TimelineEvent.objects.bulk_create(
        [TimelineEvent(agency=miami, date=datetime.date(2020 + n, 1, 1), kind="contract", title=f"Bulk {n}")
         for n in range(4)]
    )  # fmt: skip
    TimelineEvent.vendors.through.objects.bulk_create(
        [TimelineEvent.vendors.through(timelineevent_id=event.pk, vendor_id=flock.pk) for event in made]
    )
    assert_counts_hold()
    for event in TimelineEvent.objects.filter(agency=miami):
        event.sources.all().delete()
    TimelineEvent.vendors.through.objects.filter(timelineevent__agency=miami).delete()
    TimelineEvent.technologies.through.objects.filter(timelineevent__agency=miami).delete()
    TimelineEvent.objects.filter(agency=miami).delete()
    assert_counts_hold()


def test_merges_and_visibility_services_move_the_counts(world):
    portland, miami, flock, axon, alpr, face, events = world
    records_set_visibility(records=[events[1]], visibility="embargoed", embargo_until=LATER)
    assert_counts_hold()
    agency_merge(keep=portland, remove=miami)
    assert_counts_hold()
    assert not TimelineCount.objects.filter(scope=miami.pk, n__gt=0).exists()
    vendor_merge(keep=flock, remove=axon)
    assert_counts_hold()


def test_a_rebuild_counts_what_is_there(world):
    TimelineCount.objects.update(n=99)
    TimelineCount.objects.create(scope=12345, facet="kind", value="policy", public_from=TODAY, n=7)
    rebuild_timeline_counts()
    assert_counts_hold()


def test_the_whole_timelines_facets_from_the_counts_are_those_of_its_entries(world, client):
    for reader in (None, user("staff")):
        visible = TimelineEvent.objects.visible_to(reader)
        counts = timeline_counts(scope=WHOLE_TIMELINE, reader=reader, today=TODAY)
        assert counted_timeline_facets(counts) == timeline_facets(events=visible)
    page = client.get("/timeline/").content.decode()
    assert "Flock Safety" in page and "Face Recognition" in page


def test_reading_the_counts_is_one_query_whatever_the_entries(world):
    portland = world[0]
    for n in range(30):
        factories.event(portland, datetime.date(2000 + n % 20, 1, 1), vendors=[world[2]])
    with CaptureQueriesContext(connection) as queries:
        counts = timeline_counts(scope=portland.pk, reader=None, today=TODAY)
    assert len(queries) == 1
    assert sum(counts["year"].values()) == TimelineEvent.objects.visible_to(None).filter(agency=portland).count()
