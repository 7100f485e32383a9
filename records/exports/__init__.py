"""The exports of public lists as CSV and JSON (columns.py, lists.py), and the formats of their own: OCDS, the
staff calendar (ics.py) and whole-database archives."""

import csv
from collections.abc import Callable, Iterator

from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone

from records.exports.columns import Column, Export, Links, Order, Reader, csv_cells

# CSV lines sent to the client at a time: a few hundred KB.
CSV_LINES = 1_000


class _Lines:
    """A file-like object for csv.writer that hands back each line it is given."""

    def write(self, line: str) -> str:
        return line


def export_for(absolute: Callable[[str], str], reader) -> Export:
    return Export(links=Links(absolute), reader=reader, today=timezone.localdate())


def csv_lines(columns: list[Column], queryset, order: Order, export: Export) -> Iterator[str]:
    """The CSV of every row of `queryset` in `order`: the header line, then the rows a batch of lines at a time."""
    writer = csv.writer(_Lines())
    cells = [csv_cells(column) for column in columns]
    yield writer.writerow([header for column in columns for header in column.headers()])
    for batch in Reader(columns, export).batches(queryset, order):
        lines = []
        for values in batch:
            row = [cell for write, value in zip(cells, values, strict=True) for cell in write(value)]
            lines.append(writer.writerow(row))
            if len(lines) == CSV_LINES:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)


def csv_response(columns: list[Column], queryset, order: Order, export: Export, filename: str):
    response = StreamingHttpResponse(
        csv_lines(columns, queryset, order, export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_items(columns: list[Column], rows: list[list]) -> list[dict]:
    names = [column.name for column in columns]
    return [dict(zip(names, values, strict=True)) for values in rows]


def json_response(columns: list[Column], rows: list[list], count: int | None, next_url: str | None) -> JsonResponse:
    payload = {"count": count, "next": next_url, "results": json_items(columns, rows)}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def link(obj, absolute) -> dict | None:
    """{"name", "url"} of a record, as a `link` column gives it, for JSON written from model instances."""
    if obj is None:
        return None
    return {"name": str(obj), "url": absolute(obj.get_absolute_url())}
