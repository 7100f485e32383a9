"""The exports of public lists as CSV and JSON (columns.py, lists.py), and the formats of their own: OCDS, the
staff calendar (ics.py) and whole-database archives."""

import csv
import gc
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone

from records.exports.columns import Column, Export, Links, Order, Reader
from records.models.procurements import Spend

# CSV lines sent to the client at a time: a few hundred KB.
CSV_LINES = 1_000


def export_for(absolute: Callable[[str], str], reader) -> Export:
    return Export(links=Links(absolute), reader=reader, today=timezone.localdate())


def csv_lines(columns: list[Column], queryset, order: Order, export: Export) -> Iterator[str]:
    """The CSV of every row of `queryset` in `order`: the header line, then CSV_LINES lines at a time."""
    header = io.StringIO()
    csv.writer(header).writerow([name for column in columns for name in column.headers()])
    yield header.getvalue()
    reader = Reader(columns, export)
    batches = reader.batches(queryset, order)
    while True:
        # A batch is some 100,000 new objects (rows, links, cells), all alive until it is written: the cyclic
        # garbage collector, run over and over while they are made, found nothing to free and took a fifth of a
        # 10,000-row export. It is paused while a batch is read and made into lines, never across a yield.
        with collection_paused():
            batch = next(batches, None)
            if batch is None:
                return
            lines = list(reader.csv_lines(batch))
        for start in range(0, len(lines), CSV_LINES):
            yield "\r\n".join(lines[start : start + CSV_LINES]) + "\r\n"


@contextmanager
def collection_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def csv_response(columns: list[Column], queryset, order: Order, export: Export, filename: str):
    response = StreamingHttpResponse(
        csv_lines(columns, queryset, order, export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_items(columns: list[Column], rows: list[list]) -> list[dict]:
    names = [column.name for column in columns]
    return [dict(zip(names, values, strict=True)) for values in rows]


def json_response(
    columns: list[Column], rows: list[list], count: int | None, next_url: str | None, extra: dict | None = None
) -> JsonResponse:
    """A list's page of rows; `extra` adds what the list's page states beside its rows (e.g. `spend`)."""
    payload = {"count": count, "next": next_url} | (extra or {}) | {"results": json_items(columns, rows)}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def spend_json(spend: Spend) -> dict:
    """A known-spend figure as the JSON of a page that states it: the same figures the page's sentence gives.
    The total is decimal text, exact, as a list's `amount` is."""
    return {
        "total": None if spend.total is None else str(spend.total),
        "currency": spend.currency,
        "with_amount": spend.with_amount,
        "without_amount": spend.without_amount,
        "other_currency": spend.other_currency,
        "frameworks": spend.frameworks,
        "first_signed": spend.first_signed.isoformat() if spend.first_signed else None,
        "last_signed": spend.last_signed.isoformat() if spend.last_signed else None,
    }


def link(obj, absolute) -> dict | None:
    """{"name", "url"} of a record, as a `link` column gives it, for JSON written from model instances."""
    if obj is None:
        return None
    return {"name": str(obj), "url": absolute(obj.get_absolute_url())}
