"""Writes of follows and digests: asking to follow, confirming, unsubscribing (which deletes the address with its
last follow), noting what became public, and recording what a digest sent."""

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from records.models import Document, Follow, Publication, SentItem, Subscriber, TimelineEvent
from records.models.visibility import VisibleQuerySet

NOTE_BATCH = 5_000
# Noting this many records at once refreshes the table's planner statistics (PostgreSQL).
ANALYZE_AFTER = 10_000


def normalise_email(email: str) -> str:
    """One address, one row: the whole address in lower case (no mail system this serves tells cases apart)."""
    return email.strip().lower()


@transaction.atomic
def follow_request(*, email: str, url: str, label: str, cadence: str) -> Follow:
    """The follow of `url` by `email`, made unconfirmed if it is new. An existing follow keeps its cadence and
    confirmation: the cadence asked for now takes effect only through the confirmation link, so that nobody
    changes what another address receives by typing it in."""
    subscriber, _ = Subscriber.objects.get_or_create(email=normalise_email(email))
    follow, _ = Follow.objects.get_or_create(
        subscriber=subscriber, url=url, defaults={"label": label[:300], "cadence": cadence}
    )
    return follow


@transaction.atomic
def follow_confirm(*, follow: Follow, cadence: str, now: datetime.datetime, event_ids=(), document_ids=()) -> Follow:
    """Confirm `follow` (again: a second confirmation only sets the cadence). `event_ids` and `document_ids` are
    what its page shows public now and no run has noted yet: they are noted first, so that the follow brings only
    what becomes public after this moment (noting the whole tracker here would read every record)."""
    _note("event_id", list(event_ids), now)
    _note("document_id", list(document_ids), now)
    follow.cadence = cadence
    if follow.confirmed_at is None:
        follow.confirmed_at = now
    follow.save(update_fields=["cadence", "confirmed_at"])
    return follow


@transaction.atomic
def follow_delete(*, follow: Follow) -> None:
    """Stop one follow; the address goes with its last follow, and with it the record of what was sent to it."""
    subscriber = follow.subscriber
    follow.delete()
    if not subscriber.follows.exists():
        subscriber.delete()


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Unsubscribe from everything: the address, its follows and what was sent to it are deleted."""
    subscriber.delete()


@transaction.atomic
def follows_purge_unconfirmed(*, before: datetime.datetime) -> int:
    """Delete follows never confirmed and asked for before `before` (their link has expired), and the addresses
    left with no follow: an address nobody confirmed is not kept."""
    deleted, _ = Follow.objects.unconfirmed_before(before).delete()
    Subscriber.objects.filter(follows__isnull=True).delete()
    return deleted


def _note(field: str, ids: list[int], now) -> None:
    for start in range(0, len(ids), NOTE_BATCH):
        rows = [Publication(**{field: pk, "noticed_at": now}) for pk in ids[start : start + NOTE_BATCH]]
        # Two runs at once note the same records: the second's rows are the first's, and are skipped.
        Publication.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def publications_note(*, now: datetime.datetime, today: datetime.date | None = None) -> int:
    """Note, at `now`, every timeline entry and document that is public and was not noted before: a record
    published by an editor, imported public, or whose embargo ended (by date, with no write) is noted by the
    first run after. Each is noted once (one row per record), whatever happens to it later."""
    today = today or timezone.localdate(now)
    noted = 0
    for model, field in ((TimelineEvent, "event_id"), (Document, "document_id")):
        unnoted = model.objects.filter(VisibleQuerySet.public_q(today), publication__isnull=True)
        ids = list(unnoted.order_by("pk").values_list("pk", flat=True))
        _note(field, ids, now)
        noted += len(ids)
    if noted >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # A run that noted many records (the first, on a loaded tracker) leaves the planner's statistics of the
        # table behind until autovacuum comes: the digests that follow would join it as if few rows were new,
        # reading every page a followed search matches (150 ms instead of 8 ms for one search at S=0.05).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE records_publication")
    return noted


def digest_record_sent(
    *, subscriber: Subscriber, event_ids: list[int], document_ids: list[int], now: datetime.datetime
) -> None:
    """Record what a digest sent to `subscriber`, so that no later digest sends it again. Called inside the
    transaction that sends it (records/web/digests.py): an email that fails leaves nothing recorded."""
    rows = [SentItem(subscriber=subscriber, event_id=pk, sent_at=now) for pk in event_ids]
    rows += [SentItem(subscriber=subscriber, document_id=pk, sent_at=now) for pk in document_ids]
    SentItem.objects.bulk_create(rows, ignore_conflicts=True, batch_size=NOTE_BATCH)


def follows_repoint(*, old_path: str, new_path: str, param: str, old_slug: str, new_slug: str, label: str) -> int:
    """After a merge: the follows of the record merged away (its page `old_path`, or a list filtered by its slug
    in `param`) follow the kept one (`new_path`, `new_slug`); a follow that would then repeat one the address has
    already is dropped. Called inside the merge's transaction (records/services/merges.py)."""
    changed = 0
    candidates = Follow.objects.filter(Q(url__startswith=old_path) | Q(url__contains=f"{param}={old_slug}"))
    for follow in candidates.select_related("subscriber"):
        path, _, query = follow.url.partition("?")
        moved = QueryDict(mutable=True)
        for key, values in QueryDict(query).lists():
            for value in values:
                moved.appendlist(key, new_slug if key == param and value == old_slug else value)
        new_url = (new_path if path == old_path else path) + (f"?{moved.urlencode()}" if moved else "")
        if new_url == follow.url:
            continue
        if Follow.objects.filter(subscriber=follow.subscriber, url=new_url).exists():
            follow.delete()
        else:
            follow.url = new_url
            if path == old_path and not query:
                follow.label = label
            follow.save(update_fields=["url", "label"])
        changed += 1
    return changed
