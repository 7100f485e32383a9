"""Writes of timeline entries and of the records that imply them (procurements)."""

from django.db import transaction

from records.models import EventKind, EventSource, Procurement, TimelineEvent
from records.models.timeline import truncate_date
from records.services.oversight import procurements_refresh_oversight

# What a procurement's own timeline entry takes from it; an edit of these rewrites the entry.
PROCUREMENT_EVENT_LABEL = "Procurement record"


@transaction.atomic
def event_record(*, sources: list[dict], vendors=(), technologies=(), products=(), **fields) -> TimelineEvent:
    """A timeline entry with its sources; every entry needs at least one (a URL or a document)."""
    if not any(source.get("url") or source.get("document") for source in sources):
        raise ValueError("Every timeline entry needs at least one source: a URL or a document.")
    fields["date"] = truncate_date(fields["date"], fields.get("date_precision", "day"))
    event = TimelineEvent(**fields)
    event.full_clean()
    event.save()
    event.vendors.set(vendors)
    event.technologies.set(technologies)
    event.products.set(products)
    _add_sources(event, sources)
    return event


def _add_sources(event: TimelineEvent, sources: list[dict]):
    for source in sources:
        if source.get("url") or source.get("document"):
            item = EventSource(event=event, **source)
            item.full_clean()
            item.save()


@transaction.atomic
def event_update(
    *, event: TimelineEvent, sources: list[dict] | None = None, vendors=None, technologies=None, user=None, **fields
) -> TimelineEvent:
    """Edit a timeline entry; given `sources`, they replace its sources (it still needs one)."""
    if event.procurement_id or event.records_request_id:
        raise ValueError("This entry follows its procurement or request: edit that record instead.")
    if sources is not None and not any(source.get("url") or source.get("document") for source in sources):
        raise ValueError("Every timeline entry needs at least one source: a URL or a document.")
    for name, value in fields.items():
        setattr(event, name, value)
    event.date = truncate_date(event.date, event.date_precision)
    event.full_clean()
    if user is not None:
        event._history_user = user
    event.save()
    if vendors is not None:
        event.vendors.set(vendors)
    if technologies is not None:
        event.technologies.set(technologies)
    if sources is not None:
        event.sources.all().delete()
        _add_sources(event, sources)
    return event


@transaction.atomic
def procurement_record(*, user=None, **fields) -> Procurement:
    """A procurement and, when it has a date, its entry on the agency's timeline (with its visibility)."""
    procurement = Procurement(**fields)
    if user is not None and procurement.added_by_id is None:
        procurement.added_by = user
        procurement._history_user = user
    procurement.full_clean()
    procurement.save()
    _sync_procurement_event(procurement)
    procurements_refresh_oversight(procurements=[procurement])
    return procurement


@transaction.atomic
def procurement_update(*, procurement: Procurement, user=None, **fields) -> Procurement:
    """Edit a procurement; its timeline entry follows (date, title, vendor, product, source, visibility)."""
    for name, value in fields.items():
        setattr(procurement, name, value)
    procurement.full_clean()
    if user is not None:
        procurement._history_user = user
    procurement.save()
    _sync_procurement_event(procurement)
    procurements_refresh_oversight(procurements=[procurement])
    return procurement


def _sync_procurement_event(procurement: Procurement):
    """Keep the procurement's derived timeline entry in step with it: one entry while it has a date."""
    date = procurement.signed_on or procurement.start_on
    events = list(procurement.timeline_events.all())
    if not date:
        # Without a date it has no place on a timeline; an entry it had goes with its sources.
        for event in events:
            event.sources.all().delete()
            event.delete()
        return
    event = events[0] if events else TimelineEvent(kind=EventKind.PROCUREMENT, procurement=procurement)
    event.date = date
    event.date_precision = "day"
    event.title = f"{procurement.get_kind_display()}: {procurement.title}"[:300]
    event.summary = procurement.description
    event.agency = procurement.agency
    event.visibility = procurement.visibility
    event.embargo_until = procurement.embargo_until
    event.added_by = procurement.added_by
    event.save()
    event.vendors.set([procurement.vendor])
    event.products.set([procurement.product] if procurement.product else [])
    event.technologies.set(procurement.product.technologies.all() if procurement.product else [])
    source = event.sources.filter(label=PROCUREMENT_EVENT_LABEL).first()
    if procurement.source_url:
        if source is None:
            EventSource.objects.create(event=event, url=procurement.source_url, label=PROCUREMENT_EVENT_LABEL)
        elif source.url != procurement.source_url:
            source.url = procurement.source_url
            source.save()
    elif source is not None:
        source.delete()
