"""The PostgreSQL engine: a stored generated tsvector per page over its search terms
(records_documentpage.search_vector, `simple` configuration, GIN index; migration 0018), to_tsquery and ts_rank."""

from django.db import connection

from records.documents.search.query import SearchQuery

MATCHING_PAGE_IDS = "SELECT id FROM records_documentpage WHERE search_vector @@ to_tsquery('simple', %s)"
MATCHING_DOCUMENT_IDS = "SELECT document_id FROM records_documentpage WHERE search_vector @@ to_tsquery('simple', %s)"
# The text is read only for the pages of the requested slice.
HITS = """
    WITH ranked AS (
        SELECT p.id, p.number, p.document_id, ts_rank(p.search_vector, q.query) AS rank
        FROM records_documentpage p, to_tsquery('simple', %s) AS q(query)
        WHERE p.search_vector @@ q.query AND p.document_id IN ({documents})
        ORDER BY rank DESC, p.id
        LIMIT %s OFFSET %s
    )
    SELECT ranked.id, ranked.number, ranked.document_id, p.text, ranked.rank
    FROM ranked JOIN records_documentpage p ON p.id = ranked.id ORDER BY ranked.rank DESC, ranked.id
"""
MATCHING_PAGES = """
    SELECT number, text FROM records_documentpage
    WHERE document_id = %s AND search_vector @@ to_tsquery('simple', %s) ORDER BY number
"""


def matching_page_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_PAGE_IDS, [query.tsquery()]


def matching_document_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_DOCUMENT_IDS, [query.tsquery()]


def hits(query: SearchQuery, documents: tuple[str, tuple], limit: int, offset: int):
    """(page id, number, document id, text, rank) of matching pages of `documents` (compiled SQL), best first."""
    documents_sql, documents_params = documents
    with connection.cursor() as cursor:
        cursor.execute(
            HITS.format(documents=documents_sql),  # the ORM's compiled SQL; every value is a parameter
            [query.tsquery(), *documents_params, limit, offset],
        )
        return cursor.fetchall()


def matching_pages(query: SearchQuery, document_id: int):
    """(page number, text) of the document's pages that match."""
    with connection.cursor() as cursor:
        cursor.execute(MATCHING_PAGES, [document_id, query.tsquery()])
        return cursor.fetchall()
