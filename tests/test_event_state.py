"""TimelineEvent.state, the copy of an entry's agency's state: right on every write path, and filters
that read it give what the joins through agency and jurisdiction would."""

import datetime
import importlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from bench.synthetic import counts_for
from records.exports.archive import archived_models
from records.importers.demo import load_demo
from records.models import Agency, TimelineEvent
from records.services.requests import request_file
from records.services.timeline import event_record, procurement_record
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ATLAS_SAMPLE = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
ATLAS_CURRENT = Path(__file__).parent / "data" / "atlas-current-layout-synthetic.csv"


def mismatches():
    """Entries whose state is not their agency's (or not empty without an agency): one query."""
    with_agency = TimelineEvent.objects.exclude(agency=None).exclude(state=F("agency__jurisdiction__state"))
    return list(with_agency.values_list("pk", flat=True)) + list(
        TimelineEvent.objects.filter(agency=None).exclude(state="").values_list("pk", flat=True)
    )


def states(events) -> list[str]:
    return [TimelineEvent.objects.get(pk=event.pk).state for event in events]


# Creating entries


def test_an_entry_takes_its_agencys_state_when_created():
    county = factories.county("Hartford County", "CT")
    in_county = factories.event(factories.agency("Hartford Police", jurisdiction=county))
    in_state = factories.event(factories.agency("State Police", "OR"))
    without = factories.event(None)
    assert states([in_county, in_state, without]) == ["CT", "OR", ""]


def test_the_services_that_make_entries_set_the_state():
    agency = factories.agency("Miami Police", "FL")
    recorded = event_record(
        sources=[{"url": "https://example.org/a"}], date=datetime.date(2020, 1, 1), kind="deployment",
        title="Cameras", agency=Agency.objects.get(pk=agency.pk),
    )  # fmt: skip
    procurement = procurement_record(
        agency=agency, vendor=factories.vendor(), kind="contract", title="Cameras", signed_on=datetime.date(2020, 2, 1)
    )
    filed = request_file(agency=agency, subject="Camera contracts", filed_on=datetime.date(2020, 3, 1))
    assert states([recorded, *procurement.timeline_events.all(), *filed.timeline_events.all()]) == ["FL"] * 3


def test_the_demo_gives_every_entry_its_agencys_state():
    load_demo()
    assert TimelineEvent.objects.exclude(state="").count() > 300
    assert mismatches() == []


def test_an_agency_loaded_with_its_jurisdiction_costs_no_query():
    agency = Agency.objects.select_related("jurisdiction").get(pk=factories.agency("Austin Police", "TX").pk)
    with CaptureQueriesContext(connection) as queries:
        event = TimelineEvent.objects.create(agency=agency, date=datetime.date(2020, 1, 1), kind="other", title="A")
    assert event.state == "TX"
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_saving_only_the_agency_saves_the_state_too():
    event = factories.event(factories.agency("Portland Police", "OR"))
    event.agency = factories.agency("Seattle Police", "WA")
    event.save(update_fields=["agency"])
    assert states([event]) == ["WA"]


def test_bulk_writes_of_the_queryset_set_the_state():
    oregon, florida = factories.agency("Salem Police", "OR"), factories.agency("Tampa Police", "FL")
    created = TimelineEvent.objects.bulk_create(
        [TimelineEvent(agency=oregon, date=datetime.date(2020, 1, 1), kind="other", title=f"E{i}") for i in range(3)]
        + [TimelineEvent(agency=None, date=datetime.date(2020, 1, 1), kind="other", title="None")]
    )
    assert states(created) == ["OR", "OR", "OR", ""]

    TimelineEvent.objects.filter(pk=created[0].pk).update(agency=florida)
    TimelineEvent.objects.filter(pk=created[1].pk).update(agency_id=florida.pk)
    TimelineEvent.objects.filter(pk=created[2].pk).update(agency=None)
    assert states(created[:3]) == ["FL", "FL", ""]

    events = list(TimelineEvent.objects.filter(pk__in=[e.pk for e in created]))
    for event in events:
        event.agency = oregon
    TimelineEvent.objects.bulk_update(events, ["agency"])
    assert states(events) == ["OR"] * 4


# Agencies and jurisdictions that change: tests/test_agency_state.py


# Importers, the generator, the migration and archives


