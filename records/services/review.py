"""Publishing what staff added: an editor makes records public, or embargoes them until a date, and accepts or
rejects the changes staff proposed to published records."""

import datetime

from django.db import transaction
from django.utils import timezone

from records.models import (
    Correspondence,
    Document,
    Procurement,
    ProposedRevision,
    RecordsRequest,
    RevisionStatus,
    TimelineEvent,
    Visibility,
)
from records.models.revisions import RECORD_FIELD, REVISABLE_FIELDS, field_values
from records.services.requests import request_sync_events, request_update
from records.services.timeline import event_update, procurement_update


class ReviewError(ValueError):
    """A publishing action that cannot be done, with a message for the editor."""


def check_embargo(visibility: str, embargo_until: datetime.date | None) -> None:
    """An embargo needs its end date, today or later (today means public now)."""
    if visibility != Visibility.EMBARGOED:
        return
    if embargo_until is None:
        raise ReviewError("An embargo needs the date it ends.")
    if embargo_until < timezone.localdate():
        raise ReviewError("That date has passed; an embargo ends today or later.")


@transaction.atomic
def records_set_visibility(
    *, records: list, visibility: str, embargo_until: datetime.date | None = None, user=None
) -> int:
    """Give each record the visibility, through the service that keeps its derived timeline entries in step."""
    if visibility not in Visibility.values:
        raise ReviewError(f"Unknown visibility {visibility!r}.")
    check_embargo(visibility, embargo_until)
    fields = {"visibility": visibility, "embargo_until": embargo_until if visibility == Visibility.EMBARGOED else None}
    for record in records:
        if isinstance(record, Procurement):
            procurement_update(procurement=record, user=user, **fields)
        elif isinstance(record, RecordsRequest):
            request_update(records_request=record, user=user, **fields)
        elif isinstance(record, TimelineEvent):
            event_update(event=record, user=user, **fields)
        elif isinstance(record, Document | Correspondence):
            for name, value in fields.items():
                setattr(record, name, value)
            record.full_clean(exclude=["file"] if isinstance(record, Document) else None)
            if user is not None:
                record._history_user = user
            record.save()
            # The request's entries that come from it (a status change, documents released) follow.
            if record.request_id:
                request_sync_events(records_request=record.request)
        else:
            raise ReviewError(f"{type(record).__name__} records are not published here.")
    return len(records)


@transaction.atomic
def revision_propose(*, record: RecordsRequest | Procurement, user, **fields) -> ProposedRevision | None:
    """Keep a staff member's change to a published or embargoed request or procurement for an editor to decide;
    the record stays as it is. `fields` are as its edit form cleans them. None when nothing would change."""
    model = type(record)
    unknown = set(fields) - set(REVISABLE_FIELDS.get(model, ()))
    if unknown:
        raise ReviewError(f"These fields are not proposed here: {', '.join(sorted(unknown))}.")
    current = field_values(record, fields)
    proposed = field_values(model(**fields), fields)
    changed = [name for name in fields if proposed[name] != current[name]]
    if not changed:
        return None
    related = [name for name in changed if model._meta.get_field(name).is_relation]
    return ProposedRevision.objects.create(
        **{RECORD_FIELD[model]: record},
        values={name: proposed[name] for name in changed},
        base={name: current[name] for name in changed},
        labels={name: [_label(getattr(record, name)), _label(fields[name])] for name in related},
        proposed_by=user,
    )


def _label(related) -> str:
    return "" if related is None else str(related)


def _pending(revision: ProposedRevision) -> ProposedRevision:
    locked = ProposedRevision.objects.select_for_update().get(pk=revision.pk)
    if locked.status != RevisionStatus.PENDING:
        raise ReviewError(f"This change was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def revision_accept(*, revision: ProposedRevision, user) -> ProposedRevision:
    """Apply a proposed change through the record's own service (so its timeline entries and history follow).
    A change proposed against values the record no longer has is refused: it would undo the newer edit."""
    revision = _pending(revision)
    record = type(revision.record).objects.select_for_update().get(pk=revision.record.pk)
    setattr(revision, RECORD_FIELD[type(record)], record)
    stale = revision.changed_since()
    if stale:
        names = ", ".join(record._meta.get_field(name).verbose_name for name in stale)
        noun = record._meta.verbose_name
        raise ReviewError(
            f"The {noun} changed since this was proposed ({names}): it cannot be applied as it is. "
            f"Reject it, and edit the {noun} yourself if the change is still wanted."
        )
    proposer = revision.proposed_by.get_username() if revision.proposed_by_id else "a former staff member"
    record._change_reason = f"Proposed by {proposer}"
    if isinstance(record, Procurement):
        procurement_update(procurement=record, user=user, **revision.decoded_values())
    else:
        request_update(records_request=record, user=user, **revision.decoded_values())
    return _decide(revision, RevisionStatus.ACCEPTED, user)


@transaction.atomic
def revision_reject(*, revision: ProposedRevision, user) -> ProposedRevision:
    """Turn a proposed change down; the record stays as it is."""
    return _decide(_pending(revision), RevisionStatus.REJECTED, user)


def _decide(revision: ProposedRevision, status: str, user) -> ProposedRevision:
    revision.status, revision.decided_by, revision.decided_at = status, user, timezone.now()
    revision.save(update_fields=["status", "decided_by", "decided_at"])
    return revision
