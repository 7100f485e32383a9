"""Keyset pagination: the next page starts after the last row seen, so page 1,000 costs what page 1 does."""

import datetime
from dataclasses import dataclass

from django.db.models import Q


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


def keyset_page(queryset, cursor: str | None, size: int, key: str, key_kind: str, descending: bool) -> KeysetPage:
    """One page of `queryset` ordered by (key, id), both descending or both ascending.

    The cursor is "<key value>~<id>". The extra `key <= value` condition lets the index scan start at
    the cursor: with the OR alone PostgreSQL may walk from the first row down.
    """
    direction = "-" if descending else ""
    queryset = queryset.order_by(f"{direction}{key}", f"{direction}id")
    if cursor:
        raw_value, sep, raw_id = cursor.rpartition("~")
        try:
            if not sep:
                raise ValueError
            value, last_id = _parse_value(raw_value, key_kind), int(raw_id)
            if not 0 < last_id < 2**63:
                raise ValueError
        except (ValueError, OverflowError):
            raise BadCursor(f"Not a valid page cursor: {cursor[:40]!r}.") from None
        op, strict = ("lte", "lt") if descending else ("gte", "gt")
        queryset = queryset.filter(**{f"{key}__{op}": value}).filter(
            Q(**{f"{key}__{strict}": value}) | Q(**{key: value, f"id__{strict}": last_id})
        )
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = f"{_format_value(getattr(last, key))}~{last.pk}"
    return KeysetPage(items=rows, next_cursor=next_cursor)
