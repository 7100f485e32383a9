"""Alerts by email, a public channel like the feeds: what a followed page (an agency's, a vendor's, a technology's,
or a list or search with its filters) newly shows, read through that page's own filters, and the emails that
carry it (the confirmation link and the digests).

Only what the public may see is ever read here (VisibleQuerySet.public_q, whoever follows), and only what was
noted public after the follow was confirmed (records/models/follows.py Publication): an embargoed entry goes out
in the first digest after its embargo ends, once.
"""

import contextlib
import datetime
import email.policy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import mail, signing
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from records.documents import search
from records.models import (
    Agency,
    Cadence,
    Document,
    Follow,
    Procurement,
    RecordsRequest,
    Subscriber,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.visibility import VisibleQuerySet
from records.rules.states import STATE_NAMES
from records.services import follows as follow_services
from records.web import filters
from records.web.document_forms import SearchFilterForm

logger = logging.getLogger(__name__)

# Query keys that place or shape a page without choosing its rows: a follow of page 3 is a follow of the list.
NOT_FILTERS = {"after", "format", "sort", "page"}
CONFIRM_SALT = "records.follow-confirm"
# A confirmation link works this long; unconfirmed follows older than this are deleted by send_digests.
CONFIRM_DAYS = 7
# A digest looks back no further than this for what it has not sent yet (a weekly digest needs 7 days; the rest
# covers runs that failed or were missed).
LOOKBACK_DAYS = 30
# A digest lists at most this many records; the rest are counted and linked, and count as sent.
DIGEST_SHOWN = 100
PREVIEW_DAYS = 7


class NotFollowable(ValueError):
    """The address is not a page that can be followed, or its filters are not valid: the message says which."""


@dataclass(frozen=True)
class Followed:
    """A followable page: what it is called in emails, and how it narrows the public entries and documents."""

    url: str
    label: str
    events: Callable | None = None
    documents: Callable | None = None


# The pages describe() knows, by URL name: they offer a "Follow" link.
FOLLOWABLE_PAGES = frozenset(
    {"timeline", "agency-detail", "vendor-detail", "technology-detail", "procurement-list", "request-list",
     "document-list", "search"}
)  # fmt: skip


def follow_link(request) -> str | None:
    """The follow form for the page `request` shows, with its filters; None on a page that cannot be followed."""
    match = request.resolver_match
    if match is None or match.url_name not in FOLLOWABLE_PAGES:
        return None
    return f"{reverse('follow')}?{urlencode({'url': canonical_url(request.get_full_path())})}"


def canonical_url(raw: str) -> str:
    """The path and filters of a page of this site, in one order, without its page position or format."""
    try:
        parts = urlsplit((raw or "").strip())
    except ValueError:  # e.g. "http://[": not an address at all
        raise NotFollowable("That is not the address of a page of this site.") from None
    query = QueryDict(parts.query, mutable=True)
    kept = sorted(
        (key, value.strip())
        for key, values in query.lists()
        if key not in NOT_FILTERS
        for value in values
        if value.strip()
    )
    canonical = QueryDict(mutable=True)
    for key, value in kept:
        canonical.appendlist(key, value)
    path = parts.path or "/"
    return f"{path}?{canonical.urlencode()}" if kept else path


def _value_label(form, name, value) -> str:
    if hasattr(value, "name"):
        return value.name
    choices = dict(getattr(form.fields[name], "choices", []) or [])
    if value in choices:
        return str(choices[value])
    typed = form.data.get(name, value)
    return f"“{typed}”" if name == "q" else str(typed)


def _describe_filters(form, data) -> list[str]:
    shown = []
    for name in form.fields:
        value = form.cleaned_data.get(name)
        if name in NOT_FILTERS or name not in data or value in (None, ""):
            continue
        shown.append(f"{form.fields[name].label or name} {_value_label(form, name, value)}".strip())
    return shown


def _errors(form) -> str:
    return " ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                    for name, errors in form.errors.items())  # fmt: skip


def _valid_filterset(filterset_class, data, queryset):
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise NotFollowable(f"The filters of that page are not valid: {_errors(filterset.form)}")
    return filterset


def _timeline(filterset_class, data, url, subject_label=None, **subject):
    """A timeline (the global one, or an agency's, vendor's or technology's) with its filters."""
    filterset = _valid_filterset(filterset_class, data, TimelineEvent.objects.none())
    shown = _describe_filters(filterset.form, data)
    if subject_label:
        label = f"{subject_label} ({', '.join(shown)})" if shown else subject_label
    elif list(data) == ["state"]:
        label = STATE_NAMES[filterset.form.cleaned_data["state"]]
    else:
        label = f"the timeline: {', '.join(shown)}" if shown else "the whole timeline"

    def events(rows):
        # The filters validated once above, applied to these rows: names typed in them are not looked up again.
        return filterset.filter_queryset(rows.filter(**subject))

    return Followed(url, label, events=events)


def _derived(filterset_class, model, link: str, noun: str, data, url):
    """A list of procurements or requests: what is new there is the timeline entries they make."""
    filterset = _valid_filterset(filterset_class, data, model.objects.none())
    shown = _describe_filters(filterset.form, data)
    label = f"{noun}: {', '.join(shown)}" if shown else f"all {noun}"

    def events(rows):
        matching = filterset.filter_queryset(model.objects.filter(VisibleQuerySet.public_q()))
        return rows.filter(**{f"{link}__in": matching.values("pk")})

    return Followed(url, label, events=events)


def _documents(data, url):
    filterset = _valid_filterset(filters.DocumentFilter, data, Document.objects.none())
    shown = _describe_filters(filterset.form, data)
    label = f"documents: {', '.join(shown)}" if shown else "all documents"
    return Followed(url, label, documents=filterset.filter_queryset)


def _search(data, url):
    from records.web.views.search import FACETS, _narrowed

    query = search.parse_query(data.get("q"))
    if not query:
        raise NotFollowable("A search needs words to follow: search for something first.")
    form = SearchFilterForm(data)
    if not form.is_valid():
        raise NotFollowable(f"The filters of that search are not valid: {_errors(form)}")
    facets = {name: form.cleaned_data.get(name) for name in FACETS}
    shown = [f"{form.fields[name].label or name} {_value_label(form, name, facets[name])}" for name in FACETS
             if facets[name]]  # fmt: skip
    words = " ".join(str(data.get("q")).split())[:100]
    label = f"the search “{words}”" + (f" ({', '.join(shown)})" if shown else "")

    def documents(rows):
        return search.matching_documents(query, _narrowed(rows, facets))

    def events(rows):
        if any(facets.values()):
            return rows.none()  # the narrowing is of documents; entries are matched by the words alone
        return rows.filter(search.name_filter(query, "title", "summary"))

    return Followed(url, label, events=events, documents=documents)


def _subject(queryset, slug):
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise NotFollowable("That page does not exist (any more).")
    return found


def describe(raw: str) -> Followed:
    """The page at `raw` (a path with its query, or a full address of this site) as something to follow."""
    url = canonical_url(raw)
    path, _, query = url.partition("?")
    data = QueryDict(query)
    try:
        match = resolve(path)
    except Resolver404:
        raise NotFollowable("That is not a page of this site.") from None
    name, slug = match.url_name, match.kwargs.get("slug")
    if name == "timeline":
        return _timeline(filters.TimelineFilter, data, url)
    if name == "agency-detail":
        agency = _subject(Agency.objects.select_related("jurisdiction"), slug)
        state = agency.jurisdiction.state
        agency_label = f"{agency.name} ({state})" if state else agency.name
        return _timeline(filters.AgencyTimelineFilter, data, url, agency_label, agency=agency)
    if name == "vendor-detail":
        vendor = _subject(Vendor.objects, slug)
        return _timeline(filters.TimelineFilter, data, url, vendor.name, vendors=vendor)
    if name == "technology-detail":
        technology = _subject(Technology.objects, slug)
        return _timeline(filters.TimelineFilter, data, url, technology.name, technologies=technology)
    if name == "procurement-list":
        return _derived(filters.ProcurementFilter, Procurement, "procurement", "procurements", data, url)
    if name == "request-list":
        return _derived(filters.RequestFilter, RecordsRequest, "records_request", "records requests", data, url)
    if name == "document-list":
        return _documents(data, url)
    if name == "search":
        return _search(data, url)
    raise NotFollowable(
        "Only an agency's, a vendor's or a technology's page, the timeline, the procurement, request and document "
        "lists, and searches can be followed."
    )


def _public(model, window: Q, today):
    return model.objects.filter(VisibleQuerySet.public_q(today)).filter(window)


def matching_ids(followed: Followed, window: Q, today=None) -> tuple[dict, dict]:
    """The entries and documents public `today` inside `window` (a condition on their Publication) that the page
    shows, as {id: ((date, id), noticed_at)}: what a digest needs to choose the ones it shows, and which follows
    they are new to, without loading them."""
    events, documents = {}, {}
    fields = ("pk", "date", "publication__noticed_at")
    if followed.events:
        rows = followed.events(_public(TimelineEvent, window, today)).order_by().values_list(*fields).distinct()
        events = {pk: ((date, pk), noticed) for pk, date, noticed in rows}
    if followed.documents:
        rows = followed.documents(_public(Document, window, today)).order_by().values_list(*fields).distinct()
        documents = {pk: ((date or datetime.date.min, pk), noticed) for pk, date, noticed in rows}
    return events, documents


def preview_count(followed: Followed, now: datetime.datetime | None = None) -> int:
    """How many records the follow would have brought in the last week: those noted public in it, and those
    public, not noted yet (no digest has run since) and added in it."""
    since = (now or timezone.now()) - datetime.timedelta(days=PREVIEW_DAYS)
    window = Q(publication__noticed_at__gte=since) | Q(publication__isnull=True, created_at__gte=since)
    events, documents = matching_ids(followed, window)
    return len(events) + len(documents)


# Links and tokens


def absolute(path: str) -> str:
    """An address in an email: always SITE_URL's, never the Host a request named (which its sender chooses)."""
    return settings.SITE_URL + path


def confirm_token(follow: Follow, cadence: str) -> str:
    return signing.dumps({"k": follow.key, "c": cadence}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[str, str]:
    """(follow key, cadence) from a confirmation link; signing.SignatureExpired or BadSignature when it is not."""
    found = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))
    if not isinstance(found, dict) or found.get("c") not in Cadence.values or not isinstance(found.get("k"), str):
        raise signing.BadSignature("not a confirmation token")
    return found["k"], found["c"]


