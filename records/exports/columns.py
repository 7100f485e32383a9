"""Exports as column lists: one list per entity, read as plain tuples, written as CSV and as JSON.

A column names the values() paths it reads from each row and how they become its JSON value; its kind says
how that JSON value is written in CSV:

- `value`: one cell (a list of texts joined by "; ");
- `link`: {"name", "url"} or None, written as two cells, `<name>` and `<name>_url`;
- `links`: a list of links, written as two cells, the names and the URLs, each joined by "; ";
- `parts`: a list of records with the keys `parts`, one cell per key (`<name>`, then `<name>_<key>`), each
  joined by "; " so that the n-th item of every cell belongs to the same record.

A column of related rows (an entry's vendors or sources, or the record a foreign key names) reads only a key
from the row: the row's id, or its one path (a foreign key). Its values come from one query per batch of rows
(`related`, given the batch's distinct keys), whatever the batch's size, and no join widens the rows' query.
Rows are read by keyset batch in the list's order, so an export of a million rows holds one batch in memory.

A column builds its per-row function once per export (`value(export)`), so that per-export constants (the
reader, today's date, URL patterns) are looked up once, not once a row.
"""

import csv
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

from django.urls import reverse

from records.links import detail_url_parts
from records.models.keyset import after_key, keyset_order

# Rows read from the database at a time, and the related rows fetched for them in one query each.
BATCH = 10_000


class Links:
    """Absolute URLs of detail pages for one export: each a pattern's absolute head and tail (records/links.py)
    filled in by formatting, without a call to reverse() per link."""

    def __init__(self, absolute: Callable[[str], str]):
        self.absolute = absolute

    def detail(self, name: str) -> Callable[[object], str]:
        parts = detail_url_parts(name)
        if parts is None:
            return lambda value: self.absolute(reverse(name, args=[value]))
        head, tail = self.absolute(parts[0]), parts[1]
        return lambda value: f"{head}{value}{tail}"


@dataclass(frozen=True)
class Export:
    """What one export is written for: absolute URLs, the reader (what a row links to may be hidden from them),
    and today (what is overdue)."""

    links: Links
    reader: Any
    today: datetime.date


@dataclass(frozen=True)
class Column:
    name: str
    paths: tuple[str, ...] = ()
    # (export) -> (*the paths' values) -> JSON value; None gives the single path's value as it is.
    value: Callable | None = None
    kind: str = "value"
    parts: tuple[str, ...] = ()
    # (keys, export) -> {key: JSON value}: the values of a column of related rows for a batch's distinct keys (its
    # one path's values, or the rows' ids when it has no path).
    related: Callable | None = None
    empty: Any = None  # the JSON value of a row the related query has nothing for
    # Its values repeat from row to row (dates, kinds, agencies): each distinct value's cells are made once per
    # batch, not once per row.
    repeats: bool = False

    def headers(self) -> list[str]:
        if self.kind == "value":
            return [self.name]
        if self.kind == "parts":
            return [self.name, *(f"{self.name}_{part}" for part in self.parts[1:])]
        return [self.name, f"{self.name}_url"]


# JSON values from path values. Each is a factory taking the export, so that a column can bind what it needs.


def iso_date(export: Export) -> Callable:
    return lambda value: value.isoformat() if value else None


def url_to(pattern: str) -> Callable:
    """The absolute URL of a row's detail page, from its key (slug or id)."""
    return lambda export: export.links.detail(pattern)


def link_to(pattern: str) -> Callable:
    """{"name", "url"} from a (name, key) pair of paths, or None where the key is empty (no such record)."""

    def bind(export: Export) -> Callable:
        url = export.links.detail(pattern)
        return lambda name, key: None if key is None else {"name": name, "url": url(key)}

    return bind


# CSV cells from JSON values.

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Stop spreadsheets from running a text cell as a formula (CSV injection). Numbers are not text: a
    longitude of -122.99 stays a number."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def listed(texts) -> str:
    """Items joined by "; ", an item's own "; " written ";" so that splitting a cell at "; " gives back its items
    (the n-th of one cell then belongs with the n-th of the next: a name and its URL)."""
    return "; ".join(text.replace("; ", ";") for text in texts)


