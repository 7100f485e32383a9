"""Structural rules live in the database, and deleting evidence is refused rather than cascaded."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from records.models import Agency, EventSource, Procurement, TimelineEvent
from records.models.timeline import format_date
from tests import factories

pytestmark = pytest.mark.django_db


def fails_integrity(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_agency_name_is_unique_within_a_jurisdiction_only():
    washington_or = factories.county("Washington County", "OR")
    washington_ar = factories.county("Washington County", "AR")
    factories.agency("Washington County Sheriff's Office", jurisdiction=washington_or)
    twin = factories.agency("Washington County Sheriff's Office", jurisdiction=washington_ar)
    assert twin.slug == "washington-county-sheriffs-office-ar"
    fails_integrity(lambda: Agency.objects.create(name=twin.name, slug="other-slug", jurisdiction=washington_ar))


def test_slugs_are_unique():
    first = factories.vendor("Flock Safety")
    fails_integrity(lambda: factories.Vendor.objects.create(name="Flock Safety Inc", slug=first.slug))


def test_ori_is_unique_when_present():
    factories.agency(ori="OR0340000")
    factories.agency()
    factories.agency()  # several agencies without an ORI are fine
    fails_integrity(lambda: factories.agency(ori="OR0340000"))


def test_procurement_amount_cannot_be_negative():
    agency, vendor = factories.agency(), factories.vendor()
    factories.procurement(agency, vendor, amount=Decimal("0"))
    fails_integrity(lambda: factories.procurement(agency, vendor, amount=Decimal("-1")))


def test_procurement_end_cannot_precede_start():
    agency, vendor = factories.agency(), factories.vendor()
    start = datetime.date(2020, 5, 1)
    factories.procurement(agency, vendor, start_on=start, end_on=start)
    fails_integrity(lambda: factories.procurement(agency, vendor, start_on=start, end_on=datetime.date(2020, 4, 30)))


def test_a_source_needs_a_document_or_a_url():
    event = factories.event(url=None)
    fails_integrity(lambda: EventSource.objects.create(event=event, label="nothing to point at"))
    document = factories.document()
    fails_integrity(lambda: EventSource.objects.create(event=event, url="https://example.org", page=2))
    EventSource.objects.create(event=event, document=document, page=1)


def test_embargo_needs_an_end_date():
    fails_integrity(lambda: factories.records_request(visibility="embargoed"))


def test_deleting_an_agency_with_evidence_is_refused():
    agency = factories.agency()
    factories.event(agency)
    with pytest.raises(ProtectedError):
        agency.delete()
    assert TimelineEvent.objects.filter(agency=agency).exists()


def test_deleting_a_cited_document_is_refused():
    document = factories.document()
    event = factories.event(url=None)
    EventSource.objects.create(event=event, document=document, page=1)
    with pytest.raises(ProtectedError):
        document.delete()


def test_deleting_a_vendor_with_procurements_is_refused():
    procurement = factories.procurement()
    with pytest.raises(ProtectedError):
        procurement.vendor.delete()
    assert Procurement.objects.filter(pk=procurement.pk).exists()


@pytest.mark.parametrize(("precision", "shown"), [("day", "Nov 29, 2017"), ("month", "Nov 2017"), ("year", "2017")])
def test_dates_show_only_the_precision_they_have(precision, shown):
    assert format_date(datetime.date(2017, 11, 29), precision) == shown


def test_local_jurisdictions_inherit_their_states_law():
    washington = factories.county("Washington County", "OR")
    assert washington.law_holder().name == "Oregon"
    assert washington.law_holder().law_name == "Oregon Public Records Law"


def test_technologies_are_seeded_with_the_twelve_atlas_categories():
    from records.models import Technology

    assert Technology.objects.count() == 12
    assert Technology.objects.filter(slug="automated-license-plate-readers").exists()
