"""The PostgreSQL engine: a stored generated tsvector per page (records_documentpage.search_vector, made by
migration 0005 with a GIN index), websearch_to_tsquery, ts_rank and ts_headline."""

from django.db import connection

from records.documents.search.query import SearchQuery

SNIPPET_OPTIONS = (
    'MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … ", StartSel={0}, StopSel={1}'
)
WHOLE_TEXT_OPTIONS = "HighlightAll=true, StartSel={0}, StopSel={1}"

MATCHING_PAGE_IDS = "SELECT id FROM records_documentpage WHERE search_vector @@ websearch_to_tsquery('english', %s)"
MATCHING_DOCUMENT_IDS = (
    "SELECT document_id FROM records_documentpage WHERE search_vector @@ websearch_to_tsquery('english', %s)"
)
# The headline, the costly part, is computed only for the pages of the requested slice.
HITS = """
    WITH ranked AS (
        SELECT p.id, p.number, p.document_id, p.text, ts_rank(p.search_vector, q.query) AS rank, q.query
        FROM records_documentpage p, websearch_to_tsquery('english', %s) AS q(query)
        WHERE p.search_vector @@ q.query AND p.document_id IN ({documents})
        ORDER BY rank DESC, p.id
        LIMIT %s OFFSET %s
    )
    SELECT id, number, document_id, ts_headline('english', text, query, %s), rank
    FROM ranked ORDER BY rank DESC, id
"""
HIGHLIGHTS = """
    SELECT p.number, ts_headline('english', p.text, q.query, %s)
    FROM records_documentpage p, websearch_to_tsquery('english', %s) AS q(query)
    WHERE p.document_id = %s AND p.search_vector @@ q.query
"""


def matching_page_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_PAGE_IDS, [query.websearch()]


def matching_document_ids(query: SearchQuery) -> tuple[str, list]:
    return MATCHING_DOCUMENT_IDS, [query.websearch()]


def hits(query: SearchQuery, documents: tuple[str, tuple], limit: int, offset: int, markers: tuple[str, str]):
    """(page id, number, document id, snippet, rank) of matching pages of `documents` (compiled SQL), best first."""
    documents_sql, documents_params = documents
    options = SNIPPET_OPTIONS.format(*markers)
    with connection.cursor() as cursor:
        cursor.execute(
            HITS.format(documents=documents_sql),  # the ORM's compiled SQL; every value is a parameter
            [query.websearch(), *documents_params, limit, offset, options],
        )
        return cursor.fetchall()


def highlights(query: SearchQuery, document_id: int, markers: tuple[str, str]):
    """(page number, whole page text with markers) for the document's pages that match."""
    with connection.cursor() as cursor:
        cursor.execute(HIGHLIGHTS, [WHOLE_TEXT_OPTIONS.format(*markers), query.websearch(), document_id])
        return cursor.fetchall()
