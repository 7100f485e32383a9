"""The seeded public-records laws: the source data set as published, with statute corrections applied over it,
and `load_reference_data` bringing an existing database up to them without overwriting an editor's change."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from records.importers.reference_data import LAW_CORRECTIONS, LAWS_FILE, source_laws
from records.models import Jurisdiction, RequestStatusChange
from records.services.requests import request_due_date
from tests import factories

pytestmark = pytest.mark.django_db


def run():
    out, err = io.StringIO(), io.StringIO()
    call_command("load_reference_data", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_source_file_is_kept_as_published():
    laws = {law["state"]: law for law in json.loads(LAWS_FILE.read_text())}
    assert len(laws) == 51
    assert laws["or"]["responseWithinDays"] is None
    assert laws["ca"]["responseWithinDays"] == 10 and "dayType" not in laws["ca"]


def test_a_new_database_has_the_corrected_laws():
    california, oregon = Jurisdiction.objects.get(state="CA", level="state"), Jurisdiction.objects.get(slug="oregon")
    assert (california.law_days, california.law_day_type) == (10, "calendar")
    assert "7922.535" in california.law_citation
    assert (oregon.law_days, oregon.law_day_type) == (15, "business")
    assert "192.329" in oregon.law_citation
    # The states without a correction are seeded from the source as before.
    texas = Jurisdiction.objects.get(slug="texas")
    assert (texas.law_days, texas.law_day_type) == (source_laws()["TX"]["law_days"], "")


def test_an_existing_database_is_corrected_and_its_due_dates_recomputed():
    Jurisdiction.objects.filter(slug="oregon").update(**source_laws()["OR"])  # as migration 0002 used to seed it
    oregon = Jurisdiction.objects.get(slug="oregon")
    agency = factories.agency(jurisdiction=oregon)
    filed = datetime.date(2024, 6, 24)  # Monday; 15 business days skip Thursday 4 July
    records_request = factories.records_request(agency, status="filed", filed_on=filed, due_on=None)
    RequestStatusChange.objects.create(request=records_request, status="filed", changed_on=filed)
    assert request_due_date(records_request) is None

    out, err = run()
    assert "Oregon: law corrected (15 business days" in out and "1 due date recomputed" in out
    records_request.refresh_from_db()
    assert records_request.due_on == datetime.date(2024, 7, 16)
    out, _ = run()
    assert out == "Reference data loaded; no law needed correcting.\n"


def test_a_law_an_editor_changed_is_left_alone_and_named():
    Jurisdiction.objects.filter(slug="california").update(law_days=12, law_day_type="business")
    out, err = run()
    california = Jurisdiction.objects.get(slug="california")
    assert (california.law_days, california.law_day_type) == (12, "business")
    assert "warning: California: law left as edited (12 business days)" in err
    assert "the correction would be 10 calendar days" in err
    assert set(LAW_CORRECTIONS) == {"CA", "OR"}