def _text_cell(value) -> Any:
    """A `value` column's cell: text made safe, a list of texts joined, a number as it is."""
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, Decimal)):
        return value
    if isinstance(value, list):
        return neutralise(listed(value))
    return neutralise(str(value))


def _parts_cell(items: list[dict], part: str) -> str:
    """One `parts` cell: empty places kept so that the n-th item of each cell is the n-th record's; a part that
    none of the records has is an empty cell."""
    texts = [item[part] or "" for item in items]
    return neutralise(listed(str(text) for text in texts)) if any(texts) else ""


def csv_cells(column: Column) -> Callable[[Any], Any]:
    """The function that turns a JSON value of `column` into its CSV cell, or for a column of several cells
    (`link`, `links`, `parts`) into a tuple of them. One cell is a string or a number, not a tuple: a 10,000-row
    export then builds 100,000 fewer objects for the garbage collector to walk."""
    if column.kind == "value":
        return _text_cell
    if column.kind == "link":
        # A record without a page of its own (an organisation) has a name and no URL.
        return lambda value: ("", "") if value is None else (neutralise(value["name"]), value["url"] or "")
    if column.kind == "links":
        return lambda value: (neutralise(listed(v["name"] for v in value)), listed(v["url"] for v in value))
    if column.kind == "parts":
        return lambda value: tuple(_parts_cell(value, part) for part in column.parts)
    raise ValueError(f"Unknown column kind {column.kind!r}.")


class _Written(list):
    """A file-like object for csv.writer that keeps what it is given."""

    write = list.append


def cell_writer() -> Callable[[Any], str]:
    """A cell as csv.writer writes it in a row. csv.writer reads every character of every cell (13 ns each: 60 ms
    for a 10,000-row timeline, 0.9 s for 300,000 documents), while a cell without a comma, a quote or a line
    break is written as it is. So only cells with one of those go through csv.writer, which quotes them; the
    others are written as they are (tests/test_exports.py holds the two ways to the same bytes)."""
    written = _Written()
    writer = csv.writer(written)

    def write(cell) -> str:
        text = cell if type(cell) is str else str(cell)
        if "," in text or '"' in text or "\n" in text or "\r" in text:
            writer.writerow((text, ""))  # two cells: a row of one empty cell is written as ""
            return written.pop()[:-3]  # less the separator, the empty cell and the line end
        return text

    return write


def csv_texts(column: Column, write: Callable[[Any], str]) -> Callable[[Any], Any]:
    """The function that turns a JSON value of `column` into its cell as written, or a tuple of them."""
    if column.kind == "value":
        # One call a cell, not three (made safe, made text, written): a 100,000-row list has half a million.
        def value_cell(value) -> str:
            if type(value) is str:
                if value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                if "," in value or '"' in value or "\n" in value or "\r" in value:
                    return write(value)
                return value
            return write(_text_cell(value))

        return value_cell
    cells = csv_cells(column)
    return lambda value: tuple(map(write, cells(value)))


# Reading rows.


@dataclass(frozen=True)
class Order:
    """A list's order: by `key`, then id, both descending or both ascending."""

    key: str
    descending: bool = True
    nullable: bool = False  # rows without a key come last (records/models/keyset.py)

    def apply(self, queryset):
        return queryset.order_by(*keyset_order(self.key, descending=self.descending, nullable=self.nullable))

    def after(self, queryset, after: tuple):
        return after_key(queryset, self.key, after, descending=self.descending, nullable=self.nullable)


@dataclass
class Batch:
    """Rows as read (tuples of the columns' paths, then the key and the id) and the related columns' values."""

    rows: list[tuple]
    related: dict[int, dict]  # column index -> {key: JSON value}


