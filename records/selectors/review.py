"""The review queue: every record the public cannot see yet, newest first, across the four kinds staff add."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from records.links import detail_url
from records.models import Document, Procurement, RecordsRequest, TimelineEvent
from records.models.visibility import VisibleQuerySet
from records.rules.permissions import EDITOR_GROUP, STAFF_GROUP

REVIEW_PAGE = 50


@dataclass(frozen=True)
class ReviewKind:
    key: str
    label: str
    model: type
    title_field: str
    pattern: str


# In the order the queue breaks ties of the same moment (its cursor relies on it).
KINDS = (
    ReviewKind("procurement", "Procurement", Procurement, "title", "procurement-detail"),
    ReviewKind("event", "Timeline entry", TimelineEvent, "title", "event-detail"),
    ReviewKind("request", "Records request", RecordsRequest, "subject", "request-detail"),
    ReviewKind("document", "Document", Document, "title", "document-detail"),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass(frozen=True)
class ReviewItem:
    kind: ReviewKind
    pk: int
    title: str
    agency: str
    added_by: str
    created_at: datetime.datetime
    hidden_label: str
    record: object

    @property
    def key(self) -> str:
        return f"{self.kind.key}:{self.pk}"

    @property
    def url(self) -> str:
        return detail_url(self.kind.pattern, self.pk)

    @property
    def cursor(self) -> str:
        return f"{self.created_at.isoformat()}|{KINDS.index(self.kind)}|{self.pk}"


def _reviewable(kind: ReviewKind):
    records = kind.model.objects.all()
    if kind.model is TimelineEvent:
        # Entries derived from a procurement or a request follow that record: it is the one reviewed.
        records = records.filter(procurement__isnull=True, records_request__isnull=True)
    return records


def _not_public(kind: ReviewKind, today: datetime.date):
    return _reviewable(kind).exclude(VisibleQuerySet.public_q(today)).select_related("agency", "added_by")


def _after(cursor: tuple[datetime.datetime, int, int] | None, position: int) -> Q:
    """Rows after `cursor` in (created_at, kind, id) descending order, for the kind at `position`."""
    if cursor is None:
        return Q()
    created_at, kind_position, pk = cursor
    same_moment = Q(created_at=created_at) & (
        Q() if position < kind_position else Q(pk__lt=pk) if position == kind_position else Q(pk__in=[])
    )
    return Q(created_at__lt=created_at) | same_moment


def parse_review_cursor(text: str) -> tuple[datetime.datetime, int, int] | None:
    """The position a "next page" link carries; None for a missing or unreadable one (the first page)."""
    try:
        moment, position, pk = text.split("|")
        cursor = (datetime.datetime.fromisoformat(moment), int(position), int(pk))
    except ValueError:
        return None
    return cursor if 0 <= cursor[1] < len(KINDS) else None


def review_queue(
    *, today: datetime.date, kind: str = "", added_by: int | None = None, cursor=None, size: int = REVIEW_PAGE
) -> dict:
    """A page of what is private or still embargoed, newest first: one query per kind, whatever the data size."""
    kinds = [KIND_BY_KEY[kind]] if kind in KIND_BY_KEY else list(KINDS)
    items = []
    for review_kind in kinds:
        position = KINDS.index(review_kind)
        records = _not_public(review_kind, today).filter(_after(cursor, position))
        if added_by is not None:
            records = records.filter(added_by_id=added_by)
        for record in records.order_by("-created_at", "-pk")[: size + 1]:
            items.append(
                ReviewItem(
                    kind=review_kind,
                    pk=record.pk,
                    title=getattr(record, review_kind.title_field),
                    agency=record.agency.name if record.agency_id else "",
                    added_by=record.added_by.get_username() if record.added_by_id else "",
                    created_at=record.created_at,
                    hidden_label=record.hidden_label,
                    record=record,
                )
            )
    items.sort(key=lambda item: (item.created_at, KINDS.index(item.kind), item.pk), reverse=True)
    page = items[:size]
    return {"items": page, "next_cursor": page[-1].cursor if len(items) > size else ""}


def review_records(keys: list[str]) -> list:
    """The records named by "kind:id" keys (as the queue's checkboxes send them) that the queue may act on:
    unknown ones, and entries that follow their procurement or request, are left out."""
    wanted: dict[str, list[int]] = {}
    for key in keys:
        name, _, number = key.partition(":")
        if name in KIND_BY_KEY and number.isdigit():
            wanted.setdefault(name, []).append(int(number))
    records = []
    for name, ids in wanted.items():
        records += list(_reviewable(KIND_BY_KEY[name]).filter(pk__in=ids))
    return records


def staff_accounts():
    """Who can add records, for the queue's "added by" filter."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=[STAFF_GROUP, EDITOR_GROUP]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
