"""Writes about records requests. Each keeps the request, its status history, its due date and its
timeline entries in step, in one transaction."""

import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from records.models import (
    Agency,
    Correspondence,
    Document,
    EventKind,
    EventSource,
    Jurisdiction,
    RecordsRequest,
    RequestStatus,
    RequestStatusChange,
    TimelineEvent,
    Visibility,
)
from records.models.visibility import most_restrictive
from records.rules import deadlines
from records.rules import requests as rules
from records.rules.permissions import is_editor

PAUSING_STATUSES = frozenset({RequestStatus.FIX_REQUIRED, RequestStatus.PAYMENT_REQUIRED})


class RequestError(ValueError):
    """A request operation that cannot be done, with a message for the person who tried."""


def law_for(jurisdiction: Jurisdiction) -> tuple[deadlines.Law | None, str]:
    """The law that governs a jurisdiction's requests and the state whose holidays apply ("" = federal)."""
    holder = jurisdiction.law_holder()
    if holder is None:
        return None, jurisdiction.state
    if holder.level == "federal":
        return deadlines.Law(holder.law_days or deadlines.FEDERAL_FOIA_DAYS, deadlines.BUSINESS), ""
    return deadlines.Law(holder.law_days, holder.law_day_type or deadlines.BUSINESS), jurisdiction.state


def request_due_date(records_request: RecordsRequest, changes=None) -> datetime.date | None:
    """A request's due date, from its law, filing date and status history (None: none, or paused)."""
    if not records_request.filed_on:
        return None
    law, state = law_for(records_request.agency.jurisdiction)
    if law is None or law.days is None:
        return None
    if changes is None:
        changes = records_request.status_changes.order_by("changed_on", "id").values_list("changed_on", "status")
    pauses = deadlines.pauses_from_statuses(changes, PAUSING_STATUSES)
    holidays = deadlines.holidays_around(state, records_request.filed_on)
    return deadlines.due_date(law=law, filed_on=records_request.filed_on, holidays=holidays, pauses=pauses)


def request_sync_events(*, records_request: RecordsRequest) -> int:
    """Give the request's derived timeline entries the visibility of what they derive from: an entry is public
    only when its request, the correspondence it was logged with and every document it cites are. So a staff
    member's entry under a public request stays private until an editor publishes what it comes from, and
    publishing the request never publishes it on its own. Returns how many entries changed."""
    events = records_request.timeline_events.select_related("correspondence").prefetch_related(
        Prefetch("sources", queryset=EventSource.objects.select_related("document"))
    )
    changed = 0
    for event in events:
        holders = [records_request, *([event.correspondence] if event.correspondence_id else [])]
        holders += [source.document for source in event.sources.all() if source.document_id]
        visibility, embargo_until = most_restrictive(holders)
        if (event.visibility, event.embargo_until) != (visibility, embargo_until):
            TimelineEvent.objects.filter(pk=event.pk).update(visibility=visibility, embargo_until=embargo_until)
            changed += 1
    return changed


def _held(user) -> bool:
    """What a staff member who is not an editor adds waits, private, for an editor, even under a public request
    (no user: code acting for the tracker itself, such as imports)."""
    return user is not None and not is_editor(user)


def _event(
    records_request: RecordsRequest,
    *,
    kind: str,
    date: datetime.date,
    title: str,
    summary: str = "",
    correspondence: Correspondence | None = None,
    user=None,
):
    # Created private; request_sync_events gives it what its request, correspondence and documents allow.
    return TimelineEvent.objects.create(
        kind=kind,
        date=date,
        title=title,
        summary=summary,
        agency=records_request.agency,
        records_request=records_request,
        correspondence=correspondence,
        visibility=Visibility.PRIVATE,
        added_by=user or records_request.added_by,
    )


@transaction.atomic
def request_file(
    *,
    agency: Agency,
    subject: str,
    text: str = "",
    requester_organization: str = "",
    requester_person: str = "",
    tracking_number: str = "",
    filed_on: datetime.date | None = None,
    status: str = RequestStatus.FILED,
    visibility: str = Visibility.PRIVATE,
    embargo_until: datetime.date | None = None,
    source_url: str = "",
    user=None,
) -> RecordsRequest:
    """Log a new request. A filed one gets its due date and a 'filed' entry on the agency's timeline."""
    if status not in {RequestStatus.DRAFT, RequestStatus.FILED}:
        raise RequestError("A new request starts as a draft or as filed.")
    if status == RequestStatus.FILED and filed_on is None:
        filed_on = timezone.localdate()
    records_request = RecordsRequest(
        agency=agency,
        subject=subject,
        text=text,
        requester_organization=requester_organization,
        requester_person=requester_person,
        tracking_number=tracking_number,
        filed_on=filed_on if status == RequestStatus.FILED else None,
        status=status,
        visibility=visibility,
        embargo_until=embargo_until,
        source_url=source_url,
        added_by=user,
    )
    records_request.full_clean()
    records_request.save()
    if status == RequestStatus.FILED:
        _record_filing(records_request, user=user)
    return records_request


def _record_filing(records_request: RecordsRequest, *, user):
    RequestStatusChange.objects.create(
        request=records_request, status=RequestStatus.FILED, changed_on=records_request.filed_on, changed_by=user
    )
    records_request.due_on = request_due_date(records_request)
    records_request.save(update_fields=["due_on", "updated_at"])
    _event(
        records_request,
        kind=EventKind.REQUEST_FILED,
        date=records_request.filed_on,
        title=f"Records request filed: {records_request.subject}",
        summary=f"Filed by {records_request.public_requester}.",
    )
    request_sync_events(records_request=records_request)


