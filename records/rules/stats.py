"""How an agency answers records requests: pure arithmetic over (status, filed, closed, due) rows."""

import datetime
import statistics
from collections import Counter

from records.rules.requests import TERMINAL_STATUSES, RequestStatus, is_open, is_overdue

MIN_CLOSED = 5
SUCCESS = {RequestStatus.FULFILLED, RequestStatus.PARTIALLY_FULFILLED}


def request_statistics(rows, today: datetime.date) -> dict:
    """rows: (status, filed_on, closed_on, due_on) tuples. Rates only from MIN_CLOSED closed requests on."""
    rows = list(rows)
    labels = dict(RequestStatus.choices)
    by_status = Counter(status for status, *_ in rows)
    closed = [
        (status, filed, closed) for status, filed, closed, _ in rows if status in TERMINAL_STATUSES and filed and closed
    ]
    with_due = [(status, closed, due) for status, _, closed, due in rows if due and status != RequestStatus.DRAFT]
    late = sum(1 for status, closed, due in with_due if (closed and closed > due) or is_overdue(status, due, today))
    result = {
        "total": len(rows),
        "by_status": [(labels[status], count) for status, count in by_status.most_common()],
        "closed": len(closed),
        "open": sum(1 for status, *_ in rows if is_open(status)),
        "enough": len(closed) >= MIN_CLOSED,
        "min_closed": MIN_CLOSED,
    }
    if result["enough"]:
        days = [(closed_on - filed).days for _, filed, closed_on in closed]
        result.update(
            median_days=statistics.median(days),
            mean_days=round(statistics.fmean(days), 1),
            success_rate=sum(1 for status, *_ in closed if status in SUCCESS) / len(closed),
            share_overdue=late / len(with_due) if with_due else None,
        )
    return result
