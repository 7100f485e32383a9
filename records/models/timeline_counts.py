"""How many timeline entries there are, by kind, state, year, vendor and technology: in the whole timeline and in
each agency's. Kept by database triggers on the entries and their vendor and technology links (created by
migration 0023 from the SQL below, for PostgreSQL and for SQLite), so every write, whatever its path (services,
the admin, importers, bulk loads, a raw UPDATE), moves the counts in its own transaction, and a page reads a
few hundred rows instead of counting every entry.

Each row counts the entries that become public on `public_from`: 0001-01-01 for public ones, the embargo's end
for embargoed ones, 9999-12-31 for private ones and embargoes without an end. The public's counts today are the
rows with `public_from <= today`, so an embargo ends without a write; staff count every row.

Rows that drop to zero stay (a handful per value); readers skip them.

Migration 0023 creates the triggers from this module's SQL as it stands when it runs: a change to the SQL (or to
the columns it reads) needs a new migration that drops the triggers and creates them again.
"""

# The SQL below is put together from this module's own constants, never from input.
# ruff: noqa: S608

import datetime

from django.db import connection, models
from django.db.models import Sum

# The scope of the whole timeline; any other scope is an agency's id.
WHOLE_TIMELINE = 0
FACETS = ("kind", "state", "year", "vendor", "technology")
# Each tag facet: its link table and the link's column.
TAGS = (
    ("vendor", "records_timelineevent_vendors", "vendor_id"),
    ("technology", "records_timelineevent_technologies", "technology_id"),
)
# What a change to these columns of an entry moves.
COUNTED_COLUMNS = ("agency_id", "kind", "state", "date", "visibility", "embargo_until")


class TimelineCountQuerySet(models.QuerySet):
    def counts(self, *, scope: int, public_on: datetime.date | None) -> dict[str, dict[str, int]]:
        """{facet: {value: entries}} in `scope` of the entries public on `public_on` (None: every entry, as staff
        see them). One query, over the scope's few hundred rows."""
        rows = self.filter(scope=scope)
        if public_on is not None:
            rows = rows.filter(public_from__lte=public_on)
        found: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for facet, value, n in rows.order_by().values_list("facet", "value").annotate(n=Sum("n")):
            if n:
                found[facet][value] = n
        return found


class TimelineCount(models.Model):
    scope = models.BigIntegerField(help_text="0 for the whole timeline, else the agency's id.")
    facet = models.CharField(max_length=10)
    value = models.CharField(max_length=40, help_text="The kind, state or year; the vendor's or technology's id.")
    public_from = models.DateField()
    n = models.IntegerField()

    objects = TimelineCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "facet", "value", "public_from"], name="timeline_count_key")
        ]

    def __str__(self):
        return f"{self.scope} {self.facet}={self.value} from {self.public_from}: {self.n}"


def rebuild_timeline_counts() -> None:
    """Count every entry afresh: after an archive restore, whose loading and refilling of states the triggers
    counted as they went, so that the counts stand on the restored rows alone."""
    with connection.cursor() as cursor:
        for statement in rebuild_sql(connection.vendor):
            cursor.execute(statement)


# The SQL, written once for both engines.


def _date(text: str, vendor: str) -> str:
    return f"DATE '{text}'" if vendor == "postgresql" else f"'{text}'"


def _public_from(row: str, vendor: str) -> str:
    never = _date("9999-12-31", vendor)
    return (
        f"CASE {row}.visibility WHEN 'public' THEN {_date('0001-01-01', vendor)} "
        f"WHEN 'embargoed' THEN COALESCE({row}.embargo_until, {never}) ELSE {never} END"
    )


def _year(row: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {row}.date) AS INTEGER)::text"
    return f"strftime('%Y', {row}.date)"


def _own(row: str, vendor: str) -> list[tuple[str, str, str]]:
    """(facet, value, condition) of an entry's own columns."""
    return [
        ("kind", f"{row}.kind", "TRUE"),
        ("state", f"{row}.state", f"{row}.state <> ''"),
        ("year", _year(row, vendor), f"{row}.date IS NOT NULL"),
    ]


def _scopes(row: str) -> list[tuple[str, str]]:
    """(scope, condition): the whole timeline, and the entry's agency when it has one."""
    return [("0", "TRUE"), (f"{row}.agency_id", f"{row}.agency_id IS NOT NULL")]


def _add(selects: list[str]) -> str:
    """One statement adding the (scope, facet, value, public_from, n) rows of `selects` to the counts, summed by
    key first (PostgreSQL lets one INSERT ... ON CONFLICT touch a row once)."""
    rows = " UNION ALL ".join(selects)
    return (
        "INSERT INTO records_timelinecount (scope, facet, value, public_from, n) "
        f"SELECT scope, facet, value, public_from, SUM(n) FROM ({rows}) AS c WHERE TRUE "
        "GROUP BY scope, facet, value, public_from HAVING SUM(n) <> 0 "
        "ON CONFLICT (scope, facet, value, public_from) DO UPDATE SET n = records_timelinecount.n + excluded.n"
    )


def _select(scope: str, facet: str, value: str, public_from: str, delta: int, rest: str) -> str:
    columns = f"{scope} AS scope, '{facet}' AS facet, {value} AS value, {public_from} AS public_from, {delta} AS n"
    return f"SELECT {columns} {rest}"


