"""Move the content token on (records/models/content.py) after every statement that changed a records table.

The rule: after each statement sent through Django's connection, the database says whether it changed rows
(SQLite's total_changes count, PostgreSQL's command tag such as "UPDATE 3"); if it changed any and it names a
records table, the token moves on when the transaction commits. So no statement's wording can hide a write:
save() and delete(), bulk_create(), QuerySet.update(), many-to-many changes, the admin, and raw SQL however it
starts (a comment, `WITH ... UPDATE`) are all caught, and an UPDATE that matched no row moves nothing. Tables
the public never sees are exempt (STAFF_ONLY_TABLES: rotating a calendar token leaves public pages alone).
Writes that bypass Django's cursor (PostgreSQL COPY in the synthetic generator) call bump() themselves.

Inside a transaction the token moves once, when it commits: moving it with the writes would lock its
row until then, and a long import would hold up every other writer. A reader between the commit and
the bump files fresh data under the old token, which is harmless: the bump retires that token too.
"""

import functools
import re

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate

from records.models.content import ContentVersion

_TOKEN_TABLE = ContentVersion._meta.db_table
# Records tables whose rows no public page shows: a write that names only these leaves the token alone.
# Follows, the addresses behind them and what digests sent or noted are in no public page either: a follow or a
# digest run keeps every kept page.
STAFF_ONLY_TABLES = frozenset(
    {
        _TOKEN_TABLE,
        "records_staffprofile",
        "records_subscriber",
        "records_follow",
        "records_publication",
        "records_sentitem",
    }
)
_RECORDS_TABLE = re.compile(r"records_[a-z0-9_]+", re.IGNORECASE)
# PostgreSQL command tags of statements that change rows; the last number is how many (none for TRUNCATE).
_WRITING_TAGS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE"})


def bump(connection) -> None:
    """Move the token on now, in the connection's current transaction if there is one."""
    with connection.cursor() as cursor:
        cursor.execute(ContentVersion.BUMP_SQL, ContentVersion.bump_params())


def bump_on_commit(connection) -> None:
    """Move the token on when the current transaction commits (at once outside one), once per commit."""
    if not connection.in_atomic_block:
        bump(connection)
        return
    # Every write asks (Django drops the callbacks of a savepoint that rolls back, so an earlier request may be
    # gone); the first callback to run at commit moves the token and the others find nothing left to do.
    connection._records_bump_pending = True
    connection.on_commit(functools.partial(_bump_if_pending, connection))


def _bump_if_pending(connection) -> None:
    if getattr(connection, "_records_bump_pending", False):
        connection._records_bump_pending = False
        bump(connection)


# While migrations run, the token's table may not exist yet; post_migrate moves the token on once after.
_migrating = False


def _changes(connection) -> int | None:
    """SQLite's count of rows changed on this connection so far (None on other engines)."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        return connection.connection.total_changes
    return None


def _changed_rows(connection, cursor, sql: str, before: int | None) -> bool:
    if before is not None:
        # SQLite counts a statement's changes once it has run to its end, which one with RETURNING (Django's
        # INSERT) has not until its rows are read: a RETURNING clause belongs to a write, so it counts as one.
        return _changes(connection) != before or "RETURNING" in sql.upper()
    if getattr(cursor.cursor, "name", None):
        # A server-side cursor (QuerySet.iterator() on PostgreSQL, as a form's choices read a model) only reads,
        # and has no command tag until it is read from: counted as a write, every page with a <select> of
        # technologies moved the token on, and no kept page or aggregate was found again outside tests.
        return False
    message = getattr(cursor.cursor, "statusmessage", None) or ""
    if not message:
        return True  # no tag to judge by: a needless move costs only a cache miss
    tag, _, count = message.partition(" ")
    return tag in _WRITING_TAGS and (not count or count.rsplit(" ", 1)[-1] != "0")


def _names_public_table(sql: str) -> bool:
    if "RECORDS_" not in sql.upper():
        return False
    return any(table.lower() not in STAFF_ONLY_TABLES for table in _RECORDS_TABLE.findall(sql))


def _watch(execute, sql, params, many, context):
    connection = context["connection"]
    before = _changes(connection)
    result = execute(sql, params, many, context)
    text = sql if isinstance(sql, str) else str(sql)
    if not _migrating and _changed_rows(connection, context["cursor"], text, before) and _names_public_table(text):
        bump_on_commit(connection)
    return result


def _pause(sender, **kwargs):
    global _migrating
    _migrating = True


def _resume(sender, using, **kwargs):
    """After migrate (and flush, which sends post_migrate too): the data changed, so the token moves on."""
    global _migrating
    _migrating = False
    connection = connections[using]
    # post_migrate is sent once per app; the records app's signal is the one that says its tables exist.
    if sender.label == "records" and _TOKEN_TABLE in connection.introspection.table_names():
        bump(connection)


def _install(sender, connection, **kwargs):
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection, those already open included (the test runner opens some early)."""
    connection_created.connect(_install, dispatch_uid="records-write-watch")
    pre_migrate.connect(_pause, dispatch_uid="records-write-watch-pause")
    post_migrate.connect(_resume, dispatch_uid="records-write-watch-resume")
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None:
            _install(None, connection)
