"""The SQLite engine: an external-content FTS5 table over the pages' search terms (records_documentpage_fts,
unicode61 tokenizer, kept in step with records_documentpage by triggers; migration 0018) and bm25 ranking."""

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
    SELECT p.id, p.number, p.document_id, p.text, bm25(records_documentpage_fts) AS rank
    FROM records_documentpage_fts JOIN records_documentpage p ON p.id = records_documentpage_fts.rowid
    WHERE records_documentpage_fts MATCH %s AND p.document_id IN ({documents})
    ORDER BY rank, p.id
    LIMIT %s OFFSET %s
"""
MATCHING_PAGES = """
    SELECT p.number, p.text
    FROM records_documentpage_fts JOIN records_documentpage p ON p.id = records_documentpage_fts.rowid
    WHERE records_documentpage_fts MATCH %s AND p.document_id = %s ORDER BY p.number
"""


def matching_page_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_PAGE_IDS, [query.fts5()]


def matching_document_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_DOCUMENT_IDS, [query.fts5()]


def hits(query: SearchQuery, documents: tuple[str, tuple], limit: int, offset: int):
    """(page id, number, document id, text, rank) of matching pages of `documents` (compiled SQL), best first."""
    documents_sql, documents_params = documents
    with connection.cursor() as cursor:
        cursor.execute(
            HITS.format(documents=documents_sql),  # the ORM's compiled SQL; every value is a parameter
            [query.fts5(), *documents_params, limit, offset],
        )
        return cursor.fetchall()


def matching_pages(query: SearchQuery, document_id: int):
    """(page number, text) of the document's pages that match."""
    with connection.cursor() as cursor:
        cursor.execute(MATCHING_PAGES, [query.fts5(), document_id])
        return cursor.fetchall()
