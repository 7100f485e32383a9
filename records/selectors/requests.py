"""What the staff dashboard shows of the records requests."""

import datetime

from django.db.models import Max

from records.models import RecordsRequest, RequestStatus

DASHBOARD_ROWS = 25
DASHBOARD_RECENT = 10
DUE_SOON_DAYS = 7


def _open_requests():
    return RecordsRequest.objects.open().select_related("agency__jurisdiction").order_by("due_on", "id")


def deadlines_calendar_requests():
    """The open requests with a due date, soonest first, and when any request last changed (None if none)."""
    stamp = RecordsRequest.objects.aggregate(latest=Max("updated_at"))["latest"]
    return _open_requests().filter(due_on__isnull=False), stamp


def staff_dashboard(*, user, today: datetime.date) -> dict:
    """Open requests the user moved, overdue and due within a week (soonest first), drafts and recent changes."""
    open_requests = _open_requests()
    return {
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
