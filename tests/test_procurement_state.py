"""Procurement.state, the copy of a procurement's agency's state: right on every write path, and the
list's state filter gives what the joins through agency and jurisdiction would."""

import datetime
import importlib
import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from bench.synthetic import counts_for
from records.exports.archive import archived_models
from records.importers.demo import load_demo
from records.models import Agency, Procurement, TimelineEvent, Vendor
from records.services.timeline import procurement_record
from tests import factories

pytestmark = pytest.mark.django_db


def mismatches() -> list[int]:
    """Procurements whose state is not their agency's: one query."""
    return list(Procurement.objects.exclude(state=F("agency__jurisdiction__state")).values_list("pk", flat=True))


def states(procurements) -> list[str]:
    return [Procurement.objects.get(pk=procurement.pk).state for procurement in procurements]


# Creating procurements


def test_a_procurement_takes_its_agencys_state_when_created():
    county = factories.county("Hartford County", "CT")
    in_county = factories.procurement(factories.agency("Hartford Police", jurisdiction=county))
    in_state = factories.procurement(factories.agency("State Police", "OR"))
    assert states([in_county, in_state]) == ["CT", "OR"]


def test_the_service_sets_the_state_and_fetches_the_place_once():
    agency = Agency.objects.get(pk=factories.agency("Miami Police", "FL").pk)
    vendor = factories.vendor()
    with CaptureQueriesContext(connection) as queries:
        procurement = procurement_record(
            agency=agency, vendor=vendor, kind="contract", title="Cameras", signed_on=datetime.date(2020, 2, 1)
        )
    assert states([procurement]) == ["FL"]
    assert procurement.timeline_events.get().state == "FL"
    # The procurement and its timeline entry share one look-up of the agency's jurisdiction (the oversight
    # refresh reads the laws covering it, joined, in a query of its own).
    assert len([q for q in queries if 'FROM "records_jurisdiction"' in q["sql"]]) == 1


def test_the_demo_gives_every_procurement_its_agencys_state():
    load_demo()
    assert Procurement.objects.exclude(state="").count() >= 2
    assert mismatches() == []


def test_an_agency_loaded_with_its_jurisdiction_costs_no_query():
    agency = Agency.objects.select_related("jurisdiction").get(pk=factories.agency("Austin Police", "TX").pk)
    vendor = factories.vendor()
    with CaptureQueriesContext(connection) as queries:
        procurement = Procurement.objects.create(agency=agency, vendor=vendor, kind="contract", title="A")
    assert procurement.state == "TX"
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_saving_only_the_agency_saves_the_state_too():
    procurement = factories.procurement(factories.agency("Portland Police", "OR"))
    procurement.agency = factories.agency("Seattle Police", "WA")
    procurement.save(update_fields=["agency"])
    assert states([procurement]) == ["WA"]

    procurement = Procurement.objects.get(pk=procurement.pk)
    procurement.agency_id = factories.agency("Boise Police", "ID").pk
    procurement.save()
    assert states([procurement]) == ["ID"]


def test_bulk_writes_of_the_queryset_set_the_state():
    oregon, florida = factories.agency("Salem Police", "OR"), factories.agency("Tampa Police", "FL")
    vendor = factories.vendor()
    created = Procurement.objects.bulk_create(
        [Procurement(agency=oregon, vendor=vendor, kind="contract", title=f"P{i}") for i in range(3)]
    )
    assert states(created) == ["OR", "OR", "OR"]

    Procurement.objects.filter(pk=created[0].pk).update(agency=florida)
    Procurement.objects.filter(pk=created[1].pk).update(agency_id=florida.pk)
    assert states(created) == ["FL", "FL", "OR"]

    procurements = list(Procurement.objects.filter(pk__in=[p.pk for p in created]))
    for procurement in procurements:
        procurement.agency = oregon
    Procurement.objects.bulk_update(procurements, ["agency"])
    assert states(procurements) == ["OR"] * 3


# Agencies and jurisdictions that change: tests/test_agency_state.py


# The generator, the migration and archives


@pytest.mark.bench
def test_the_synthetic_generator_gives_every_procurement_its_agencys_state():
    call_command("generate_synthetic", "--scale", "0.0005", verbosity=0, stdout=io.StringIO())
    assert Procurement.objects.exclude(state="").count() == counts_for(0.0005)["procurements"]
    assert mismatches() == []


def test_the_migration_fills_the_state_of_existing_procurements():
    procurements = [factories.procurement(factories.agency(code=code)) for code in ("OR", "NY", "TX")]
    Procurement.objects.update(state="")
    importlib.import_module("records.migrations.0009_procurement_state").fill_states(apps, None)
    assert states(procurements) == ["OR", "NY", "TX"]


def test_an_archive_made_before_the_state_existed_restores_it(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    procurement = factories.procurement(factories.agency("Providence Police", "RI"))
    archive, old = tmp_path / "new.tar.gz", tmp_path / "old.tar.gz"
    call_command("export_archive", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as source, tarfile.open(old, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("records.procurement.json"):
                rows = json.loads(data)
                for row in rows:
                    del row["fields"]["state"]
                data = json.dumps(rows).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    # Back to a freshly migrated database: what the test made, and its history, removed.
    TimelineEvent.objects.all().delete()
    Procurement.objects.all().delete()
    Agency.objects.all().delete()
    Vendor.objects.all().delete()
    for model in archived_models():
        if model.__name__.startswith("Historical"):
            model._base_manager.all().delete()

    call_command("import_archive", str(old), stdout=io.StringIO())
    assert Procurement.objects.get(pk=procurement.pk).state == "RI"


# The list filter that reads the column


@pytest.fixture
def country():
    amazon, flock = factories.vendor("Amazon"), factories.vendor("Flock Safety")
    agencies = [
        factories.agency("Hartford Police", "CT"),
        factories.agency("New Haven Police", "CT"),
        factories.agency("Stamford Police", "CT"),
        factories.agency("Albany Police", "NY"),
        factories.agency("Boston Police", "MA"),
    ]
    for i, agency in enumerate(agencies):
        factories.procurement(agency, amazon, amount=500 * (i + 1))
        factories.procurement(agency, flock, amount=5000)
    return {"amazon": amazon}


def procurement_list(client, query) -> list[int]:
    return [procurement.pk for procurement in client.get(f"/procurements/?{query}").context["page"].items]


def test_the_list_by_state_vendor_and_amount_matches_the_joins(client, country):
    expected = Procurement.objects.filter(
        agency__jurisdiction__state="CT", vendor=country["amazon"], amount__gte=1000
    ).order_by("-id")
    assert procurement_list(client, "state=ct&vendor=amazon&amount_min=1000") == list(
        expected.values_list("pk", flat=True)
    )
    assert expected.count() == 2
    by_state = Procurement.objects.filter(agency__jurisdiction__state="CT").order_by("-id")
    assert procurement_list(client, "state=CT") == list(by_state.values_list("pk", flat=True))


def test_the_list_filter_reads_the_state_column(client, country):
    hartford = Agency.objects.get(name="Hartford Police")
    # A stale copy, which no write path leaves: it shows that the filter reads the column.
    hartford.procurements.update(state="")
    assert len(procurement_list(client, "state=CT")) == 4