class Reader:
    """The rows of a queryset, batch by batch, as the JSON values or the CSV cells of `columns`."""

    def __init__(self, columns: list[Column], export: Export):
        self.columns, self.export = columns, export
        self.paths = list(dict.fromkeys(path for column in columns for path in column.paths))
        self.where = [tuple(self.paths.index(path) for path in column.paths) for column in columns]
        self.values = [self._value(column, where) for column, where in zip(columns, self.where, strict=True)]
        # What a row is looked up by: its paths' values (a related column: its foreign key, or the row's id).
        self.keys = [itemgetter(*where) if where else itemgetter(-1) for where in self.where]
        self.write_cell = cell_writer()

    def _value(self, column: Column, where: tuple) -> Callable | None:
        """The function from a row to the column's JSON value (None for a related column)."""
        if column.related is not None:
            return None
        value = column.value(self.export) if column.value else None
        if value is None:
            (index,) = where
            return itemgetter(index)
        if len(where) == 1:
            (index,) = where
            return lambda row: value(row[index])
        values_of = itemgetter(*where)
        return lambda row: value(*values_of(row))

    def _read(self, rows: list[tuple]) -> Batch:
        related = {}
        for index, column in enumerate(self.columns):
            if column.related is not None:
                # Asked even for no keys, so that an export's queries are as many whatever its rows.
                keys = sorted({key for key in map(self.keys[index], rows) if key is not None})
                related[index] = column.related(keys, self.export)
        return Batch(rows, related)

    def json_rows(self, batch: Batch) -> list[list]:
        """Each row's JSON values, in column order."""
        out = []
        for row in batch.rows:
            values = [value(row) if value else None for value in self.values]
            for index, found in batch.related.items():
                values[index] = found.get(self.keys[index](row), self.columns[index].empty)
            out.append(values)
        return out

    def csv_lines(self, batch: Batch) -> Iterator[str]:
        """Each row's CSV line (without its line end), computed column by column: a repeating column's cells once
        per distinct value, a related column's once per distinct object of the batch (rows with the same tags
        share one list)."""
        cells_by_column: list[list] = []
        for index, column in enumerate(self.columns):
            cells = csv_texts(column, self.write_cell)
            if column.related is not None:
                by_value: dict[int, Any] = {}  # cells by the identity of the related value
                by_key: dict[Any, Any] = {}
                for key, value in batch.related[index].items():
                    if id(value) not in by_value:
                        by_value[id(value)] = cells(value)
                    by_key[key] = by_value[id(value)]
                keys = map(self.keys[index], batch.rows)
                per_row = list(map(by_key.get, keys, repeat(cells(column.empty), len(batch.rows))))
            elif column.repeats:
                keys = list(map(self.keys[index], batch.rows))
                value = self.values[index]
                # One row per distinct key: any row with the key gives the same cells.
                written = {key: cells(value(row)) for key, row in dict(zip(keys, batch.rows, strict=True)).items()}
                per_row = list(map(written.__getitem__, keys))
            else:
                per_row = list(map(cells, map(self.values[index], batch.rows)))
            if column.kind == "value":
                cells_by_column.append(per_row)
            else:
                cells_by_column.extend(zip(*per_row, strict=True) if per_row else [()] * len(column.headers()))
        return map(",".join, zip(*cells_by_column, strict=True))

    def batches(self, queryset, order: Order) -> Iterator[Batch]:
        """Every row of `queryset` in `order`, by keyset batch: each batch's query starts where the last one ended,
        on the list's index."""
        queryset = order.apply(queryset).values_list(*self.paths, order.key, "pk")
        after = None
        while True:
            page = order.after(queryset, after) if after else queryset
            rows = list(page[:BATCH])
            if not rows:
                return
            yield self._read(rows)
            if len(rows) < BATCH:
                return
            after = rows[-1][-2], rows[-1][-1]

    def page(self, queryset, order: Order, *, after=None, size: int) -> tuple[list[list], tuple | None]:
        """One page of rows (as JSON values) from the key `after` on, and the (key, id) the next page starts
        after, or None if this is the last."""
        queryset = order.apply(queryset).values_list(*self.paths, order.key, "pk")
        page = order.after(queryset, after) if after else queryset
        rows = list(page[: size + 1])
        more, rows = len(rows) > size, rows[:size]
        return self.json_rows(self._read(rows)), ((rows[-1][-2], rows[-1][-1]) if more else None)