@transaction.atomic
def request_set_status(
    *,
    records_request: RecordsRequest,
    status: str,
    on: datetime.date,
    direction: str = "",
    channel: str = "",
    summary: str = "",
    attachments=(),
    user=None,
) -> RecordsRequest:
    """Move a request to a new status, logging the correspondence that came with it.

    Attachments become documents of the request, linked to the correspondence entry, and their release
    goes on the agency's timeline with each document as a source.

    An editor's correspondence is shown wherever its request is, and the documents take the request's
    visibility. What another staff member logs (the correspondence, the documents, and the timeline entries
    that come from them) is private until an editor publishes it, even under a public request. The status
    itself changes at once: it drives the deadline.

    Entering 'fix required' or 'payment required' pauses the deadline clock; leaving resumes it.
    A terminal status closes the request on that date; appealing reopens it.
    """
    records_request = RecordsRequest.objects.select_for_update().get(pk=records_request.pk)
    if status not in RequestStatus.values:
        raise RequestError(f"Unknown status {status!r}.")
    if status == records_request.status and not summary:
        raise RequestError("The request already has that status; add a correspondence summary to log an exchange.")
    if status == RequestStatus.DRAFT and records_request.status != RequestStatus.DRAFT:
        raise RequestError("A filed request cannot go back to draft.")
    if records_request.filed_on and on < records_request.filed_on:
        raise RequestError("The date cannot be before the request was filed.")
    if on > timezone.localdate():
        raise RequestError("The date cannot be in the future.")
    if attachments and not summary:
        raise RequestError("Say what came with the attachments: they are logged as correspondence.")

    held = _held(user)
    correspondence = None
    if summary:
        correspondence = Correspondence(
            request=records_request,
            date=on,
            direction=direction,
            channel=channel,
            summary=summary,
            visibility=Visibility.PRIVATE if held else Visibility.PUBLIC,
            added_by=user,
        )
        correspondence.full_clean()
        correspondence.save()

    previous = records_request.status
    if previous == RequestStatus.DRAFT and status != RequestStatus.DRAFT:
        records_request.filed_on = on
        records_request.status = RequestStatus.FILED
        records_request.save()
        _record_filing(records_request, user=user)
        if status == RequestStatus.FILED:
            return records_request
    if status != previous or previous == RequestStatus.DRAFT:
        RequestStatusChange.objects.create(
            request=records_request, status=status, changed_on=on, correspondence=correspondence, changed_by=user
        )
    records_request.status = status
    records_request.closed_on = on if rules.is_terminal(status) else None
    records_request.due_on = request_due_date(records_request)
    records_request.full_clean()
    records_request.save()
    if status != previous:
        _event(
            records_request,
            kind=EventKind.REQUEST_UPDATE,
            date=on,
            title=f"{records_request.get_status_display()}: {records_request.subject}",
            summary=summary,
            correspondence=correspondence,
            user=user,
        )
    if attachments:
        _record_release(
            records_request, attachments=attachments, on=on, correspondence=correspondence, user=user, held=held
        )
    request_sync_events(records_request=records_request)
    return records_request


def _record_release(records_request, *, attachments, on, correspondence, user, held):
    from records.services.documents import document_ingest

    documents = [
        document_ingest(
            file=upload,
            agency=records_request.agency,
            request=records_request,
            date=on,
            visibility=Visibility.PRIVATE if held else records_request.visibility,
            embargo_until=None if held else records_request.embargo_until,
            uploaded_by=user,
        )
        for upload in attachments
    ]
    Document.objects.filter(pk__in=[d.pk for d in documents], correspondence=None).update(correspondence=correspondence)
    count = len(documents)
    event = _event(
        records_request,
        kind=EventKind.DOCUMENTS_RELEASED,
        date=on,
        title=f"{count} document{'s' if count != 1 else ''} released: {records_request.subject}",
        correspondence=correspondence,
        user=user,
    )
    EventSource.objects.bulk_create(EventSource(event=event, document=document) for document in documents)


@transaction.atomic
def request_update(*, records_request: RecordsRequest, user=None, **fields) -> RecordsRequest:
    """Edit a request's details; its timeline entries follow its visibility."""
    allowed = {
        "subject", "text", "requester_organization", "requester_person", "tracking_number", "source_url",
        "visibility", "embargo_until", "filed_on",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise RequestError(f"These fields are not edited here: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(records_request, name, value)
    records_request.due_on = request_due_date(records_request)
    records_request.full_clean()
    if user is not None:
        records_request._history_user = user
    records_request.save()
    if "filed_on" in fields and records_request.filed_on:
        records_request.status_changes.filter(status=RequestStatus.FILED).update(changed_on=records_request.filed_on)
        records_request.timeline_events.filter(kind=EventKind.REQUEST_FILED).update(date=records_request.filed_on)
    request_sync_events(records_request=records_request)
    return records_request


@transaction.atomic
def requests_recompute_due_dates(*, jurisdiction: Jurisdiction) -> int:
    """After a law changes, recompute the stored due dates of every request it governs."""
    affected = RecordsRequest.objects.filter(
        agency__jurisdiction__in=_jurisdictions_under(jurisdiction), filed_on__isnull=False
    ).select_related("agency__jurisdiction__parent")
    changed = 0
    for records_request in affected:
        due = request_due_date(records_request)
        if due != records_request.due_on:
            records_request.due_on = due
            records_request.save(update_fields=["due_on"])
            changed += 1
    return changed


def _jurisdictions_under(jurisdiction: Jurisdiction) -> list[int]:
    ids, frontier = [jurisdiction.pk], [jurisdiction.pk]
    while frontier:
        frontier = list(Jurisdiction.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids
