"""One field list per entity, shared by the CSV and JSON exports.

A field gives a JSON value and one or more CSV cells: a foreign key becomes a name column and a URL
column, a many-to-many becomes "; "-joined names and URLs, and a list of records with several parts (an
entry's sources) becomes one "; "-joined column per part, the n-th item of each column from the same record.

The CSV of a list may run to tens of thousands of rows, and a model instance per row, with its prefetched
relations and links, cost about 0.4 ms a row. So a list's field list also carries `csv_rows`: the same cells
from plain tuples, one query for the rows and one per many-to-many relation however many rows there are.
tests/test_exports.py holds the two to the same bytes.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import batched

from django.db.models import BooleanField, Expression, F
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from records.links import detail_url_parts
from records.models import EventSource, Level, TimelineEvent, VendorAlias
from records.models.requests import TERMINAL_STATUSES
from records.models.timeline import format_date
from records.models.visibility import VisibleQuerySet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass(frozen=True)
class Field:
    name: str
    value: Callable  # (obj, absolute) -> JSON value; absolute turns a path into a full URL
    kind: str = "plain"  # plain | link (a {name, url} or None) | links (a list of them) | parts (see `parts`)
    # For kind "parts": the keys of each item of the JSON list, one CSV column each: the first is named as the
    # field, the others `<field>_<key>`.
    parts: tuple[str, ...] = ()

    def headers(self) -> list[str]:
        if self.kind == "plain":
            return [self.name]
        if self.kind == "parts":
            return [self.name, *(f"{self.name}_{part}" for part in self.parts[1:])]
        return [self.name, f"{self.name}_url"]

    def cells(self, json_value) -> list:
        if self.kind == "plain":
            if isinstance(json_value, list):
                return ["; ".join(str(v) for v in json_value)]
            return [json_value]
        if self.kind == "link":
            return [json_value["name"], json_value["url"]] if json_value else ["", ""]
        if self.kind == "parts":
            return [_joined([str(item[part] or "") for item in json_value]) for part in self.parts]
        return [_listed(v["name"] for v in json_value), _listed(v["url"] for v in json_value)]


def _listed(texts) -> str:
    """Items joined by "; ", the n-th item of one column belonging with the n-th of the next (a name and its URL).
    An item's own "; " is written ";", so that splitting a cell at "; " gives back its items."""
    return "; ".join(text.replace("; ", ";") for text in texts)


def _joined(texts: list[str]) -> str:
    """A `parts` column: its items `_listed`, empty places kept so that the n-th item of each column is the n-th
    record's; a column none of whose records has that part is an empty cell."""
    return _listed(texts) if any(texts) else ""


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


class Fields(list):
    """A field list, and `csv_rows(queryset, links, reader)`: the CSV lines of every row of the ordered queryset, in
    order, exactly as `csv_response` writes them from model instances, but read as plain tuples."""

    def __init__(self, fields: list[Field], csv_rows: Callable | None = None):
        super().__init__(fields)
        self.csv_rows = csv_rows


class Links:
    """Absolute URLs of detail pages for one export: each a pattern's absolute head and tail (records/links.py)
    filled in by formatting, without a function call per link."""

    def __init__(self, absolute):
        self.absolute = absolute

    def detail(self, name: str) -> Callable[[object], str]:
        parts = detail_url_parts(name)
        if parts is None:
            return lambda value: self.absolute(reverse(name, args=[value]))
        head, tail = self.absolute(parts[0]), parts[1]
        return lambda value: f"{head}{value}{tail}"


def _cell(value) -> str:
    """A value's CSV cell exactly as `neutralise` and then csv.writer (minimal quoting) write it. The writer
    reads every character of every cell one by one: with it, writing took as long as the queries."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):  # as neutralise(), without a second call per cell
        text = "'" + text
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return f'"{text}"'
    return text


def _line(values) -> str:
    """A CSV line of two cells or more, as csv.writer writes it (a row of one empty cell it writes as "")."""
    return ",".join([_cell(value) for value in values]) + "\r\n"


# Lines sent to the client at a time: a few hundred KB.
CSV_BATCH = 1_000
# Rows fetched from the database at a time (through a server-side cursor on PostgreSQL).
FETCH_CHUNK = 10_000


def list_csv_response(fields: list[Field], queryset, absolute, filename: str, reader) -> StreamingHttpResponse:
    """The CSV of a list: the rows of the filtered and ordered `queryset`, from plain tuples if `fields` can;
    `reader` is the user the list is for (what a row links to may be hidden from them)."""
    csv_rows = getattr(fields, "csv_rows", None)
    if csv_rows is None:
        # Large chunks: each costs a query per prefetched relation.
        return csv_response(fields, queryset.iterator(chunk_size=FETCH_CHUNK), absolute, filename)
    header = io.StringIO()
    csv.writer(header).writerow([name for field in fields for name in field.headers()])
    lines = csv_rows(queryset.prefetch_related(None), Links(absolute), reader)

    def chunks():
        yield header.getvalue()
        for batch in batched(lines, CSV_BATCH):
            yield "".join(batch)

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(fields: list[Field], objects: Iterable, absolute, count: int | None, next_url: str | None):
    payload = {"count": count, "next": next_url, "results": [item(fields, obj, absolute) for obj in objects]}
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def _date(value):
    return value.isoformat() if value else None


def _url(obj, absolute):
    return absolute(obj.get_absolute_url())


def _source(label, url, document_url, page) -> dict:
    return {"label": label, "url": url or None, "document": document_url, "page": page}


def _cited(document_url: str, page) -> str:
    return document_url + (f"#page-{page}" if page else "")


def _sources(event, absolute) -> list[dict]:
    """An entry's sources. A cited document the reader may not see (TimelineEvent.objects.for_display() says
    which) gives neither its URL nor its page: even a URL that answers 404 says that the document exists."""
    sources = []
    for source in event.source_list:
        document = source.shown_document
        document_url = _cited(absolute(document.get_absolute_url()), source.page) if document else None
        sources.append(_source(source.label, source.url, document_url, source.page if document else None))
    return sources


# The CSV lines of whole lists from plain tuples (Fields.csv_rows). Each function writes the cells its field
# list gives, in the same order. The related rows of a list come from one query per relation over the same
# filtered rows (a subquery), grouped by their owner in dicts.


def _link_cells(name, url: Callable, value) -> tuple:
    """The two cells of a `link` field, for an object with this name and URL value, or for none."""
    return ("", "") if value is None else (name, url(value))


def _tag_cells(rows, url: Callable) -> dict[int, str]:
    """From (owner id, name, slug) rows in name order: each owner's two cells of a `links` field, the
    "; "-joined names and URLs, as one string."""
    tags: dict[int, list] = {}
    for owner, name, slug in rows:
        tags.setdefault(owner, []).append((name, slug))
    cells: dict[tuple, str] = {}  # owners with the same tags share one string
    for owner, pairs in tags.items():
        key = tuple(pairs)
        if key not in cells:
            names = _listed(name for name, _ in pairs)
            cells[key] = f"{_cell(names)},{_cell(_listed(url(slug) for _, slug in pairs))}"
        tags[owner] = cells[key]
    return tags


def _source_cells(sources, document_url: Callable) -> dict[int, str]:
    """Each entry's three sources cells (labels, URLs, cited documents), as `_sources` and the field give them,
    from (entry id, label, URL, document id, page, whether the reader may see the document) rows."""
    parts: dict[int, tuple[list, list, list]] = {}
    for event, label, url, document, page, shown in sources:
        labels, urls, documents = parts.setdefault(event, ([], [], []))
        labels.append(label)
        urls.append(url)
        documents.append(_cited(document_url(document), page) if document and shown else "")
    return {
        event: ",".join(_cell(_joined(texts)) for texts in (labels, urls, documents))
        for event, (labels, urls, documents) in parts.items()
    }


class _AmongIds(Expression):
    """`column IN (ids)`, sent to PostgreSQL as `column = ANY(array)`: one parameter instead of 10,000, which
    took a related-rows query of a 10,000-row export from 150 to 55 ms on a million entries."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]):
        super().__init__()
        self.column, self.ids = F(column), list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        return f"{sql} = ANY(%s)", (*params, self.ids)


def _event_related_cells(ids: list[int], links: Links, reader) -> tuple[dict, dict, dict]:
    """The vendors, technologies and sources cells of these entries, as `reader` may see them: one query each."""
    vendors = _tag_cells(
        TimelineEvent.vendors.through.objects.filter(_AmongIds("timelineevent_id", ids))
        .order_by("vendor__name", "vendor_id")
        .values_list("timelineevent_id", "vendor__name", "vendor__slug"),
        links.detail("vendor-detail"),
    )
    technologies = _tag_cells(
        TimelineEvent.technologies.through.objects.filter(_AmongIds("timelineevent_id", ids))
        .order_by("technology__name", "technology_id")
        .values_list("timelineevent_id", "technology__name", "technology__slug"),
        links.detail("technology-detail"),
    )
    sources = _source_cells(
        EventSource.objects.filter(_AmongIds("event_id", ids))
        .annotate(document_shown=VisibleQuerySet.shown_to(reader, "document__"))
        .order_by("id")
        .values_list("event_id", "label", "url", "document_id", "page", "document_shown"),
        links.detail("document-detail"),
    )
    return vendors, technologies, sources


