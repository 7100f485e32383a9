"""How an agency answers records requests: pure arithmetic over (status, filed, closed, due) rows.

Every figure counts only the requests it can know about, says how many that is (n), and is shown from
MIN_CASES of them on. A rate carries its 95% Wilson score interval: with the few requests most agencies have,
"80%" of 5 and "80%" of 500 are not the same statement.

- Days to close: requests closed with both dates known.
- Success rate: requests with a recorded outcome; fulfilled or partly fulfilled count as successes. A
  request closed without a recorded outcome ("closed, outcome not recorded") and an open one are left out:
  neither is known to have failed.
- Answered late or overdue: requests closed with a due date (late if closed after it) and open ones already
  past it. An open request not yet due and one whose status is unknown are left out: their answer may yet
  come, or may have come on time unrecorded.
"""

import datetime
import math
import statistics
from collections import Counter
from dataclasses import dataclass

from records.rules.requests import TERMINAL_STATUSES, RequestStatus, is_open, is_overdue

MIN_CASES = 5
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
SUCCESS = frozenset({RequestStatus.FULFILLED, RequestStatus.PARTIALLY_FULFILLED})
KNOWN_OUTCOMES = TERMINAL_STATUSES - {RequestStatus.CLOSED}


@dataclass(frozen=True)
class Rate:
    """`count` of `n` requests, with the 95% Wilson score interval of the share."""

    count: int
    n: int

    @property
    def share(self) -> float:
        return self.count / self.n

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.count, self.n)

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def interval_percent(self) -> tuple[int, int]:
        low, high = self.interval
        return round(100 * low), round(100 * high)


def wilson_interval(count: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion count/n: unlike p ± z·√(p(1-p)/n), it stays within 0..1 and
    does not shrink to nothing at 0 of n or n of n."""
    if n <= 0:
        raise ValueError("a proportion needs at least one case")
    p, z2 = count / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def request_statistics(rows, today: datetime.date) -> dict:
    """rows: (status, filed_on, closed_on, due_on) tuples. Each figure is None below MIN_CASES cases."""
    rows = list(rows)
    labels = dict(RequestStatus.choices)
    by_status = Counter(status for status, *_ in rows)
    closed = [(filed, closed) for status, filed, closed, _ in rows if status in TERMINAL_STATUSES and filed and closed]
    with_outcome = [status for status, *_ in rows if status in KNOWN_OUTCOMES]
    late_count = timed = 0
    for status, _, closed_on, due in rows:
        if due and status in TERMINAL_STATUSES and closed_on:
            timed += 1
            late_count += closed_on > due
        elif is_overdue(status, due, today):
            timed += 1
            late_count += 1
    days = [(closed_on - filed).days for filed, closed_on in closed]
    success = Rate(sum(1 for status in with_outcome if status in SUCCESS), len(with_outcome))
    late = Rate(late_count, timed)
    open_count = sum(1 for status, *_ in rows if is_open(status))
    result = {
        "total": len(rows),
        "by_status": [(labels[status], count) for status, count in by_status.most_common()],
        "closed": len(closed),
        "open": open_count,
        "open_not_due": open_count - sum(1 for status, _, _, due in rows if is_overdue(status, due, today)),
        "outcome_not_recorded": by_status[RequestStatus.CLOSED],
        "status_unknown": by_status[RequestStatus.UNKNOWN],
        "min_cases": MIN_CASES,
        "days_to_close": None,
        "success": success if success.n >= MIN_CASES else None,
        "success_n": success.n,
        "late": late if late.n >= MIN_CASES else None,
        "late_n": late.n,
    }
    if len(days) >= MIN_CASES:
        result["days_to_close"] = {
            "n": len(days),
            "median": statistics.median(days),
            "mean": round(statistics.fmean(days), 1),
        }
    result["enough"] = any(result[key] is not None for key in ("days_to_close", "success", "late"))
    return result
