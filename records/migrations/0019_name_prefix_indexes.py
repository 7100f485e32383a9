"""Indexes for the name look-up (records/selectors/names.py): the suggestions as one types an agency, vendor or
product, and the record a typed name stands for, stay index look-ups at 18,000 agencies.

Django asks `name__istartswith` and `name__iexact` as UPPER(name::text) LIKE UPPER('wash%') on PostgreSQL, which a
btree over the same expression with text_pattern_ops answers whatever the database's collation; and as
name LIKE 'wash%' on SQLite, whose LIKE is case-blind and uses an index of the column under NOCASE.
"""

from django.db import migrations

COLUMNS = {
    "records_agency_name_prefix": "records_agency",
    "records_agencyalias_name_prefix": "records_agencyalias",
    "records_vendor_name_prefix": "records_vendor",
    "records_vendoralias_name_prefix": "records_vendoralias",
    "records_product_name_prefix": "records_product",
}
FORWARD = {
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} ((UPPER(name::text)) text_pattern_ops)"
        for name, table in COLUMNS.items()
    ],
    "sqlite": [f"CREATE INDEX IF NOT EXISTS {name} ON {table} (name COLLATE NOCASE)" for name, table in COLUMNS.items()],
}
BACKWARD = [f"DROP INDEX IF EXISTS {name}" for name in COLUMNS]


def forward(apps, schema_editor):
    for statement in FORWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor in FORWARD:
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("records", "0018_search_terms")]
    operations = [migrations.RunPython(forward, backward)]