class _EventLines:
    """The CSV lines of timeline entries, batch by batch. Most cells repeat from row to row (dates, kinds,
    agencies): each distinct value is written once per export."""

    def __init__(self, links: Links, reader):
        self.links, self.reader = links, reader
        event_url = links.detail("event-detail")
        self.agency_url = links.detail("agency-detail")
        # An entry's URL differs from another's by digits only: if one is a plain cell, all are.
        self.url_cell = event_url if _cell(event_url(1)) == event_url(1) else lambda pk: _cell(event_url(pk))
        self.dates: dict[tuple, str] = {}
        self.kinds: dict[str, str] = {}
        self.agencies: dict[tuple, str] = {}

    def of_batch(self, batch) -> Iterator[str]:
        vendors, technologies, sources = _event_related_cells([row[0] for row in batch], self.links, self.reader)
        dates, kinds, agencies, url_cell = self.dates, self.kinds, self.agencies, self.url_cell
        for pk, date, precision, kind, title, summary, illustrative, agency, slug, state in batch:
            if (when := dates.get((date, precision))) is None:
                texts = (_date(date), precision, format_date(date, precision))
                when = dates[date, precision] = ",".join(map(_cell, texts))
            if (kind_cell := kinds.get(kind)) is None:
                kind_cell = kinds[kind] = _cell(kind)
            if (agency_cells := agencies.get((slug, state))) is None:
                texts = (*_link_cells(agency, self.agency_url, slug), state)
                agency_cells = agencies[slug, state] = ",".join(map(_cell, texts))
            yield (
                f"{url_cell(pk)},{when},{kind_cell},{_cell(title)},{_cell(summary)},{illustrative},{agency_cells},"
                f"{vendors.get(pk, ',')},{technologies.get(pk, ',')},{sources.get(pk, ',,')}\r\n"
            )


def _event_csv_rows(events, links: Links, reader) -> Iterator[str]:
    lines = _EventLines(links, reader)
    rows = events.values_list(
        "pk", "date", "date_precision", "kind", "title", "summary", "is_illustrative",
        "agency__name", "agency__slug", "state",
    )  # fmt: skip
    # The related rows come per batch of entries, so memory follows the batch, not the export (a national
    # export has a million entries), and a slow filter runs once, not once per relation.
    for batch in batched(rows.iterator(chunk_size=FETCH_CHUNK), FETCH_CHUNK):
        yield from lines.of_batch(batch)


def _agency_csv_rows(agencies, links: Links, reader) -> Iterator[str]:
    agency_url = links.detail("agency-detail")
    rows = agencies.values_list(
        "slug", "name", "jurisdiction__state", "kind", "jurisdiction__level", "jurisdiction__name", "ori",
        "latitude", "longitude",
    )  # fmt: skip
    for slug, name, state, kind, level, place, ori, latitude, longitude in rows.iterator(chunk_size=FETCH_CHUNK):
        # str(jurisdiction), as Jurisdiction.__str__ gives it.
        jurisdiction = f"{place}, {state}" if level in {Level.COUNTY, Level.CITY} and state else place
        yield _line((agency_url(slug), name, state, kind, level, jurisdiction, ori, latitude, longitude))


def _vendor_csv_rows(vendors, links: Links, reader) -> Iterator[str]:
    # Every alias, not only the listed vendors': a few hundred at most, where the listed vendors as a subquery
    # would count each vendor's agencies a second time.
    aliases: dict[int, str] = {}
    for vendor, alias in VendorAlias.objects.order_by("name", "id").values_list("vendor_id", "name"):
        aliases[vendor] = f"{aliases[vendor]}; {alias}" if vendor in aliases else alias
    vendor_url = links.detail("vendor-detail")
    # The list annotates each vendor's agency count; without it the field gives None.
    count = ["agency_count"] if "agency_count" in vendors.query.annotations else []
    for pk, slug, name, website, *agency_count in vendors.values_list("pk", "slug", "name", "website", *count):
        yield _line((vendor_url(slug), name, aliases.get(pk, ""), website, agency_count[0] if count else None))


def _procurement_csv_rows(procurements, links: Links, reader) -> Iterator[str]:
    procurement_url, agency_url = links.detail("procurement-detail"), links.detail("agency-detail")
    vendor_url = links.detail("vendor-detail")
    rows = procurements.values_list(
        "pk", "title", "agency__name", "agency__slug", "state", "vendor__name",
        "vendor__slug", "product__name", "kind", "status", "amount", "currency", "signed_on", "start_on",
        "end_on", "reference_number", "source_url",
    )  # fmt: skip
    for (
        pk, title, agency, agency_slug, state, vendor, vendor_slug, product, kind, status, amount, currency,
        signed_on, start_on, end_on, reference_number, source_url,
    ) in rows.iterator(chunk_size=FETCH_CHUNK):  # fmt: skip
        yield _line((
            procurement_url(pk), title, *_link_cells(agency, agency_url, agency_slug), state,
            *_link_cells(vendor, vendor_url, vendor_slug), product, kind, status,
            str(amount) if amount is not None else None, currency, _date(signed_on), _date(start_on),
            _date(end_on), reference_number, source_url,
        ))  # fmt: skip


