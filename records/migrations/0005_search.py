"""Full-text search of document pages, one structure per database engine.

PostgreSQL: a stored generated tsvector column with a GIN index. SQLite: an external-content FTS5
table with the porter stemmer, and triggers that keep it in step with the pages. Neither can be
declared on the model (a GeneratedField over a SearchVector cannot be created on SQLite), so both
live here, each made only on its own engine; records/documents/search/ is the only code that reads them.

On SQLite, a later migration that alters records_documentpage makes Django rebuild the table, which
drops these triggers: such a migration must run SQLITE_TRIGGERS again (tests/test_search.py checks
that they exist).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE records_documentpage ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED",
    "CREATE INDEX records_documentpage_search_vector ON records_documentpage USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS records_documentpage_search_vector",
    "ALTER TABLE records_documentpage DROP COLUMN IF EXISTS search_vector",
]

SQLITE_TRIGGERS = [
    """CREATE TRIGGER records_documentpage_fts_insert AFTER INSERT ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER records_documentpage_fts_delete AFTER DELETE ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (records_documentpage_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER records_documentpage_fts_update AFTER UPDATE OF text ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (records_documentpage_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO records_documentpage_fts (rowid, text) VALUES (new.id, new.text);
    END""",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE records_documentpage_fts USING fts5("
    "text, content='records_documentpage', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    *SQLITE_TRIGGERS,
    # Pages that exist already (the demo's) enter the index.
    "INSERT INTO records_documentpage_fts (records_documentpage_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS records_documentpage_fts_insert",
    "DROP TRIGGER IF EXISTS records_documentpage_fts_delete",
    "DROP TRIGGER IF EXISTS records_documentpage_fts_update",
    "DROP TABLE IF EXISTS records_documentpage_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0004_staff_and_editor_groups")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
