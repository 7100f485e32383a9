"""Move the content token on (records/models/content.py) after every write to a records table.

Watching the SQL rather than model signals catches every path that writes: save() and delete(), but
also bulk_create(), QuerySet.update(), many-to-many changes and raw SQL sent through Django's cursor.
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

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?records_', re.IGNORECASE)
_TOKEN_TABLE = ContentVersion._meta.db_table


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


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if not _migrating and _WRITE.match(sql) and _TOKEN_TABLE not in sql[:80]:
        bump_on_commit(context["connection"])
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