def _request_csv_rows(requests, links: Links, reader) -> Iterator[str]:
    request_url, agency_url = links.detail("request-detail"), links.detail("agency-detail")
    today = timezone.localdate()
    rows = requests.values_list(
        "pk", "agency__name", "agency__slug", "agency__jurisdiction__state", "requester_organization",
        "tracking_number", "subject", "status", "filed_on", "due_on", "closed_on",
    )  # fmt: skip
    for (
        pk, agency, slug, state, organization, tracking_number, subject, status, filed_on, due_on, closed_on,
    ) in rows.iterator(chunk_size=FETCH_CHUNK):  # fmt: skip
        yield _line((
            request_url(pk), *_link_cells(agency, agency_url, slug), state,
            organization or "A private requester",  # RecordsRequest.public_requester
            tracking_number, subject, status, _date(filed_on), _date(due_on), _date(closed_on),
            bool(due_on and status not in TERMINAL_STATUSES and due_on < today),  # RecordsRequest.is_overdue
        ))  # fmt: skip


def _document_csv_rows(documents, links: Links, reader) -> Iterator[str]:
    document_url, agency_url = links.detail("document-detail"), links.detail("agency-detail")
    request_url = links.detail("request-detail")
    rows = documents.values_list(
        "pk", "title", "kind", "date", "agency__name", "agency__slug", "request__subject", "request_id",
        "is_excerpt", "source_url", "sha256", "request_shown",
    )  # fmt: skip
    for (
        pk,
        title,
        kind,
        date,
        agency,
        slug,
        request,
        request_id,
        is_excerpt,
        source_url,
        sha256,
        shown,
    ) in rows.iterator(chunk_size=FETCH_CHUNK):
        if not shown:  # the request is not public (documents_list annotates with_request_shown_to)
            request = request_id = None
        yield _line((
            document_url(pk), title, kind, _date(date), *_link_cells(agency, agency_url, slug),
            *_link_cells(request, request_url, request_id), is_excerpt, source_url, sha256,
        ))  # fmt: skip


AGENCY_FIELDS = Fields(
    [
        Field("url", _url),
        Field("name", lambda a, _: a.name),
        Field("state", lambda a, _: a.jurisdiction.state),
        Field("kind", lambda a, _: a.kind),
        Field("level", lambda a, _: a.jurisdiction.level),
        Field("jurisdiction", lambda a, _: str(a.jurisdiction)),
        Field("ori", lambda a, _: a.ori),
        Field("latitude", lambda a, _: a.latitude),
        Field("longitude", lambda a, _: a.longitude),
    ],
    csv_rows=_agency_csv_rows,
)

VENDOR_FIELDS = Fields(
    [
        Field("url", _url),
        Field("name", lambda v, _: v.name),
        Field("aliases", lambda v, _: [alias.name for alias in v.aliases.all()]),
        Field("website", lambda v, _: v.website),
        Field("agency_count", lambda v, _: getattr(v, "agency_count", None)),
    ],
    csv_rows=_vendor_csv_rows,
)

TECHNOLOGY_FIELDS = [
    Field("url", _url),
    Field("name", lambda t, _: t.name),
    Field("agency_count", lambda t, _: getattr(t, "agency_count", None)),
    Field("event_count", lambda t, _: getattr(t, "event_count", None)),
]

TIMELINE_FIELDS = Fields(
    [
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
        Field("sources", _sources, kind="parts", parts=("label", "url", "document")),
    ],
    csv_rows=_event_csv_rows,
)

PROCUREMENT_FIELDS = Fields(
    [
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
    ],
    csv_rows=_procurement_csv_rows,
)

REQUEST_FIELDS = Fields(
    [
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
    ],
    csv_rows=_request_csv_rows,
)

DOCUMENT_FIELDS = Fields(
    [
        Field("url", _url),
        Field("title", lambda d, _: d.title),
        Field("kind", lambda d, _: d.kind),
        Field("date", lambda d, _: _date(d.date)),
        Field("agency", lambda d, absolute: link(d.agency, absolute), kind="link"),
        Field("request", lambda d, absolute: link(d.shown_request, absolute), kind="link"),
        Field("excerpt", lambda d, _: d.is_excerpt),
        Field("source_url", lambda d, _: d.source_url),
        Field("sha256", lambda d, _: d.sha256),
    ],
    csv_rows=_document_csv_rows,
)
