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
    # What an agency's own log can tell without saying more: closed on a date, but with no outcome given;
    # or listed with no closure at all, which may be still open or closed after the log was written.
    CLOSED = "closed", "Closed, outcome not recorded"
    UNKNOWN = "unknown", "Status unknown"


TERMINAL_STATUSES = frozenset(
    {
        RequestStatus.PARTIALLY_FULFILLED,
        RequestStatus.FULFILLED,
        RequestStatus.NO_RECORDS,
        RequestStatus.REJECTED,
        RequestStatus.WITHDRAWN,
        RequestStatus.CLOSED,
    }
)
# Open: filed and known to be waiting on the agency. A draft is not sent yet; a request whose status is
# unknown is neither open nor closed, so it is never counted as overdue either.
NOT_OPEN_STATUSES = TERMINAL_STATUSES | {RequestStatus.DRAFT, RequestStatus.UNKNOWN}
# Never overdue, whatever the date: answered, or not known to be waiting.
NEVER_OVERDUE_STATUSES = TERMINAL_STATUSES | {RequestStatus.UNKNOWN}

PRIVATE_REQUESTER = "A private requester"

# What became of a request, in a few words a reader filters by: (value, label, statuses). A draft, an appeal or a
# request of unknown status has none of these outcomes.
OUTCOMES = (
    ("open", "Waiting on the agency", frozenset(
        {RequestStatus.FILED, RequestStatus.ACKNOWLEDGED, RequestStatus.PROCESSING, RequestStatus.FIX_REQUIRED,
         RequestStatus.PAYMENT_REQUIRED}
    )),
    ("released", "Records released", frozenset({RequestStatus.FULFILLED, RequestStatus.PARTIALLY_FULFILLED})),
    ("no_records", "No records", frozenset({RequestStatus.NO_RECORDS})),
    ("refused", "Refused or appealed", frozenset({RequestStatus.REJECTED, RequestStatus.APPEALED})),
    ("withdrawn", "Withdrawn", frozenset({RequestStatus.WITHDRAWN})),
    ("not_recorded", "Closed, outcome not recorded", frozenset({RequestStatus.CLOSED})),
)  # fmt: skip
OUTCOME_STATUSES = {value: statuses for value, _label, statuses in OUTCOMES}


def outcome_of(status: str) -> str:
    """The outcome (OUTCOMES) a status belongs to, or "" for none."""
    return next((value for value, _label, statuses in OUTCOMES if status in statuses), "")


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def is_open(status: str) -> bool:
    return status not in NOT_OPEN_STATUSES


def is_overdue(status: str, due_on: datetime.date | None, today: datetime.date) -> bool:
    """Past its due date and not closed (nor of unknown status)."""
    return bool(due_on and status not in NEVER_OVERDUE_STATUSES and due_on < today)


def is_long_overdue(status: str, filed_on, due_on, today: datetime.date) -> bool:
    """Past twice the statutory period: the span from filing to due, doubled, has passed."""
    if not (is_overdue(status, due_on, today) and filed_on):
        return False
    return today > filed_on + 2 * (due_on - filed_on)


def public_requester(organization: str) -> str:
    """Who the public is told filed a request: an organisation by name, a private person never."""
    return organization or PRIVATE_REQUESTER
