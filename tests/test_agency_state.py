"""The agency's state copied onto timeline entries and procurements (records/models/agency_state.py) follows
the agency when it moves, when its jurisdiction's state code is corrected and when it is merged, the same
way for both. What is particular to each lives in tests/test_event_state.py and tests/test_procurement_state.py."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from records.models import Agency, Jurisdiction, Procurement, TimelineEvent
from records.services.merges import agency_merge
from tests import factories

pytestmark = pytest.mark.django_db

COPIES = [
    pytest.param((TimelineEvent, factories.event), id="timeline entries"),
    pytest.param((Procurement, factories.procurement), id="procurements"),
]


@pytest.fixture(params=COPIES)
def copy(request):
    """(model, factory of one row for an agency) for each model that carries its agency's state."""
    return request.param


def states(model, rows) -> list[str]:
    return [model.objects.get(pk=row.pk).state for row in rows]


def test_rows_follow_their_agency_to_another_jurisdiction(copy):
    model, make = copy
    agency = factories.agency("Vancouver Police", "OR")
    rows = [make(agency), make(agency)]
    other = make(factories.agency("Bend Police", "OR"))

    agency = Agency.objects.get(pk=agency.pk)
    agency.jurisdiction = factories.county("Clark County", "WA")
    agency.save()
    assert states(model, [*rows, other]) == ["WA", "WA", "OR"]

    agency.jurisdiction = factories.state("ID")
    agency.save(update_fields=["jurisdiction"])
    assert states(model, rows) == ["ID", "ID"]


def test_an_agency_saved_in_the_same_place_writes_no_rows(copy):
    model, make = copy
    agency = factories.agency("Eugene Police", "OR")
    make(agency)
    agency = Agency.objects.get(pk=agency.pk)
    agency.website = "https://example.org/eugene"
    with CaptureQueriesContext(connection) as queries:
        agency.save()
    assert not [q for q in queries if model._meta.db_table in q["sql"]]


def test_rows_follow_a_corrected_state_code(copy):
    model, make = copy
    county = factories.county("Lake County", "OR")
    moved = [make(factories.agency(name, jurisdiction=county)) for name in ("Sheriff", "Prosecutor")]
    elsewhere = make(factories.agency("Lake Oswego Police", "OR"))

    county = Jurisdiction.objects.get(pk=county.pk)
    county.state, county.parent = "CA", factories.state("CA")
    county.save()
    assert states(model, [*moved, elsewhere]) == ["CA", "CA", "OR"]


def test_rows_follow_an_agency_merge_across_states(copy):
    model, make = copy
    keep = factories.agency("Kansas City Police", "MO")
    remove = factories.agency("Kansas City Police Department", "KS")
    rows = [make(remove), make(remove), make(keep)]
    agency_merge(keep=keep, remove=remove)
    assert states(model, rows) == ["MO", "MO", "MO"]
    assert not model.objects.exclude(agency=None).exclude(state=F("agency__jurisdiction__state")).exists()
