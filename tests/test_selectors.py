"""The selectors give each page's aggregates without HTTP, and count for each reader only what they may see."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from records.models import RecordsRequest, RequestStatusChange
from records.selectors.agencies import agencies_with_entry_counts, agency_facets, agency_summary
from records.selectors.home import home_summary
from records.selectors.requests import deadlines_calendar_requests, staff_dashboard
from records.selectors.technologies import technologies_with_counts, technology_summary
from records.selectors.vendors import vendor_summary, vendors_with_agency_counts
from tests import factories
from tests.accounts import user

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()
TODAY = datetime.date(2024, 6, 1)


@pytest.fixture
def world():
    face = factories.technology("face-recognition")
    amazon, flock = factories.vendor("Amazon"), factories.vendor("Flock Safety")
    washington = factories.agency("Washington County Sheriff", "OR", kind="sheriff")
    portland = factories.agency("Portland Police", "OR")
    miami = factories.agency("Miami Police", "FL")
    factories.event(washington, datetime.date(2017, 3, 1), [amazon], [face])
    factories.event(washington, datetime.date(2018, 5, 1), [amazon, flock], [face])
    factories.event(portland, datetime.date(2019, 1, 1), [flock])
    factories.event(miami, datetime.date(2020, 1, 1), [amazon], [face], visibility="private")
    factories.procurement(washington, amazon, amount=Decimal("400.00"), signed_on=datetime.date(2017, 1, 2))
    factories.procurement(washington, amazon, amount=Decimal("12.50"), signed_on=datetime.date(2018, 1, 2))
    factories.records_request(washington, status="filed", filed_on=datetime.date(2024, 1, 2), due_on=TODAY)
    factories.records_request(washington, subject="Hidden", visibility="private", status="filed")
    factories.document(washington, title="Contract")
    return {"washington": washington, "portland": portland, "miami": miami, "amazon": amazon, "face": face}


def test_agency_summary_counts_what_the_reader_may_see(world):
    summary = agency_summary(agency=world["washington"], reader=PUBLIC, today=TODAY)
    assert summary["events_per_year"] == {2017: 1, 2018: 1}
    assert [tag.name for tag in summary["vendors"]] == ["Amazon", "Flock Safety"]
    assert [tag.count for tag in summary["vendors"]] == [2, 1]
    assert [tag.name for tag in summary["technologies"]] == ["Face Recognition"]
    assert summary["spend"].total == Decimal("412.50") and summary["procurement_count"] == 2
    assert summary["request_count"] == 1 and summary["requests"][0].status == "Filed"
    assert summary["document_count"] == 1
    staff = agency_summary(agency=world["washington"], reader=user("staff"), today=TODAY)
    assert staff["request_count"] == 2


def test_agency_facets_count_matching_agencies(world):
    facets = agency_facets(agencies=agencies_with_entry_counts(reader=PUBLIC), reader=PUBLIC)
    assert facets["state"] == [("FL", "Florida", 1), ("OR", "Oregon", 2)]
    assert ("sheriff", "Sheriff", 1) in facets["kind"] and ("police", "Police", 2) in facets["kind"]
    # Miami's only face-recognition entry is private: the public count leaves it out, staff see it.
    assert ("face-recognition", "Face Recognition", 1) in facets["technology"]
    staff = agency_facets(agencies=agencies_with_entry_counts(reader=user("staff")), reader=user("staff"))
    assert ("face-recognition", "Face Recognition", 2) in staff["technology"]


def test_agencies_carry_their_visible_entry_counts(world):
    counts = {agency.name: agency.event_count for agency in agencies_with_entry_counts(reader=PUBLIC)}
    assert counts == {"Washington County Sheriff": 2, "Portland Police": 1, "Miami Police": 0}


def test_vendor_summary_of_one_state_and_its_series(world):
    summary = vendor_summary(vendor=world["amazon"], reader=PUBLIC)
    assert [row.name for row in summary["agencies"]] == ["Washington County Sheriff"]
    assert summary["agencies_per_state"] == {"OR": 1}
    assert summary["first_years"] == {2017: 1}
    assert summary["events_per_year"] == {2017: 1, 2018: 1}
    assert summary["spend"].total == Decimal("412.50")
    staff = vendor_summary(vendor=world["amazon"], reader=user("staff"), state="FL")
    assert [row.name for row in staff["agencies"]] == ["Miami Police"] and staff["agency_total"] == 1
    assert staff["agencies_per_state"] == {"OR": 1, "FL": 1}


def test_vendor_and_technology_counts(world):
    vendors = {vendor.name: vendor.agency_count for vendor in vendors_with_agency_counts(reader=PUBLIC)}
    assert vendors == {"Amazon": 1, "Flock Safety": 2}
    technologies = {
        tech.slug: (tech.agency_count, tech.event_count) for tech in technologies_with_counts(reader=PUBLIC)
    }
    assert technologies["face-recognition"] == (1, 2)
    summary = technology_summary(technology=world["face"], reader=PUBLIC)
    assert summary["agencies_per_state"] == {"OR": 1}
    assert summary["first_years"] == {2017: 1}
    assert [vendor.name for vendor in summary["vendors"]] == ["Amazon", "Flock Safety"]


def test_home_summary_counts_visible_entries(world):
    summary = home_summary(reader=PUBLIC)
    assert summary["counts"]["events"] == 3
    assert summary["featured"][0].name == "Washington County Sheriff"
    assert home_summary(reader=user("staff"))["counts"]["events"] == 4


def test_staff_dashboard_sorts_open_requests(world):
    agency = world["portland"]
    late = factories.records_request(agency, subject="Late", status="processing", due_on=TODAY - datetime.timedelta(1))
    soon = factories.records_request(agency, subject="Soon", status="filed", due_on=TODAY + datetime.timedelta(3))
    factories.records_request(agency, subject="Answered", status="fulfilled", due_on=TODAY - datetime.timedelta(9))
    factories.records_request(agency, subject="Draft", status="draft", due_on=TODAY - datetime.timedelta(9))
    staff = user("staff")
    RequestStatusChange.objects.create(request=soon, status="filed", changed_on=TODAY, changed_by=staff)
    board = staff_dashboard(user=staff, today=TODAY)
    assert list(board["overdue"]) == [late]
    assert [r.subject for r in board["due_soon"]] == [RecordsRequest.objects.get(due_on=TODAY).subject, "Soon"]
    assert list(board["mine"]) == [soon]
    assert [r.subject for r in board["drafts"]] == ["Draft"]
    requests, stamp = deadlines_calendar_requests()
    assert "Answered" not in {r.subject for r in requests} and stamp is not None
