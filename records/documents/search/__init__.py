"""One search API over document pages and over the names and titles of records.

PostgreSQL and SQLite each have an engine in this package (`postgres`, `sqlite`) with the same
functions and the same result shape; nothing outside the package knows which one runs.
"""

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from records.documents.search.query import SearchQuery, Term, parse_query
from records.models import Document, DocumentPage
from records.models.timeline import format_date

__all__ = [
    "PageHit",
    "SearchQuery",
    "highlighted_pages",
    "matching_documents",
    "matching_pages",
    "name_filter",
    "page_hits",
    "parse_query",
]


def _engine():
    from records.documents.search import postgres, sqlite

    return postgres if connection.vendor == "postgresql" else sqlite


def _markers() -> tuple[str, str]:
    """Marks for the engines to put around matches: new random ones each time, so that no page text can
    contain them and fake a highlight. Letters and digits only, so escaping leaves them as they are."""
    token = secrets.token_hex(8)
    return f"S{token}S", f"E{token}E"


def _marked_html(text: str, markers: tuple[str, str]) -> SafeString:
    """The text HTML-escaped, with the spans between the engine's marks in <mark>."""
    start, stop = markers
    html = re.sub(f"{start}(.*?){stop}", r"<mark>\1</mark>", escape(text), flags=re.DOTALL)
    # Safe: the text was escaped above; the only markup added is the <mark> pairs.
    return mark_safe(html.replace(start, "").replace(stop, ""))  # noqa: S308


@dataclass(frozen=True)
class PageHit:
    """One matching page: where it is, what it is, and a snippet with the terms marked."""

    document: Document
    page: int
    snippet: SafeString
    rank: float
    query_text: str

    @property
    def url(self) -> str:
        path = reverse("document-detail", args=[self.document.pk])
        return f"{path}?{urlencode({'q': self.query_text})}#page-{self.page}"

    @property
    def display_date(self) -> str:
        return format_date(self.document.date, self.document.date_precision)


def matching_pages(query: SearchQuery, documents):
    """Pages of `documents` (a Document queryset, already limited to what the reader may see) that match."""
    sql, params = _engine().matching_page_ids(query)
    # The engine's SQL is a constant of this package; the query is a parameter.
    return DocumentPage.objects.filter(document__in=documents.values("pk"), pk__in=RawSQL(sql, params))  # noqa: S611


def matching_documents(query: SearchQuery, documents):
    """`documents` narrowed to those with at least one matching page."""
    sql, params = _engine().matching_document_ids(query)
    return documents.filter(pk__in=RawSQL(sql, params))  # noqa: S611 -- constant SQL, the query a parameter


def page_hits(query: SearchQuery, documents, *, limit: int, offset: int = 0) -> list[PageHit]:
    """The best matching pages of `documents`, with their documents, agencies and places: two queries."""
    if not query:
        return []
    compiled = documents.order_by().values("pk").query.sql_with_params()
    markers = _markers()
    rows = _engine().hits(query, compiled, limit, offset, markers)
    by_id = Document.objects.with_relations().in_bulk({row[2] for row in rows})
    return [
        PageHit(by_id[document_id], number, _marked_html(snippet, markers), rank=rank, query_text=query.text)
        for _page_id, number, document_id, snippet, rank in rows
    ]


def highlighted_pages(query: SearchQuery, document: Document) -> dict[int, SafeString]:
    """{page number: the page's whole text, escaped, with the query's matches in <mark>} for matching pages."""
    if not query:
        return {}
    markers = _markers()
    return {number: _marked_html(text, markers) for number, text in _engine().highlights(query, document.pk, markers)}


def name_filter(query: SearchQuery, *fields: str) -> Q:
    """A filter on names and titles with the query's logic: each term must occur in one of `fields`."""

    def term_q(term: Term) -> Q:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term.text})
        return condition

    condition = Q()
    for group in query.groups:
        alternatives = Q()
        for term in group:
            alternatives |= term_q(term)
        condition &= alternatives
    for term in query.excluded:
        condition &= ~term_q(term)
    return condition
