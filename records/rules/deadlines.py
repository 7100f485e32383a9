"""The statutory-deadline engine: pure functions of (law, filing date, pauses, holidays).

The filing day is day 0. Business-day laws count the Nth business day after it, skipping weekends
and public holidays (on the weekday they are observed, as offices close). A calendar-day deadline
that lands on a weekend or holiday moves to the next business day. The clock pauses while a request
waits on the requester (fix required, payment required) and resumes with the days that were left.
"""

import datetime
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import cache

import holidays as holiday_calendars

BUSINESS = "business"
CALENDAR = "calendar"
FEDERAL_FOIA_DAYS = 20


@dataclass(frozen=True)
class Law:
    days: int | None
    day_type: str = BUSINESS  # a law that does not say is read as business days, the common case


@dataclass(frozen=True)
class Pause:
    """The clock stops at the end of `start` and restarts at the end of `end` (None: still paused)."""

    start: datetime.date
    end: datetime.date | None


def is_business_day(day: datetime.date, holidays: Container[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: datetime.date, holidays: Container[datetime.date]) -> datetime.date:
    while not is_business_day(day, holidays):
        day += datetime.timedelta(days=1)
    return day


def _paused(day: datetime.date, pauses: Iterable[Pause]) -> bool:
    return any(pause.start < day and (pause.end is None or day <= pause.end) for pause in pauses)


def due_date(
    *, law: Law, filed_on: datetime.date, holidays: Container[datetime.date], pauses: Iterable[Pause] = ()
) -> datetime.date | None:
    """The date the response is due; None when the law sets no number or the clock is paused now."""
    if law.days is None or filed_on is None:
        return None
    pauses = list(pauses)
    if any(pause.end is None for pause in pauses):
        return None
    day, counted = filed_on, 0
    while counted < law.days:
        day += datetime.timedelta(days=1)
        if _paused(day, pauses):
            continue
        if law.day_type == CALENDAR or is_business_day(day, holidays):
            counted += 1
    return next_business_day(day, holidays) if law.day_type == CALENDAR else day


def pauses_from_statuses(changes: Iterable[tuple[datetime.date, str]], pausing: Container[str]) -> list[Pause]:
    """Turn a request's (date, status) history, oldest first, into the pauses of its clock."""
    pauses, started = [], None
    for day, status in changes:
        if status in pausing and started is None:
            started = day
        elif status not in pausing and started is not None:
            pauses.append(Pause(started, day))
            started = None
    if started is not None:
        pauses.append(Pause(started, None))
    return pauses


@cache
def public_holidays(state: str, first_year: int, last_year: int) -> frozenset[datetime.date]:
    """The days US federal offices (state ""), or a state's offices, are closed for a public holiday, in a range
    of years: each holiday where it falls on a weekday, else the weekday it is observed on (for federal holidays a
    Saturday one on the Friday before, a Sunday one on the Monday after; each state's own rule otherwise, as the
    `holidays` package records it)."""
    years = range(first_year, last_year + 1)
    # Observed days, as the agencies count: in USDA APHIS's logs, 52 of 2015's 55 one-day misses straddled
    # Friday 3 July 2015, the observed Independence Day (bench/deadline_bench.py, docs/BENCHMARKS.md).
    calendar = holiday_calendars.country_holidays("US", subdiv=state or None, years=years, observed=True)
    return frozenset(calendar.keys())


def holidays_around(state: str, filed_on: datetime.date) -> frozenset[datetime.date]:
    # Three years cover any statutory period, doubled for "long overdue", plus pauses.
    return public_holidays(state, filed_on.year, filed_on.year + 2)