def entry_rows(row: str, source: str, condition: str, delta: int, vendor: str) -> list[str]:
    """What the entries `row` of `source` (a FROM clause, or nothing for a row trigger's NEW or OLD) matching
    `condition` add (`delta` 1) or take away (-1): their own facets and their tags'."""
    public_from = _public_from(row, vendor)
    selects = []
    for scope, in_scope in _scopes(row):
        for facet, value, holds in _own(row, vendor):
            selects.append(
                _select(
                    scope, facet, value, public_from, delta, f"{source} WHERE {condition} AND {in_scope} AND {holds}"
                )
            )
        for facet, table, column in TAGS:
            tags = f"{source}, {table} t" if source else f"FROM {table} t"
            selects.append(
                _select(scope, facet, f"CAST(t.{column} AS TEXT)", public_from, delta,
                        f"{tags} WHERE {condition} AND t.timelineevent_id = {row}.id AND {in_scope}")
            )  # fmt: skip
    return selects


def tag_rows(link: str, source: str, facet: str, column: str, delta: int, vendor: str) -> list[str]:
    """What the links `link` of `source` ("" for a row trigger's NEW or OLD, else "<table> <link>, ") from entries
    to a vendor or technology add or take away."""
    return [
        _select(scope, facet, f"CAST({link}.{column} AS TEXT)", _public_from("e", vendor), delta,
                f"FROM {source}records_timelineevent e WHERE e.id = {link}.timelineevent_id AND {in_scope}")
        for scope, in_scope in _scopes("e")
    ]  # fmt: skip


def rebuild_sql(vendor: str) -> list[str]:
    public_from = _public_from("e", vendor)
    insert = "INSERT INTO records_timelinecount (scope, facet, value, public_from, n)"
    statements = ["DELETE FROM records_timelinecount"]
    for scope, in_scope in _scopes("e"):
        group = "3, 4" if scope == "0" else "1, 3, 4"
        for facet, value, condition in _own("e", vendor):
            statements.append(
                f"{insert} SELECT {scope}, '{facet}', {value}, {public_from}, COUNT(*) FROM records_timelineevent e "
                f"WHERE {in_scope} AND {condition} GROUP BY {group}"
            )
        for facet, table, column in TAGS:
            statements.append(
                f"{insert} SELECT {scope}, '{facet}', CAST(t.{column} AS TEXT), {public_from}, COUNT(*) "
                f"FROM {table} t JOIN records_timelineevent e ON e.id = t.timelineevent_id WHERE {in_scope} "
                f"GROUP BY {group}"
            )
    return statements


def _changed(old: str, new: str, vendor: str) -> str:
    differ = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return "(" + " OR ".join(f"{old}.{c} {differ} {new}.{c}" for c in COUNTED_COLUMNS) + ")"


def _bodies(vendor: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, table, event, selects) of every trigger. SQLite's fire for each row (NEW, OLD); PostgreSQL's once
    per statement over its transition tables (new_rows, old_rows): a bulk load then adds to each count once,
    where a trigger per row would update the same count row over and over in one transaction."""
    row = vendor != "postgresql"
    both = "FROM old_rows r JOIN new_rows x ON x.id = r.id"
    found = [
        ("entry_insert", "records_timelineevent", "INSERT",
         entry_rows("NEW", "", "TRUE", 1, vendor) if row else entry_rows("r", "FROM new_rows r", "TRUE", 1, vendor)),
        ("entry_delete", "records_timelineevent", "DELETE",
         entry_rows("OLD", "", "TRUE", -1, vendor) if row else entry_rows("r", "FROM old_rows r", "TRUE", -1, vendor)),
        ("entry_update", "records_timelineevent", "UPDATE",
         entry_rows("OLD", "", "TRUE", -1, vendor) + entry_rows("NEW", "", "TRUE", 1, vendor) if row else
         entry_rows("r", both, _changed("r", "x", vendor), -1, vendor)
         + entry_rows("x", both, _changed("r", "x", vendor), 1, vendor)),
    ]  # fmt: skip
    for facet, table, column in TAGS:
        found += [
            (f"{facet}_insert", table, "INSERT",
             tag_rows("NEW", "", facet, column, 1, vendor) if row else
             tag_rows("l", "new_rows l, ", facet, column, 1, vendor)),
            (f"{facet}_delete", table, "DELETE",
             tag_rows("OLD", "", facet, column, -1, vendor) if row else
             tag_rows("l", "old_rows l, ", facet, column, -1, vendor)),
            (f"{facet}_update", table, "UPDATE",
             tag_rows("OLD", "", facet, column, -1, vendor) + tag_rows("NEW", "", facet, column, 1, vendor) if row else
             tag_rows("l", "old_rows l, ", facet, column, -1, vendor)
             + tag_rows("l", "new_rows l, ", facet, column, 1, vendor)),
        ]  # fmt: skip
    return [(f"records_timelinecount_{name}", table, event, selects) for name, table, event, selects in found]


TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def create_triggers_sql(vendor: str) -> list[str]:
    statements = []
    for name, table, event, selects in _bodies(vendor):
        if vendor == "postgresql":
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n{_add(selects)};\n"
                "RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {TRANSITIONS[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {name}()"
            )
        else:
            when = f"WHEN {_changed('OLD', 'NEW', vendor)} " if name.endswith("entry_update") else ""
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}BEGIN\n{_add(selects)};\nEND"
            )
    return statements


def drop_triggers_sql(vendor: str) -> list[str]:
    statements = []
    for name, table, *_ in _bodies(vendor):
        if vendor == "postgresql":
            statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements
