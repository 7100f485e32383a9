"""Indexes for national-size data (issue 7; the numbers that justify them are in docs/BENCHMARKS.md).

Trigram indexes for the name and title look-ups of /search/ (PostgreSQL only):

/search/ also matches the names and titles of agencies, requests, timeline entries and documents with
`icontains`, which PostgreSQL runs as UPPER(column) LIKE UPPER('%words%'): without an index a rare
phrase scans every row (6.5 s over a million timeline entries at national scale, docs/BENCHMARKS.md).
These GIN indexes over the same UPPER() expressions with pg_trgm's operator class answer it in a
millisecond; common words still use the date order, as the planner judges from the statistics that
ANALYZE keeps for index expressions. SQLite has no such index and keeps scanning, which is fine at
the sizes SQLite serves. bench/synthetic.py drops and rebuilds these around a bulk load.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = {
    "records_agency_name_trgm": "records_agency USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "records_recordsrequest_subject_trgm": (
        "records_recordsrequest USING gin ((UPPER(subject::text)) gin_trgm_ops, (UPPER(tracking_number::text)) gin_trgm_ops)"
    ),
    "records_timelineevent_title_trgm": (
        "records_timelineevent USING gin ((UPPER(title::text)) gin_trgm_ops, (UPPER(summary::text)) gin_trgm_ops)"
    ),
    "records_document_title_trgm": "records_document USING gin ((UPPER(title::text)) gin_trgm_ops)",
}
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}" for name, definition in TRIGRAM_INDEXES.items()),
]
# The extension stays: other databases' objects may use it.
POSTGRES_BACKWARD = [f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0005_search")]
    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
        # Paging the agency list by name, and the procurement list by id under a vendor or agency filter.
        migrations.AddIndex(model_name="agency", index=models.Index(fields=["name", "id"], name="agency_name_id")),
        migrations.AddIndex(
            model_name="procurement", index=models.Index(fields=["vendor", "id"], name="procurement_vendor_id")
        ),
        migrations.AddIndex(
            model_name="procurement", index=models.Index(fields=["agency", "id"], name="procurement_agency_id")
        ),
    ]