def unsubscribe_url(follow: Follow) -> str:
    return absolute(reverse("follow-unsubscribe", args=[follow.key]))


def unsubscribe_all_url(subscriber: Subscriber) -> str:
    return absolute(reverse("follow-unsubscribe-all", args=[subscriber.key]))


class AlertEmail(mail.EmailMessage):
    """An email whose headers are written each on one line (up to the 998 characters RFC 5322 allows). The
    List-Unsubscribe URL is longer than the 78 characters at which Python folds, and a value with nowhere to fold
    is then written as an RFC 2047 encoded word, which mail programs do not read as a URL."""

    def message(self, *, policy=email.policy.default):
        message = super().message(policy=policy)
        # The body is encoded already (quoted-printable, short lines); only the headers' folding changes.
        message.policy = message.policy.clone(max_line_length=998)
        return message


def _message(subject: str, body: str, to: str, unsubscribe: str) -> mail.EmailMessage:
    headers = {
        # RFC 8058: mail programs offer "unsubscribe", and one POST to the https address does it, no page needed.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: no auto-replies to this.
        "Auto-Submitted": "auto-generated",
    }
    return AlertEmail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)


def send_confirmation(follow: Follow, cadence: str) -> None:
    """The one email an address gets before it confirms: the signed link, and what it would follow."""
    context = {
        "follow": follow,
        "cadence": Cadence(cadence).label.lower(),
        "confirm_url": absolute(reverse("follow-confirm", args=[confirm_token(follow, cadence)])),
        "page_url": absolute(follow.url),
        "days": CONFIRM_DAYS,
    }
    body = render_to_string("follows/email/confirm.txt", context)
    message = _message(
        "Confirm your alert from the Surveillance Procurement Tracker",
        body,
        follow.subscriber.email,
        unsubscribe_all_url(follow.subscriber),
    )
    message.send()


