"""Keyset pagination: the next page starts after the last row seen, so page 1,000 costs what page 1 does."""

import datetime
from dataclasses import dataclass

from records.models.keyset import after_key


class BadCursor(ValueError):
    pass


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


def _parse_value(raw: str, kind: str):
    if kind == "date":
        return datetime.date.fromisoformat(raw)
    if kind == "int":
        number = int(raw)
        if not -(2**63) < number < 2**63:
            raise ValueError
        return number
    return raw


def _format_value(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def parse_cursor(cursor: str, key_kind: str) -> tuple:
    """The (key value, id) of a cursor "<key value>~<id>"."""
    raw_value, sep, raw_id = cursor.rpartition("~")
    try:
        # A NUL cannot be in any key (PostgreSQL text cannot hold one): such a cursor was never ours.
        if not sep or "\x00" in cursor:
            raise ValueError
        value, last_id = _parse_value(raw_value, key_kind), int(raw_id)
        if not 0 < last_id < 2**63:
            raise ValueError
    except (ValueError, OverflowError):
        raise BadCursor(f"Not a valid page cursor: {cursor[:40]!r}.") from None
    return value, last_id


def format_cursor(key_value, pk) -> str:
    return f"{_format_value(key_value)}~{pk}"


def keyset_page(queryset, cursor: str | None, size: int, key: str, key_kind: str, descending: bool) -> KeysetPage:
    """One page of `queryset` ordered by (key, id), both descending or both ascending, after the cursor."""
    direction = "-" if descending else ""
    queryset = queryset.order_by(f"{direction}{key}", f"{direction}id")
    if cursor:
        queryset = after_key(queryset, key, parse_cursor(cursor, key_kind), descending=descending)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = format_cursor(getattr(last, key), last.pk)
    return KeysetPage(items=rows, next_cursor=next_cursor)
