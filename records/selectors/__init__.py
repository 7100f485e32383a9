"""Reads that compose querysets into what a page shows: summaries, facets and counts, keyword-only and testable
without HTTP. They return data; the views turn it into charts, maps and links to filtered lists."""
