"""Read replicas: reads go to the "replica" alias, writes and everything inside a transaction to "default".

Active only when DATABASE_REPLICA_URL is set (tracker/settings.py adds the alias, this router and
PrimaryForStaffMiddleware). A replica lags its primary by a little, so whoever has just written must read
from the primary: a read inside a transaction on default (an atomic block: services, imports) stays on
default, and so does every read of a request that writes (POST and the like) or works on staff pages
(/staff/, /admin/, /accounts/), where people expect to see what they have just saved. The public
pages, nearly all the traffic, read from the replica.
"""

import contextlib
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STAFF_PREFIXES = ("/staff/", "/admin/", "/accounts/")

_pinned: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


@contextlib.contextmanager
def use_primary():
    """Send every query in this block to the primary, reads included."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: a row read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Only the primary is migrated; replication copies the schema to the replicas.
        return db == PRIMARY


class PrimaryForStaffMiddleware:
    """Pins requests that write, and staff pages, to the primary (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS and not request.path.startswith(STAFF_PREFIXES):
            return self.get_response(request)
        with use_primary():
            return self.get_response(request)