def test_the_atlas_importer_sets_the_state_and_repairs_a_stale_one():
    for path in (ATLAS_SAMPLE, ATLAS_CURRENT):
        call_command("import_atlas", str(path), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    imported = TimelineEvent.objects.filter(external_id__startswith="atlas:")
    assert imported.exclude(state="").count() > 300
    assert mismatches() == []

    TimelineEvent.objects.update(state="")
    call_command("import_atlas", str(ATLAS_SAMPLE), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    assert TimelineEvent.objects.get(external_id="atlas:AOS0006").state == "NY"


@pytest.mark.bench
def test_the_synthetic_generator_gives_every_entry_its_agencys_state():
    call_command("generate_synthetic", "--scale", "0.0005", verbosity=0, stdout=io.StringIO())
    assert TimelineEvent.objects.exclude(agency=None).exclude(state="").count() == counts_for(0.0005)["events"]
    assert mismatches() == []


def test_the_migration_fills_the_state_of_existing_entries():
    events = [factories.event(factories.agency(code=code)) for code in ("OR", "NY", "TX")]
    events.append(factories.event(None))
    TimelineEvent.objects.update(state="")
    importlib.import_module("records.migrations.0008_timelineevent_state").fill_states(apps, None)
    assert states(events) == ["OR", "NY", "TX", ""]


def test_an_archive_made_before_the_state_existed_restores_it(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    event = factories.event(factories.agency("Providence Police", "RI"))
    archive, old = tmp_path / "new.tar.gz", tmp_path / "old.tar.gz"
    call_command("export_archive", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as source, tarfile.open(old, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("records.timelineevent.json"):
                rows = json.loads(data)
                for row in rows:
                    del row["fields"]["state"]
                data = json.dumps(rows).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    # Back to a freshly migrated database: what the test made, and its history, removed.
    TimelineEvent.objects.all().delete()
    Agency.objects.all().delete()
    for model in archived_models():
        if model.__name__.startswith("Historical"):
            model._base_manager.all().delete()

    call_command("import_archive", str(old), stdout=io.StringIO())
    assert TimelineEvent.objects.get(pk=event.pk).state == "RI"


# Filters that read the column


@pytest.fixture
def country():
    face, alpr = factories.technology("face-recognition"), factories.technology("automated-license-plate-readers")
    amazon, flock = factories.vendor("Amazon"), factories.vendor("Flock Safety")
    agencies = [
        factories.agency("Hartford Police", "CT"),
        factories.agency("New Haven Police", "CT"),
        factories.agency("Stamford Police", "CT"),
        factories.agency("Albany Police", "NY"),
        factories.agency("Boston Police", "MA"),
    ]
    for i, agency in enumerate(agencies):
        factories.event(agency, datetime.date(2018 + i, 1, 1), [amazon], [face])
        factories.event(agency, datetime.date(2019 + i, 6, 1), [flock], [alpr])
    factories.event(agencies[2], datetime.date(2021, 1, 1), [amazon], [alpr], visibility="private")
    factories.event(None, datetime.date(2020, 1, 1), [amazon], [face])
    return {"amazon": amazon, "face": face}


def timeline(client, query) -> list[int]:
    return [event.pk for event in client.get(f"/timeline/?{query}").context["page"].items]


def agencies(client, query) -> set[int]:
    return {agency.pk for agency in client.get(f"/agencies/?{query}").context["page"].items}


def test_the_timeline_by_vendor_and_state_matches_the_joins(client, country):
    expected = TimelineEvent.objects.visible_to(None).filter(
        vendors=country["amazon"], agency__jurisdiction__state="CT"
    )
    assert timeline(client, "vendor=amazon&state=ct") == list(expected.values_list("pk", flat=True))
    assert expected.count() == 3


def test_agencies_by_state_and_technology_match_the_joins(client, country):
    expected = Agency.objects.filter(jurisdiction__state="CT", timeline_events__technologies=country["face"])
    assert agencies(client, "state=CT&technology=face-recognition") == set(expected.values_list("pk", flat=True))
    assert expected.count() == 3
    # Without the state, the technology alone still finds every state's agencies.
    assert len(agencies(client, "technology=face-recognition")) == 5


def test_both_filters_read_the_entries_state_column(client, country):
    hartford = Agency.objects.get(name="Hartford Police")
    # A stale copy, which no write path leaves: it shows which filter reads the column.
    hartford.timeline_events.update(state="")
    assert len(timeline(client, "vendor=amazon&state=CT")) == 2
    assert hartford.pk not in agencies(client, "state=CT&technology=face-recognition")
    assert hartford.pk in agencies(client, "technology=face-recognition")
