"""One number that changes whenever the tracker's records change: the key to the public caches.

Pages kept for the public (records/web/public_cache.py) are filed under the current token, so any write to a
records table — a save in the admin, a service, an import, a merge — files later requests under a new
token and the kept pages are never served again: a record made private disappears from the public's
pages at once, on every app server, because the token lives in the database they share.
"""

import secrets

from django.db import models


class ContentVersion(models.Model):
    # A random token rather than a counter: a rolled-back transaction restores the previous token together
    # with the previous data, so one token always means one state of the records.
    token = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    ROW_ID = 1

    class Meta:
        verbose_name = "content version"

    def __str__(self):
        return f"content version {self.token}"

    @classmethod
    def current(cls, using: str | None = None) -> int:
        token = cls.objects.using(using).filter(pk=cls.ROW_ID).values_list("token", flat=True).first()
        return token or 0

    @classmethod
    def state(cls, using: str | None = None) -> tuple:
        """The token and when it last moved (None before the first write), in one query."""
        row = cls.objects.using(using).filter(pk=cls.ROW_ID).values_list("token", "changed_at").first()
        return (row[0] or 0, row[1]) if row else (0, None)

    # An upsert, so that a flushed table (as between some tests) gets its row back on the first write.
    BUMP_SQL = (
        'INSERT INTO "records_contentversion" ("id", "token", "changed_at") VALUES (%s, %s, CURRENT_TIMESTAMP) '
        'ON CONFLICT ("id") DO UPDATE SET "token" = excluded."token", "changed_at" = excluded."changed_at"'
    )

    @classmethod
    def bump_params(cls) -> list:
        return [cls.ROW_ID, secrets.randbits(62)]
