"""Keyset pagination: the next page starts after the last row seen, so page 1,000 costs what page 1 does."""

import datetime
import decimal
from dataclasses import dataclass

from records.models.keyset import after_key, keyset_order


class BadCursor(ValueError):
    pass


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


@dataclass(frozen=True)
class Sort:
    """An order a list offers (`sort=<name>`): by `key`, then id. Rows without a value of a `nullable` key (a
    procurement without an amount) come last, in both directions."""

    label: str
    key: str
    key_kind: str
    descending: bool = True
    nullable: bool = False


def _parse_value(raw: str, kind: str, nullable: bool):
    if nullable and raw == "":
        return None
    if kind == "date":
        return datetime.date.fromisoformat(raw)
    if kind == "int":
        number = int(raw)
        if not -(2**63) < number < 2**63:
            raise ValueError
        return number
    if kind == "decimal":
        try:
            number = decimal.Decimal(raw)
        except decimal.InvalidOperation:
            raise ValueError from None
        if not number.is_finite() or abs(number) >= 10**15:
            raise ValueError
        return number
    return raw


def _format_value(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def parse_cursor(cursor: str, key_kind: str, nullable: bool = False) -> tuple:
    """The (key value, id) of a cursor "<key value>~<id>" (an empty key value: none, for a nullable key)."""
    raw_value, sep, raw_id = cursor.rpartition("~")
    try:
        # A NUL cannot be in any key (PostgreSQL text cannot hold one): such a cursor was never ours.
        if not sep or "\x00" in cursor:
            raise ValueError
        value, last_id = _parse_value(raw_value, key_kind, nullable), int(raw_id)
        if not 0 < last_id < 2**63:
            raise ValueError
    except (ValueError, OverflowError):
        raise BadCursor(f"Not a valid page cursor: {cursor[:40]!r}.") from None
    return value, last_id


def format_cursor(key_value, pk) -> str:
    return f"{_format_value(key_value)}~{pk}"


def keyset_page(
    queryset, cursor: str | None, size: int, key: str, key_kind: str, descending: bool, nullable: bool = False
) -> KeysetPage:
    """One page of `queryset` ordered by (key, id), both descending or both ascending, after the cursor."""
    queryset = queryset.order_by(*keyset_order(key, descending=descending, nullable=nullable))
    if cursor:
        after = parse_cursor(cursor, key_kind, nullable)
        queryset = after_key(queryset, key, after, descending=descending, nullable=nullable)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = format_cursor(getattr(last, key), last.pk)
    return KeysetPage(items=rows, next_cursor=next_cursor)
