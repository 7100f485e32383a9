"""The review queue: every record the public cannot see yet, newest first, across the kinds staff add; and the
changes staff proposed to published records, with what each would change."""

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.text import Truncator, capfirst

from records.links import detail_url
from records.models import Correspondence, Document, Procurement, ProposedRevision, RecordsRequest, TimelineEvent
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
    # Where the record's agency is, and the key its link takes (a correspondence entry is shown on its request).
    agency_path: str = "agency"
    link_field: str = "pk"


# In the order the queue breaks ties of the same moment (its cursor relies on it): a new kind goes last.
KINDS = (
    ReviewKind("procurement", "Procurement", Procurement, "title", "procurement-detail"),
    ReviewKind("event", "Timeline entry", TimelineEvent, "title", "event-detail"),
    ReviewKind("request", "Records request", RecordsRequest, "subject", "request-detail"),
    ReviewKind("document", "Document", Document, "title", "document-detail"),
    ReviewKind(
        "correspondence",
        "Correspondence",
        Correspondence,
        "summary",
        "staff-request-detail",
        agency_path="request__agency",
        link_field="request_id",
    ),  # fmt: skip
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
        return detail_url(self.kind.pattern, getattr(self.record, self.kind.link_field))

    @property
    def cursor(self) -> str:
        return f"{self.created_at.isoformat()}|{KINDS.index(self.kind)}|{self.pk}"


def _reviewable(kind: ReviewKind):
    records = kind.model.objects.all()
    if kind.model is TimelineEvent:
        # Entries derived from a procurement or a request follow what they come from (the procurement; the
        # request, and the correspondence and documents a status change logged): those are the ones reviewed.
        records = records.filter(procurement__isnull=True, records_request__isnull=True)
    return records


def _not_public(kind: ReviewKind, today: datetime.date):
    return _reviewable(kind).exclude(VisibleQuerySet.public_q(today)).select_related(kind.agency_path, "added_by")


def _agency_name(record, kind: ReviewKind) -> str:
    for name in kind.agency_path.split("__"):
        record = getattr(record, name)
        if record is None:
            return ""
    return record.name


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
                    title=Truncator(getattr(record, review_kind.title_field)).chars(120),
                    agency=_agency_name(record, review_kind),
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


REVISIONS_SHOWN = 50
# Text longer than this, or over several lines, is shown as a diff of words rather than as before and after.
LONG_TEXT = 80
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    # For long text: (operation, text) runs, operation "equal", "delete" or "insert"; the template marks them.
    runs: tuple = ()
    changed_since: bool = False
    now: str = ""


@dataclass(frozen=True)
class RevisionItem:
    revision: ProposedRevision
    record: object
    changes: list = field(default_factory=list)
    stale: bool = False

    @property
    def url(self) -> str:
        return self.record.get_absolute_url()

    @property
    def title(self) -> str:
        return str(self.record)

    @property
    def noun(self) -> str:
        return self.record._meta.verbose_name

    @property
    def kind_label(self) -> str:
        return capfirst(self.noun)


def _shown(field, value) -> str:
    """A stored value as a reader knows it: a choice by its label, nothing as ""."""
    if value is None:
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def word_runs(before: str, after: str) -> tuple:
    """The changes from `before` to `after`, word by word (spaces and line breaks kept)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    runs = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation in ("equal", "delete", "replace"):
            runs.append(("equal" if operation == "equal" else "delete", "".join(old[i1:i2])))
        if operation in ("insert", "replace"):
            runs.append(("insert", "".join(new[j1:j2])))
    return tuple(run for run in runs if run[1])


def _changes(revision: ProposedRevision) -> tuple[list[FieldChange], bool]:
    record = revision.record
    stale = set(revision.changed_since())
    changes = []
    for name, after in revision.values.items():
        model_field = record._meta.get_field(name)
        if model_field.is_relation:
            # A related record by the name it had when proposed; the record's own is joined in (its "now").
            before, after = revision.labels.get(name, ["", ""])
            now = str(getattr(record, name) or "") if name in stale else ""
        else:
            before, after = _shown(model_field, revision.base.get(name)), _shown(model_field, after)
            now = _shown(model_field, model_field.value_from_object(record)) if name in stale else ""
        long = len(before) > LONG_TEXT or len(after) > LONG_TEXT or "\n" in before + after
        changes.append(
            FieldChange(
                label=capfirst(model_field.verbose_name),
                before=before,
                after=after,
                runs=word_runs(before, after) if long else (),
                changed_since=name in stale,
                now=now,
            )
        )
    return changes, bool(stale)


def pending_revisions(*, size: int = REVISIONS_SHOWN) -> dict:
    """The oldest changes waiting for an editor (the longest waiting first), each field's change worked out:
    one query, whatever the number waiting."""
    pending = (
        ProposedRevision.objects.pending()
        .select_related(
            "records_request__agency",
            "procurement__agency",
            "procurement__vendor",
            "procurement__product",
            "procurement__parent_contract",
            "proposed_by",
        )  # fmt: skip
        .order_by("created_at", "id")[: size + 1]
    )
    items = []
    for revision in pending:
        changes, stale = _changes(revision)
        items.append(RevisionItem(revision=revision, record=revision.record, changes=changes, stale=stale))
    return {"revisions": items[:size], "more_revisions": len(items) > size}
