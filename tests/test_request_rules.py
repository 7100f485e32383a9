"""The rules of a request's status (records/rules/requests.py) decide alike in Python and in SQL: the model's
properties, RecordsRequest.objects.open() and .overdue(today), the status filter and the CSV."""

import datetime

import pytest
from django.utils import timezone

from records.models import RecordsRequest, RequestStatus
from records.rules import requests as rules
from tests import factories

TODAY = datetime.date(2024, 6, 10)
YESTERDAY, TOMORROW = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "due_on", "is_open", "is_overdue"),
    [("draft", YESTERDAY, False, True), ("filed", YESTERDAY, True, True), ("filed", TODAY, True, False),
     ("filed", None, True, False), ("processing", YESTERDAY, True, True), ("appealed", YESTERDAY, True, True),
     ("fulfilled", YESTERDAY, False, False), ("withdrawn", YESTERDAY, False, False),
     ("no_records", TOMORROW, False, False), ("payment_required", TOMORROW, True, False),
     # From an agency's log: closed with no outcome given is closed; listed with no closure is not known to be
     # open, so it is never overdue.
     ("closed", YESTERDAY, False, False), ("unknown", YESTERDAY, False, False)],
)  # fmt: skip
def test_the_rules_by_table(status, due_on, is_open, is_overdue):
    assert rules.is_open(status) is is_open
    assert rules.is_overdue(status, due_on, TODAY) is is_overdue


def test_long_overdue_is_past_twice_the_period():
    filed = datetime.date(2024, 5, 1)
    assert rules.is_long_overdue("filed", filed, datetime.date(2024, 5, 21), datetime.date(2024, 6, 10)) is False
    assert rules.is_long_overdue("filed", filed, datetime.date(2024, 5, 21), datetime.date(2024, 6, 11)) is True
    assert rules.is_long_overdue("fulfilled", filed, datetime.date(2024, 5, 21), datetime.date(2024, 9, 1)) is False


def test_a_private_person_is_never_named():
    assert rules.public_requester("") == "A private requester"
    assert rules.public_requester("ACLU of Oregon") == "ACLU of Oregon"


@pytest.mark.django_db
def test_the_querysets_decide_as_the_rules_do(client):
    agency = factories.agency()
    made = [
        factories.records_request(agency, status=status, due_on=due_on, subject=f"{status} {due_on}")
        for status in RequestStatus.values
        for due_on in (YESTERDAY, TODAY, None)
    ]
    assert set(RecordsRequest.objects.open()) == {r for r in made if rules.is_open(r.status)}
    overdue = {r for r in made if rules.is_overdue(r.status, r.due_on, TODAY)}
    assert set(RecordsRequest.objects.overdue(TODAY)) == overdue
    assert overdue and len(overdue) < len(made)


@pytest.mark.django_db
def test_the_overdue_filter_and_the_overdue_column_agree(client):
    agency = factories.agency()
    today = timezone.localdate()
    for status in ("filed", "processing", "fulfilled", "draft"):
        for days in (-3, 3):
            factories.records_request(agency, status=status, due_on=today + datetime.timedelta(days=days))
    everything = client.get("/requests/?format=json").json()["results"]
    overdue = client.get("/requests/?status=overdue&format=json").json()["results"]
    assert {item["url"] for item in overdue} == {item["url"] for item in everything if item["overdue"]}
    assert len(overdue) == 3