# Digests


@dataclass
class Item:
    record: object
    follows: list = field(default_factory=list)

    @property
    def because(self) -> str:
        labels = [follow.label for follow in self.follows]
        return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


@dataclass
class DigestRun:
    sent: int = 0
    items: int = 0
    failed: list = field(default_factory=list)
    noted: int = 0
    purged: int = 0


def _since(follow: Follow, now: datetime.datetime) -> datetime.datetime:
    return max(follow.confirmed_at, now - datetime.timedelta(days=LOOKBACK_DAYS))


@dataclass
class Digest:
    """What one address is sent: every new record's id (all recorded as sent), the newest DIGEST_SHOWN of them
    loaded to be listed, each with the follows that brought it."""

    events: dict = field(default_factory=dict)  # id -> Item
    documents: dict = field(default_factory=dict)
    shown_events: list = field(default_factory=list)
    shown_documents: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.events) + len(self.documents)


def _newest(items: dict, keys: dict, model, size: int) -> list:
    chosen = sorted(items, key=keys.__getitem__, reverse=True)[:size]
    records = model.objects.select_related("agency__jurisdiction").in_bulk(chosen)
    shown = []
    for pk in chosen:
        if pk not in records:  # deleted since it was read: neither listed nor recorded as sent
            del items[pk]
            continue
        items[pk].record = records[pk]
        shown.append(items[pk])
    return shown


