"""One field list per entity, shared by the CSV and JSON exports.

A field gives a JSON value and one or two CSV cells: a foreign key becomes a name column and a URL
column, a many-to-many becomes "; "-joined names and URLs.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import JsonResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Field:
    name: str
    value: Callable  # (obj, absolute) -> JSON value; absolute turns a path into a full URL
    kind: str = "plain"  # plain | link (a {name, url} or None) | links (a list of them)

    def headers(self) -> list[str]:
        if self.kind == "plain":
            return [self.name]
        return [self.name, f"{self.name}_url"]

    def cells(self, json_value) -> list:
        if self.kind == "plain":
            if isinstance(json_value, list):
                return ["; ".join(str(v) for v in json_value)]
            return [json_value]
        if self.kind == "link":
            return [json_value["name"], json_value["url"]] if json_value else ["", ""]
        return ["; ".join(v["name"] for v in json_value), "; ".join(v["url"] for v in json_value)]


def link(obj, absolute) -> dict | None:
    if obj is None:
        return None
    return {"name": str(obj), "url": absolute(obj.get_absolute_url())}


def links(objects, absolute) -> list[dict]:
    return [link(obj, absolute) for obj in objects]


def item(fields: list[Field], obj, absolute) -> dict:
    return {field.name: field.value(obj, absolute) for field in fields}


class _Echo:
    def write(self, value):
        return value


def csv_response(fields: list[Field], objects: Iterable, absolute, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([header for field in fields for header in field.headers()])
        for obj in objects:
            cells = [cell for field in fields for cell in field.cells(field.value(obj, absolute))]
            yield writer.writerow([neutralise(cell) for cell in cells])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(fields: list[Field], objects: Iterable, absolute, count: int | None, next_url: str | None):
    payload = {"count": count, "next": next_url, "results": [item(fields, obj, absolute) for obj in objects]}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _date(value):
    return value.isoformat() if value else None


def _url(obj, absolute):
    return absolute(obj.get_absolute_url())


def _sources(event, absolute) -> list[dict]:
    sources = []
    for source in event.source_list:
        document_url = None
        if source.document_id:
            document_url = absolute(source.document.get_absolute_url())
            if source.page:
                document_url += f"#page-{source.page}"
        sources.append(
            {"label": source.label, "url": source.url or None, "document": document_url, "page": source.page}
        )
    return sources


AGENCY_FIELDS = [
    Field("url", _url),
    Field("name", lambda a, _: a.name),
    Field("state", lambda a, _: a.jurisdiction.state),
    Field("kind", lambda a, _: a.kind),
    Field("level", lambda a, _: a.jurisdiction.level),
    Field("jurisdiction", lambda a, _: str(a.jurisdiction)),
    Field("ori", lambda a, _: a.ori),
    Field("latitude", lambda a, _: a.latitude),
    Field("longitude", lambda a, _: a.longitude),
]

VENDOR_FIELDS = [
    Field("url", _url),
    Field("name", lambda v, _: v.name),
    Field("aliases", lambda v, _: [alias.name for alias in v.aliases.all()]),
    Field("website", lambda v, _: v.website),
    Field("agency_count", lambda v, _: getattr(v, "agency_count", None)),
]

TECHNOLOGY_FIELDS = [
    Field("url", _url),
    Field("name", lambda t, _: t.name),
    Field("agency_count", lambda t, _: getattr(t, "agency_count", None)),
    Field("event_count", lambda t, _: getattr(t, "event_count", None)),
]

TIMELINE_FIELDS = [
    Field("url", _url),
    Field("date", lambda e, _: _date(e.date)),
    Field("date_precision", lambda e, _: e.date_precision),
    Field("display_date", lambda e, _: e.display_date),
    Field("kind", lambda e, _: e.kind),
    Field("title", lambda e, _: e.title),
    Field("summary", lambda e, _: e.summary),
    Field("illustrative", lambda e, _: e.is_illustrative),
    Field("agency", lambda e, absolute: link(e.agency, absolute), kind="link"),
    Field("state", lambda e, _: e.agency.jurisdiction.state if e.agency else None),
    Field("vendors", lambda e, absolute: links(e.vendor_list, absolute), kind="links"),
    Field("technologies", lambda e, absolute: links(e.technology_list, absolute), kind="links"),
    Field("sources", _sources),
]

PROCUREMENT_FIELDS = [
    Field("url", _url),
    Field("title", lambda p, _: p.title),
    Field("agency", lambda p, absolute: link(p.agency, absolute), kind="link"),
    Field("state", lambda p, _: p.agency.jurisdiction.state),
    Field("vendor", lambda p, absolute: link(p.vendor, absolute), kind="link"),
    Field("product", lambda p, _: p.product.name if p.product else None),
    Field("kind", lambda p, _: p.kind),
    Field("status", lambda p, _: p.status),
    Field("amount", lambda p, _: str(p.amount) if p.amount is not None else None),
    Field("currency", lambda p, _: p.currency),
    Field("signed_on", lambda p, _: _date(p.signed_on)),
    Field("start_on", lambda p, _: _date(p.start_on)),
    Field("end_on", lambda p, _: _date(p.end_on)),
    Field("reference_number", lambda p, _: p.reference_number),
    Field("source_url", lambda p, _: p.source_url),
]

REQUEST_FIELDS = [
    Field("url", _url),
    Field("agency", lambda r, absolute: link(r.agency, absolute), kind="link"),
    Field("state", lambda r, _: r.agency.jurisdiction.state),
    Field("requester", lambda r, _: r.public_requester),
    Field("tracking_number", lambda r, _: r.tracking_number),
    Field("subject", lambda r, _: r.subject),
    Field("status", lambda r, _: r.status),
    Field("filed_on", lambda r, _: _date(r.filed_on)),
    Field("due_on", lambda r, _: _date(r.due_on)),
    Field("closed_on", lambda r, _: _date(r.closed_on)),
    Field("overdue", lambda r, _: r.is_overdue),
]

DOCUMENT_FIELDS = [
    Field("url", _url),
    Field("title", lambda d, _: d.title),
    Field("kind", lambda d, _: d.kind),
    Field("date", lambda d, _: _date(d.date)),
    Field("agency", lambda d, absolute: link(d.agency, absolute), kind="link"),
    Field("request", lambda d, absolute: link(d.request, absolute), kind="link"),
    Field("excerpt", lambda d, _: d.is_excerpt),
    Field("source_url", lambda d, _: d.source_url),
    Field("sha256", lambda d, _: d.sha256),
]
