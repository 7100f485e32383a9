"""Both search engines index the same terms: DocumentPage.search_text, made by records/rules/search_terms.py.

Until now each engine tokenized the page text itself (PostgreSQL's English parser, FTS5's porter tokenizer)
and neither agreed with the other nor with the query parser, so `2015-APHIS-00523-F` or `"10-31 FHP"` found
pages on SQLite and none on PostgreSQL. Now the page's terms are worked out in Python and stored; PostgreSQL's
generated tsvector reads them with the `simple` configuration (no stemming or stop words of its own: the terms
are stemmed already), FTS5 with `unicode61` (no porter). Every existing page is given its terms here.

PostgreSQL: the search_vector column and its GIN index are made again over search_text. SQLite: the FTS5 table
indexes the search_text column of records_documentpage (external content), kept in step by triggers. On SQLite,
a later migration that alters records_documentpage makes Django rebuild the table, which drops the triggers:
such a migration must run SQLITE_TRIGGERS again (tests/test_search.py checks that they exist).
"""

import importlib

from django.db import migrations

from records.models.documents import SearchTermsField
from records.rules.search_terms import page_terms

INITIAL = importlib.import_module("records.migrations.0005_search")
BATCH = 2_000

POSTGRES_DROP = INITIAL.POSTGRES_BACKWARD
POSTGRES_FORWARD = [
    "ALTER TABLE records_documentpage ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX records_documentpage_search_vector ON records_documentpage USING gin (search_vector)",
]

SQLITE_DROP = INITIAL.SQLITE_BACKWARD
SQLITE_TRIGGERS = [
    """CREATE TRIGGER records_documentpage_fts_insert AFTER INSERT ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER records_documentpage_fts_delete AFTER DELETE ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (records_documentpage_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER records_documentpage_fts_update AFTER UPDATE OF search_text ON records_documentpage BEGIN
        INSERT INTO records_documentpage_fts (records_documentpage_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO records_documentpage_fts (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
]
SQLITE_FORWARD = [
    # The terms are folded and stripped of accents already; unicode61 only splits them on the spaces.
    "CREATE VIRTUAL TABLE records_documentpage_fts USING fts5(search_text, content='records_documentpage', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    *SQLITE_TRIGGERS,
    "INSERT INTO records_documentpage_fts (records_documentpage_fts) VALUES ('rebuild')",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def fill_search_text(apps, schema_editor):
    page_model = apps.get_model("records", "DocumentPage")
    last = 0
    while True:
        pages = list(page_model.objects.filter(pk__gt=last).order_by("pk").only("pk", "text")[:BATCH])
        if not pages:
            return
        for page in pages:
            page.search_text = page_terms(page.text)
        page_model.objects.bulk_update(pages, ["search_text"])
        last = pages[-1].pk


class Migration(migrations.Migration):
    dependencies = [("records", "0017_extraction_status_running")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
            _run({"postgresql": INITIAL.POSTGRES_FORWARD, "sqlite": INITIAL.SQLITE_FORWARD}),
        ),
        migrations.AddField(model_name="documentpage", name="search_text", field=SearchTermsField()),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
