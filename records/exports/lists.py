"""The column list of each public list's export (records/exports/columns.py says how a column is read and written).

The documents' columns read querysets of `Document.objects.with_request_shown_to(reader)`: that annotation says
whether the reader may see the records request a document was released under.
"""

from collections.abc import Callable

from django.db.models import BooleanField, Expression, F

from records.exports.columns import Column, Export, iso_date, link_to, url_to
from records.models import EventSource, Jurisdiction, Procurement, RecordsRequest, TimelineEvent, VendorAlias
from records.models.timeline import format_date
from records.models.visibility import VisibleQuerySet
from records.rules import oversight as oversight_rules
from records.rules import requests as request_rules


class AmongIds(Expression):
    """`column IN (ids)`, sent to PostgreSQL as `column IN (SELECT unnest(array))` with the array as one text
    parameter: not 10,000 parameters, nor an ARRAY[...] of 10,000 adapted numbers for the planner to read. For the
    related rows of 10,000 entries among a million: IN (10,000 parameters) 150 ms, = ANY(ARRAY[...]) 45 ms, this
    32 ms (= ANY of the same text array led the planner into a sequential scan: 75 ms)."""

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
        return f"{sql} IN (SELECT unnest(%s::bigint[]))", (*params, "{" + ",".join(map(str, self.ids)) + "}")


def tags_of(through, owner: str, tag: str, pattern: str) -> Callable:
    """The related column of a many-to-many to named, slugged records (vendors, technologies): each owner's
    list of links in name order, one query per batch."""

    def related(ids: list[int], export: Export) -> dict[int, list]:
        url = export.links.detail(pattern)
        tags: dict[int, list] = {}
        shared: dict[tuple, dict] = {}  # the same vendor on many entries is one dict
        rows = (
            through.objects.filter(AmongIds(owner, ids))
            .order_by(f"{tag}__name", f"{tag}_id")
            .values_list(owner, f"{tag}__name", f"{tag}__slug")
        )
        for pk, name, slug in rows:
            if (link := shared.get((name, slug))) is None:
                link = shared[name, slug] = {"name": name, "url": url(slug)}
            tags.setdefault(pk, []).append(link)
        # Owners with the same tags share one list, which the CSV writes once (Reader.csv_lines).
        same: dict[tuple, list] = {}
        return {pk: same.setdefault(tuple(map(id, links)), links) for pk, links in tags.items()}

    return related


def event_sources(ids: list[int], export: Export) -> dict[int, list]:
    """Each entry's sources. A cited document the reader may not see gives neither its URL nor its page: even a
    URL that answers 404 says that the document exists."""
    document_url = export.links.detail("document-detail")
    rows = (
        EventSource.objects.filter(AmongIds("event_id", ids))
        .annotate(document_shown=VisibleQuerySet.shown_to(export.reader, "document__"))
        .order_by("id")
        .values_list("event_id", "label", "url", "document_id", "page", "document_shown")
    )
    sources: dict[int, list] = {}
    for event, label, url, document, page, shown in rows:
        cited = document is not None and shown
        sources.setdefault(event, []).append(
            {
                "label": label,
                "url": url or None,
                "document": document_url(document) + (f"#page-{page}" if page else "") if cited else None,
                "page": page if cited else None,
            }
        )
    return sources


def vendor_aliases(ids: list[int], export: Export) -> dict[int, list]:
    aliases: dict[int, list] = {}
    rows = (
        VendorAlias.objects.filter(AmongIds("vendor_id", ids)).order_by("name", "id").values_list("vendor_id", "name")
    )
    for vendor, name in rows:
        aliases.setdefault(vendor, []).append(name)
    return aliases


def shown_link_to(pattern: str) -> Callable:
    """A link from (name, key, shown) paths: None where the reader may not see the record linked to."""

    def bind(export: Export) -> Callable:
        url = export.links.detail(pattern)
        return lambda name, key, shown: {"name": name, "url": url(key)} if key is not None and shown else None

    return bind


def linked(model, name: str, pattern: str, *, shown: bool = False) -> Callable:
    """The related column of a foreign key: the records it names in a batch, as links by their ids, read in one
    query of their own (a join would widen every row's query: two joins to 100,000-row tables took the
    timeline's export query from 40 to 140 ms). With `shown`, a record the reader may not see gives None."""

    def related(ids: list[int], export: Export) -> dict[int, dict]:
        url = export.links.detail(pattern)
        records = model.objects.filter(AmongIds("id", ids))
        if shown:
            records = records.visible_to(export.reader)
        return {pk: {"name": text, "url": url(pk)} for pk, text in records.values_list("pk", name)}

    return related


def _display_date(export: Export) -> Callable:
    return format_date


def _state_or_none(export: Export) -> Callable:
    return lambda state: state or None


