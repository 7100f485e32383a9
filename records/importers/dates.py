"""Dates as people type them into spreadsheets, read no more precisely than they are written.

"12/27/2012" is a day, "07/2019" a month, "2016" a year, "2016-2018" the year 2016 (the earliest of a
range). A typo keeps what can still be read: "11/31/2019" is November 2019, "13/05/2019" is 2019.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from records.models import DatePrecision

EARLIEST_YEAR = 1900
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name} | {
    name.lower(): number for number, name in enumerate(calendar.month_abbr) if name
}
_PRECISION_RANK = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


@dataclass(frozen=True)
class PartialDate:
    """A date known to a day, a month or a year; `date` is the first day of that period."""

    date: datetime.date
    precision: str

    @property
    def sort_key(self) -> tuple:
        # Of two dates starting the same day, the more precise one says more.
        return self.date, _PRECISION_RANK[self.precision]


@dataclass(frozen=True)
class ReadDate:
    """What could be read from one cell, and a note when the cell was not quite a date."""

    value: PartialDate | None
    note: str = ""


def _year(text: str, today: datetime.date, years_ahead: int = 1) -> int | None:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: the Atlas has nothing before 2000 and nothing after this year.
        year += 2000 if year <= today.year % 100 else 1900
    return year if EARLIEST_YEAR <= year <= today.year + years_ahead else None


def _build(year: int, month: int | None, day: int | None, raw: str) -> ReadDate:
    if month is None:
        return ReadDate(PartialDate(datetime.date(year, 1, 1), DatePrecision.YEAR))
    if not 1 <= month <= 12:
        return ReadDate(
            PartialDate(datetime.date(year, 1, 1), DatePrecision.YEAR), f"{raw!r} has no month {month}: kept the year"
        )
    if day is None:
        return ReadDate(PartialDate(datetime.date(year, month, 1), DatePrecision.MONTH))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return ReadDate(
            PartialDate(datetime.date(year, month, 1), DatePrecision.MONTH),
            f"{raw!r} has no day {day} in that month: kept the month",
        )
    return ReadDate(PartialDate(datetime.date(year, month, day), DatePrecision.DAY))


def read_date(raw: str | None, today: datetime.date | None = None, *, years_ahead: int = 1) -> ReadDate:
    """Read one cell. An empty cell gives no date and no note; an unreadable one gives a note why. Years
    later than `years_ahead` after today's are unreadable (a contract's end date may be decades ahead)."""
    today = today or timezone.localdate()
    text = " ".join((raw or "").split()).strip(" .,;")
    if not text:
        return ReadDate(None)
    text = re.sub(r"([/.-])\1+", r"\1", text)
    unreadable = ReadDate(None, f"unreadable date {raw.strip()!r}")

    if match := re.fullmatch(r"(\d{4})\s*[-–/]\s*(\d{4}|\d{2})", text):
        first, second = match.groups()
        if len(second) == 2 and int(second) <= 12:
            # 2016-05 is a month, not a range of years.
            year = _year(first, today, years_ahead)
            return _build(year, int(second), None, raw.strip()) if year else unreadable
        end = first[:2] + second if len(second) == 2 else second
        years = [y for y in (_year(first, today, years_ahead), _year(end, today, years_ahead)) if y]
        return ReadDate(PartialDate(datetime.date(min(years), 1, 1), DatePrecision.YEAR)) if years else unreadable
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year = _year(match[1], today, years_ahead)
        return _build(year, int(match[2]), int(match[3]), raw.strip()) if year else unreadable
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", text):
        year = _year(match[3], today, years_ahead)
        return _build(year, int(match[1]), int(match[2]), raw.strip()) if year else unreadable
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text):
        year = _year(match[2], today, years_ahead)
        return _build(year, int(match[1]), None, raw.strip()) if year else unreadable
    if re.fullmatch(r"\d{4}", text):
        year = _year(text, today, years_ahead)
        return _build(year, None, None, raw.strip()) if year else unreadable
    if match := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text):
        month, year = _MONTHS.get(match[1].lower()), _year(match[3], today, years_ahead)
        return _build(year, month, int(match[2]), raw.strip()) if month and year else unreadable
    if match := re.fullmatch(r"([A-Za-z]+)\.?,?\s+(\d{4})", text):
        month, year = _MONTHS.get(match[1].lower()), _year(match[2], today, years_ahead)
        return _build(year, month, None, raw.strip()) if month and year else unreadable
    return unreadable


def earliest(dates) -> PartialDate | None:
    dates = [d for d in dates if d is not None]
    return min(dates, key=lambda d: d.sort_key) if dates else None


def date_in_url(url: str, today: datetime.date | None = None) -> PartialDate | None:
    """News sites put the publication date in the path: /2017/11/17/ or /2017/11/."""
    today = today or timezone.localdate()
    match = re.search(r"/((?:19|20)\d{2})/(\d{1,2})/(?:(\d{1,2})/)?", url or "")
    if not match:
        return None
    year = _year(match[1], today)
    if year is None:
        return None
    read = _build(year, int(match[2]), int(match[3]) if match[3] else None, match[0])
    return None if read.note else read.value


def earliest_year_in_text(text: str, today: datetime.date | None = None) -> PartialDate | None:
    """'... has used drones since at least 2016' -> 2016."""
    today = today or timezone.localdate()
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", text or "") if 1990 <= int(y) <= today.year]
    return PartialDate(datetime.date(min(years), 1, 1), DatePrecision.YEAR) if years else None
