"""The SQLite engine: an external-content FTS5 table (records_documentpage_fts, porter tokenizer, kept in
step with records_documentpage by triggers; migration 0005), bm25 ranking, snippet() and highlight()."""

from django.db import connection

from records.documents.search.query import SearchQuery

MATCHING_PAGE_IDS = "SELECT rowid FROM records_documentpage_fts WHERE records_documentpage_fts MATCH %s"
MATCHING_DOCUMENT_IDS = """
    SELECT p.document_id
    FROM records_documentpage_fts JOIN records_documentpage p ON p.id = records_documentpage_fts.rowid
    WHERE records_documentpage_fts MATCH %s
"""
# bm25 is lower for a better match.
HITS = """
    SELECT p.id, p.number, p.document_id, snippet(records_documentpage_fts, 0, %s, %s, '…', 24),
           bm25(records_documentpage_fts) AS rank
    FROM records_documentpage_fts JOIN records_documentpage p ON p.id = records_documentpage_fts.rowid
    WHERE records_documentpage_fts MATCH %s AND p.document_id IN ({documents})
    ORDER BY rank, p.id
    LIMIT %s OFFSET %s
"""
HIGHLIGHTS = """
    SELECT p.number, highlight(records_documentpage_fts, 0, %s, %s)
    FROM records_documentpage_fts JOIN records_documentpage p ON p.id = records_documentpage_fts.rowid
    WHERE records_documentpage_fts MATCH %s AND p.document_id = %s
"""


def matching_page_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_PAGE_IDS, [query.fts5()]


def matching_document_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_DOCUMENT_IDS, [query.fts5()]


def hits(query: SearchQuery, documents: tuple[str, tuple], limit: int, offset: int, markers: tuple[str, str]):
    """(page id, number, document id, snippet, rank) of matching pages of `documents` (compiled SQL), best first."""
    documents_sql, documents_params = documents
    with connection.cursor() as cursor:
        cursor.execute(
            HITS.format(documents=documents_sql),  # the ORM's compiled SQL; every value is a parameter
            [*markers, query.fts5(), *documents_params, limit, offset],
        )
        return cursor.fetchall()


def highlights(query: SearchQuery, document_id: int, markers: tuple[str, str]):
    """(page number, whole page text with markers) for the document's pages that match."""
    with connection.cursor() as cursor:
        cursor.execute(HIGHLIGHTS, [*markers, query.fts5(), document_id])
        return cursor.fetchall()