def _blank_as_none(export: Export) -> Callable:
    """A choice not recorded is null in JSON (an empty cell in CSV), not an empty code."""
    return lambda value: value or None


def _jurisdiction(export: Export) -> Callable:
    return Jurisdiction.label


def _requester(export: Export) -> Callable:
    return request_rules.public_requester


def _overdue(export: Export) -> Callable:
    today = export.today
    return lambda status, due_on: request_rules.is_overdue(status, due_on, today)


TIMELINE = [
    Column("url", ("pk",), url_to("event-detail")),
    Column("date", ("date",), iso_date, repeats=True),
    Column("date_precision", ("date_precision",), repeats=True),
    Column("display_date", ("date", "date_precision"), _display_date, repeats=True),
    Column("kind", ("kind",), repeats=True),
    Column("title", ("title",)),
    Column("summary", ("summary",)),
    Column("illustrative", ("is_illustrative",), repeats=True),
    Column("agency", ("agency__name", "agency__slug"), link_to("agency-detail"), kind="link", repeats=True),
    # The entry's own copy of its agency's state (TimelineEvent.state); an entry without an agency has none.
    Column("state", ("state",), _state_or_none, repeats=True),
    Column(
        "vendors",
        kind="links",
        related=tags_of(TimelineEvent.vendors.through, "timelineevent_id", "vendor", "vendor-detail"),
        empty=[],
    ),
    Column(
        "technologies",
        kind="links",
        related=tags_of(TimelineEvent.technologies.through, "timelineevent_id", "technology", "technology-detail"),
        empty=[],
    ),
    Column("sources", kind="parts", parts=("label", "url", "document"), related=event_sources, empty=[]),
    # The records the entry derives from, which its page lists among its sources.
    Column(
        "records_request",
        ("records_request_id",),
        kind="link",
        related=linked(RecordsRequest, "subject", "request-detail", shown=True),
    ),
    Column(
        "procurement",
        ("procurement_id",),
        kind="link",
        related=linked(Procurement, "title", "procurement-detail", shown=True),
    ),
]

AGENCIES = [
    Column("url", ("slug",), url_to("agency-detail")),
    Column("name", ("name",)),
    Column("state", ("jurisdiction__state",), repeats=True),
    Column("kind", ("kind",), repeats=True),
    Column("level", ("jurisdiction__level",), repeats=True),
    Column("jurisdiction", ("jurisdiction__name", "jurisdiction__level", "jurisdiction__state"), _jurisdiction),
    Column("ori", ("ori",)),
    Column("latitude", ("latitude",)),
    Column("longitude", ("longitude",)),
]

VENDORS = [
    Column("url", ("slug",), url_to("vendor-detail")),
    Column("name", ("name",)),
    Column("aliases", related=vendor_aliases, empty=[]),
    Column("website", ("website",)),
    # The list annotates each vendor's agency count.
    Column("agency_count", ("agency_count",)),
]

TECHNOLOGIES = [
    Column("url", ("slug",), url_to("technology-detail")),
    Column("name", ("name",)),
    Column("agency_count", ("agency_count",)),
    Column("event_count", ("event_count",)),
]


def _oversight_status(export: Export) -> Callable:
    return lambda status, due_on: oversight_rules.effective_status(status, due_on, export.today)


PROCUREMENTS = [
    Column("url", ("pk",), url_to("procurement-detail")),
    Column("title", ("title",)),
    Column("agency", ("agency__name", "agency__slug"), link_to("agency-detail"), kind="link", repeats=True),
    Column("state", ("state",), repeats=True),
    Column("vendor", ("vendor__name", "vendor__slug"), link_to("vendor-detail"), kind="link", repeats=True),
    Column("product", ("product__name",), repeats=True),
    Column("kind", ("kind",), repeats=True),
    Column("status", ("status",), repeats=True),
    # A Decimal: exact in both formats (a number in CSV, its decimal text in JSON).
    Column("amount", ("amount",)),
    Column("currency", ("currency",), repeats=True),
    Column("signed_on", ("signed_on",), iso_date, repeats=True),
    Column("start_on", ("start_on",), iso_date, repeats=True),
    Column("end_on", ("end_on",), iso_date, repeats=True),
    Column("reference_number", ("reference_number",)),
    Column("source_url", ("source_url",)),
    # Added after the first columns, so that a reader of the older files finds those where they were.
    Column("method", ("method",), _blank_as_none, repeats=True),
    Column("funding_source", ("funding_source",), _blank_as_none, repeats=True),
    Column("funding_program", ("funding_program",), repeats=True),
    Column("funding_award_number", ("funding_award_number",)),
    # The cooperative or master contract it was bought under; one the reader may not see is left out.
    Column(
        "parent_contract",
        ("parent_contract_id",),
        kind="link",
        related=linked(Procurement, "title", "procurement-detail", shown=True),
    ),
    # Whether the public was asked (rules/oversight.py); "required but missing" counts from its due date on.
    Column("oversight_status", ("oversight_status", "oversight_due_on"), _oversight_status, repeats=True),
]

