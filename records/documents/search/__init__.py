"""One search API over document pages and over the names and titles of records.

PostgreSQL and SQLite each have an engine in this package (`postgres`, `sqlite`) with the same
functions and the same result shape; nothing outside the package knows which one runs.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import CharField, Lookup, Q, TextField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.safestring import SafeString

from records.documents.search.marks import marked_page, snippet
from records.documents.search.query import SearchQuery, Term, parse_query
from records.models import Document, DocumentMention, DocumentPage
from records.models.documents import MentionStatus
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


@dataclass(frozen=True)
class PageHit:
    """One matching page: where it is, what it is, and a snippet with the terms marked (and as plain text)."""

    document: Document
    page: int
    snippet: SafeString
    snippet_text: str
    rank: float
    query_text: str
    # The vendors the page names (found in its text or confirmed by staff), by name.
    vendors: tuple = ()

    @property
    def url(self) -> str:
        path = reverse("document-detail", args=[self.document.pk])
        return f"{path}?{urlencode({'q': self.query_text})}#page-{self.page}"

    @property
    def display_date(self) -> str:
        return format_date(self.document.date, self.document.date_precision)


def matching_pages(query: SearchQuery, documents):
    """Pages of `documents` (a Document queryset, already limited to what the reader may see) that match."""
    if not query:
        return DocumentPage.objects.none()
    sql, params = _engine().matching_page_ids(query)
    # The engine's SQL is a constant of this package; the query is a parameter.
    return DocumentPage.objects.filter(document__in=documents.values("pk"), pk__in=RawSQL(sql, params))  # noqa: S611


def matching_documents(query: SearchQuery, documents):
    """`documents` narrowed to those with at least one matching page."""
    if not query:
        return documents.none()
    sql, params = _engine().matching_document_ids(query)
    return documents.filter(pk__in=RawSQL(sql, params))  # noqa: S611 -- constant SQL, the query a parameter


def page_hits(query: SearchQuery, documents, *, limit: int, offset: int = 0, reader=None) -> list[PageHit]:
    """The best matching pages of `documents`, with their documents, agencies, places and the requests `reader`
    may see (Document.shown_request), and the vendors each page names: three queries."""
    if not query:
        return []
    compiled = documents.order_by().values("pk").query.sql_with_params()
    rows = _engine().hits(query, compiled, limit, offset)
    by_id = Document.objects.with_relations().with_request_shown_to(reader).in_bulk({row[2] for row in rows})
    mentions = {}
    for mention in (
        DocumentMention.objects.filter(
            document__in=by_id, vendor__isnull=False, status__in=(MentionStatus.FOUND, MentionStatus.CONFIRMED)
        )
        .select_related("vendor")
        .order_by("vendor__name")
    ):
        mentions.setdefault(mention.document_id, []).append(mention)
    hits = []
    for _page_id, number, document_id, text, rank in rows:
        marked = snippet(query, text)
        vendors = tuple(m.vendor for m in mentions.get(document_id, ()) if number in m.pages)
        hits.append(
            PageHit(
                by_id[document_id], number, marked.html, marked.text, rank=rank, query_text=query.text, vendors=vendors
            )
        )
    return hits


def highlighted_pages(query: SearchQuery, document: Document) -> dict[int, SafeString]:
    """{page number: the page's whole text, escaped, with the query's matches in <mark>} for matching pages."""
    if not query:
        return {}
    return {number: marked_page(query, text) for number, text in _engine().matching_pages(query, document.pk)}


class HasWords(Lookup):
    """`field__has_words="washington count"`: the words occur in the field in this order, each at the start of
    a word of it, the last one possibly longer ("count" finds "County", "ring" finds "Ringgold" but not
    "Springs"); case does not matter. The words are letters and digits (Term.name_words) joined by spaces.

    PostgreSQL reads it as a regular expression on UPPER(field), which the trigram indexes of migration 0006
    answer (pg_trgm takes regular expressions as well as LIKE). SQLite has no such index and scans: a LIKE on
    each word first leaves the regular expression, a Python function there, to the few rows that can match."""

    lookup_name = "has_words"
    prepare_rhs = False

    def _pattern(self) -> str:
        # (^|\W) rather than \m or \b: the one spelling of "start of a word" both regex dialects read alike.
        return r"(^|\W)" + r"\W+".join(self.rhs.split())

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"UPPER({lhs}::text) ~* %s", (*lhs_params, self._pattern())

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self.rhs.split()
        # SQLite's LIKE ignores the case of ASCII letters only.
        likes = [word for word in words if word.isascii()]
        conditions = [f"{lhs} LIKE %s" for _word in likes] + [f"{lhs} REGEXP %s"]
        params = [*(p for word in likes for p in (*lhs_params, f"%{word}%")), *lhs_params, f"(?i){self._pattern()}"]
        return "(" + " AND ".join(conditions) + ")", params


CharField.register_lookup(HasWords)
TextField.register_lookup(HasWords)


def name_filter(query: SearchQuery, *fields: str, codes: dict | None = None) -> Q:
    """A filter on names and titles with the query's logic: each term's words must start words of one of
    `fields`, in order (HasWords), or the term be the whole of a code: `codes` maps a code field (kept in
    capitals, e.g. an agency's ORI) to the queryset it is looked up in."""

    def term_q(term: Term) -> Q:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__has_words": " ".join(term.name_words)})
        for name, rows in (codes or {}).items():
            code = {name: term.text.upper()}
            # Over the 18,700 agencies of the FBI list: PostgreSQL ORs the trigram and the code's unique index
            # (4 ms). SQLite scans in name order; with the code in the same row test it reads every row for it
            # (about 45 ms), with the code as a subquery its unique index answers once (10-18 ms), where PostgreSQL's
            # planner then walks the name order instead (55-105 ms).
            condition |= Q(**code) if connection.vendor == "postgresql" else Q(pk__in=rows.filter(**code).values("pk"))
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