class PageReads:
    """What each followed page shows newly public in this run, read once per page however many follow it: for the
    lookback window, each record with when it was noted, so that each follow takes what is new to it."""

    def __init__(self, now):
        self.now, self.today = now, timezone.localdate(now)
        self.floor = now - datetime.timedelta(days=LOOKBACK_DAYS)
        self.pages: dict[str, tuple | None] = {}

    def new_since(self, follow: Follow, since) -> tuple[dict, dict]:
        if follow.url not in self.pages:
            try:
                followed = describe(follow.url)
            except NotFollowable as error:
                # The page is gone (a vendor merged away) or its filters no longer hold: nothing to read there.
                logger.warning("Follow %s no longer names a page: %s", follow.pk, error)
                self.pages[follow.url] = None
            else:
                window = Q(publication__noticed_at__gt=self.floor)
                self.pages[follow.url] = matching_ids(followed, window, self.today)
        found = self.pages[follow.url]
        if found is None:
            return {}, {}
        return tuple({pk: key for pk, (key, noticed) in rows.items() if noticed > since} for rows in found)


def _digest(subscriber: Subscriber, follows: list[Follow], now, reads: PageReads) -> Digest:
    """The entries and documents new to this address through any of `follows`, each once with every follow that
    brings it, not sent to it before."""
    digest, event_keys, document_keys = Digest(), {}, {}
    earliest = now
    for follow in follows:
        since = _since(follow, now)
        earliest = min(earliest, since)
        found_events, found_documents = reads.new_since(follow, since)
        for items, keys, found in ((digest.events, event_keys, found_events),
                                   (digest.documents, document_keys, found_documents)):  # fmt: skip
            keys |= found
            for pk in found:
                items.setdefault(pk, Item(None)).follows.append(follow)
    # What was sent before, among what these windows hold: read by the window, not by a list of ids (which may be
    # longer than SQLite takes as parameters).
    sent = subscriber.sent_items
    for pk in sent.filter(event__publication__noticed_at__gt=earliest).values_list("event_id", flat=True):
        digest.events.pop(pk, None)
    for pk in sent.filter(document__publication__noticed_at__gt=earliest).values_list("document_id", flat=True):
        digest.documents.pop(pk, None)
    digest.shown_events = _newest(digest.events, event_keys, TimelineEvent, DIGEST_SHOWN)
    room = max(DIGEST_SHOWN - len(digest.shown_events), 0)
    digest.shown_documents = _newest(digest.documents, document_keys, Document, room)
    return digest


