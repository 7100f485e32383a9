"""The rules of a records request's status: which are closed, which are open, what is overdue.

Pure functions of the status and dates, so that a model property, a queryset filter, an export and the
statistics all decide alike (RecordsRequestQuerySet.open() and .overdue() are their SQL form).
"""

import datetime

from django.db.models import TextChoices


class RequestStatus(TextChoices):
    DRAFT = "draft", "Draft"
    FILED = "filed", "Filed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    PROCESSING = "processing", "Processing"
    FIX_REQUIRED = "fix_required", "Fix required"
    PAYMENT_REQUIRED = "payment_required", "Payment required"
    PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    NO_RECORDS = "no_records", "No responsive records"
    REJECTED = "rejected", "Rejected"
    APPEALED = "appealed", "Appealed"
    WITHDRAWN = "withdrawn", "Withdrawn"


TERMINAL_STATUSES = frozenset(
    {
        RequestStatus.PARTIALLY_FULFILLED,
        RequestStatus.FULFILLED,
        RequestStatus.NO_RECORDS,
        RequestStatus.REJECTED,
        RequestStatus.WITHDRAWN,
    }
)
# Neither answered nor still a draft: the agency owes an answer.
NOT_OPEN_STATUSES = TERMINAL_STATUSES | {RequestStatus.DRAFT}

PRIVATE_REQUESTER = "A private requester"


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def is_open(status: str) -> bool:
    return status not in NOT_OPEN_STATUSES


def is_overdue(status: str, due_on: datetime.date | None, today: datetime.date) -> bool:
    """Past its due date and not closed."""
    return bool(due_on and not is_terminal(status) and due_on < today)


def is_long_overdue(status: str, filed_on, due_on, today: datetime.date) -> bool:
    """Past twice the statutory period: the span from filing to due, doubled, has passed."""
    if not (is_overdue(status, due_on, today) and filed_on):
        return False
    return today > filed_on + 2 * (due_on - filed_on)


def public_requester(organization: str) -> str:
    """Who the public is told filed a request: an organisation by name, a private person never."""
    return organization or PRIVATE_REQUESTER
