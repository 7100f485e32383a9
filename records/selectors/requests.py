"""What the staff dashboard and the staff calendar show: records requests, and contracts coming to an end."""

import datetime

from django.db.models import Count, Max, Window

from records.models import Procurement, RecordsRequest, RequestStatus

DASHBOARD_ROWS = 25
DASHBOARD_RECENT = 10
DUE_SOON_DAYS = 7
# A renewal goes to a council or board vote some weeks before the end: ninety days leaves time to ask for the
# records and to speak at that meeting.
CONTRACTS_ENDING_DAYS = 90
# The calendar keeps a contract end for a month after it, then lets it go.
CALENDAR_CONTRACTS_SINCE_DAYS = 30


def _open_requests():
    return RecordsRequest.objects.open().select_related("agency__jurisdiction").order_by("due_on", "id")


def deadlines_calendar_requests():
    """The open requests with a due date, soonest first, and when any request last changed (None if none)."""
    stamp = RecordsRequest.objects.aggregate(latest=Max("updated_at"))["latest"]
    return _open_requests().filter(due_on__isnull=False), stamp


def deadlines_calendar_entries(*, today: datetime.date):
    """The staff calendar: open requests with a due date, contracts ending from a month ago on (private ones
    too: the calendar is staff-only), and when any of them last changed (None if nothing has)."""
    requests, stamp = deadlines_calendar_requests()
    since = today - datetime.timedelta(days=CALENDAR_CONTRACTS_SINCE_DAYS)
    contracts = Procurement.objects.ending(since=since).select_related("agency")
    contracts_stamp = Procurement.objects.filter(end_on__isnull=False).aggregate(latest=Max("updated_at"))["latest"]
    return requests, contracts, max((s for s in (stamp, contracts_stamp) if s is not None), default=None)


def contracts_ending(*, reader, today: datetime.date) -> list:
    """Contracts ending from today to CONTRACTS_ENDING_DAYS ahead, soonest first, the first DASHBOARD_ROWS of
    them, each with the number of them all (`total_count`)."""
    last = today + datetime.timedelta(days=CONTRACTS_ENDING_DAYS)
    return list(
        Procurement.objects.visible_to(reader)
        .ending(since=today, until=last)
        .select_related("agency", "vendor")
        .annotate(total_count=Window(Count("id")))[:DASHBOARD_ROWS]
    )


def staff_dashboard(*, user, today: datetime.date) -> dict:
    """Open requests the user moved, overdue and due within a week (soonest first), drafts and recent changes;
    contracts ending within CONTRACTS_ENDING_DAYS."""
    open_requests = _open_requests()
    ending = contracts_ending(reader=user, today=today)
    return {
        "contracts_ending": ending,
        "contracts_ending_count": ending[0].total_count if ending else 0,
        "contracts_ending_days": CONTRACTS_ENDING_DAYS,
        "mine": open_requests.filter(status_changes__changed_by=user).distinct()[:DASHBOARD_ROWS],
        "overdue": open_requests.overdue(today)[:DASHBOARD_ROWS],
        "due_soon": open_requests.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))[
            :DASHBOARD_ROWS
        ],
        "drafts": RecordsRequest.objects.filter(status=RequestStatus.DRAFT)
        .select_related("agency")
        .order_by("-updated_at")[:DASHBOARD_RECENT],
        "recent": RecordsRequest.objects.select_related("agency").order_by("-updated_at", "-id")[:DASHBOARD_RECENT],
    }