REQUESTS = [
    Column("url", ("pk",), url_to("request-detail")),
    Column("agency", ("agency__name", "agency__slug"), link_to("agency-detail"), kind="link", repeats=True),
    Column("state", ("agency__jurisdiction__state",), repeats=True),
    Column("requester", ("requester_organization",), _requester, repeats=True),
    Column("tracking_number", ("tracking_number",)),
    Column("subject", ("subject",)),
    Column("status", ("status",), repeats=True),
    Column("filed_on", ("filed_on",), iso_date, repeats=True),
    Column("due_on", ("due_on",), iso_date, repeats=True),
    Column("closed_on", ("closed_on",), iso_date, repeats=True),
    Column("overdue", ("status", "due_on"), _overdue, repeats=True),
]

DOCUMENTS = [
    Column("url", ("pk",), url_to("document-detail")),
    Column("title", ("title",)),
    Column("kind", ("kind",), repeats=True),
    Column("date", ("date",), iso_date, repeats=True),
    Column("agency", ("agency__name", "agency__slug"), link_to("agency-detail"), kind="link", repeats=True),
    Column(
        "request", ("request__subject", "request_id", "request_shown"), shown_link_to("request-detail"), kind="link"
    ),
    Column("excerpt", ("is_excerpt",), repeats=True),
    Column("source_url", ("source_url",)),
    Column("sha256", ("sha256",)),
]


def _party(pattern: str) -> Callable:
    """One side of a sharing link: the agency as a link, or the organisation by name (it has no page)."""

    def bind(export: Export) -> Callable:
        url = export.links.detail(pattern)

        def party(agency_name, agency_slug, organisation_name):
            if agency_slug is not None:
                return {"name": agency_name, "url": url(agency_slug)}
            return {"name": organisation_name, "url": None}

        return party

    return bind


def _party_state(export: Export) -> Callable:
    return lambda agency_state, organisation_state: (agency_state or organisation_state) or None


def _party_kind(export: Export) -> Callable:
    return lambda agency_kind, organisation_kind: agency_kind or organisation_kind or None


def _lines(export: Export) -> Callable:
    return lambda text: [line for line in (text or "").splitlines() if line]


def _shown_page(export: Export) -> Callable:
    return lambda page, shown: page if shown and page else None


SHARING = [
    Column("id", ("pk",)),
    Column(
        "sharer",
        ("sharer_agency__name", "sharer_agency__slug", "sharer_organisation__name"),
        _party("agency-detail"),
        kind="link",
        repeats=True,
    ),
    Column(
        "sharer_state", ("sharer_agency__jurisdiction__state", "sharer_organisation__state"), _party_state, repeats=True
    ),  # fmt: skip
    Column("sharer_kind", ("sharer_agency__kind", "sharer_organisation__kind"), _party_kind, repeats=True),
    Column(
        "receiver",
        ("receiver_agency__name", "receiver_agency__slug", "receiver_organisation__name"),
        _party("agency-detail"),
        kind="link",
    ),
    Column(
        "receiver_state",
        ("receiver_agency__jurisdiction__state", "receiver_organisation__state"),
        _party_state,
        repeats=True,
    ),  # fmt: skip
    Column("receiver_kind", ("receiver_agency__kind", "receiver_organisation__kind"), _party_kind, repeats=True),
    Column("vendor", ("vendor__name", "vendor__slug"), link_to("vendor-detail"), kind="link", repeats=True),
    Column(
        "technology", ("technology__name", "technology__slug"), link_to("technology-detail"), kind="link", repeats=True
    ),  # fmt: skip
    Column("how", ("how",), repeats=True),
    Column("direction", ("direction",), repeats=True),
    Column("networks", ("networks",), _lines),
    Column("first_seen", ("first_seen",), iso_date, repeats=True),
    Column("last_seen", ("last_seen",), iso_date, repeats=True),
    Column("ended_on", ("ended_on",), iso_date, repeats=True),
    Column(
        "document",
        ("document__title", "document_id", "document_shown"),
        shown_link_to("document-detail"),
        kind="link",
        repeats=True,
    ),  # fmt: skip
    Column("page", ("page", "document_shown"), _shown_page),
    Column("source_url", ("source_url",), repeats=True),
    Column("credit", ("credit",), repeats=True),
    Column("sharer_name_in_source", ("sharer_name",), repeats=True),
    Column("receiver_name_in_source", ("receiver_name",)),
]