def digest_message(subscriber, follows, digest: Digest, cadence) -> mail.EmailMessage:
    shown = len(digest.shown_events) + len(digest.shown_documents)
    context = {
        "cadence": cadence,
        "events": [(item, absolute(item.record.get_absolute_url())) for item in digest.shown_events],
        "documents": [(item, absolute(item.record.get_absolute_url())) for item in digest.shown_documents],
        "more": digest.total - shown,
        "follows": [(follow, absolute(follow.url), unsubscribe_url(follow)) for follow in follows],
        "unsubscribe_all": unsubscribe_all_url(subscriber),
    }
    body = render_to_string("follows/email/digest.txt", context)
    noun = "new record" if digest.total == 1 else "new records"
    subject = f"{digest.total} {noun} on the Surveillance Procurement Tracker"
    return _message(subject, body, subscriber.email, unsubscribe_all_url(subscriber))


def _send_one(subscriber_id: int, cadence: str, now, connection, reads: PageReads) -> int:
    """Send one address its digest; 0 when nothing is new to it. What it lists is recorded as sent in the same
    transaction as the sending: if the email fails, nothing is recorded and the next run tries again."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None:  # unsubscribed meanwhile
            return 0
        follows = list(subscriber.follows.confirmed().filter(cadence=cadence).order_by("label", "pk"))
        digest = _digest(subscriber, follows, now, reads)
        if not digest.total:
            return 0
        follow_services.digest_record_sent(
            subscriber=subscriber, event_ids=list(digest.events), document_ids=list(digest.documents), now=now
        )
        connection.send_messages([digest_message(subscriber, follows, digest, cadence)])
        return digest.total


def _without_address(reason: str, subscriber_id: int) -> str:
    """An error as logs may keep it: a mail server's refusal names the address, which is no log's to hold."""
    email = Subscriber.objects.filter(pk=subscriber_id).values_list("email", flat=True).first()
    return reason.replace(email, "<address>") if email else reason


def send_digests(*, cadence: str, now: datetime.datetime | None = None) -> DigestRun:
    """Send every confirmed address its digest of the follows of `cadence`: what became public since each follow
    was confirmed and was not sent to it before. Run twice, the second run sends nothing. An address whose email
    fails is reported (run.failed) and keeps its items for the next run; the others get theirs."""
    now = now or timezone.now()
    run = DigestRun()
    run.purged = follow_services.follows_purge_unconfirmed(before=now - datetime.timedelta(days=CONFIRM_DAYS))
    run.noted = follow_services.publications_note(now=now)
    subscriber_ids = list(
        Subscriber.objects.filter(follows__cadence=cadence, follows__confirmed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    reads = PageReads(now)
    # One SMTP session for the run (each address is one message), opened at the first digest.
    connection = mail.mailers.default
    for subscriber_id in subscriber_ids:
        try:
            count = _send_one(subscriber_id, cadence, now, connection, reads)
        except Exception as error:  # noqa: BLE001 -- one address's failure must not stop the others' digests
            reason = _without_address(f"{type(error).__name__}: {error}", subscriber_id)
            logger.warning("The digest to subscriber %s failed: %s", subscriber_id, reason)
            run.failed.append((subscriber_id, reason))
            with contextlib.suppress(Exception):  # closing what already failed
                connection.close()  # a broken SMTP session is not reused for the next address
            continue
        if count:
            run.sent += 1
            run.items += count
    return run


@task
def send_digests_task(cadence: str) -> dict:
    """send_digests on the task worker (`send_digests --enqueue`, with TASKS_BACKEND=database): cron only queues
    it, and the worker's machine, with the app's environment, sends."""
    run = send_digests(cadence=cadence)
    return {"sent": run.sent, "records": run.items, "failed": [subscriber for subscriber, _reason in run.failed]}
