"""Writes of timeline entries and of the records that imply them (procurements)."""

from django.db import transaction

from records.models import EventKind, EventSource, Procurement, TimelineEvent
from records.models.timeline import truncate_date


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
    for source in sources:
        if source.get("url") or source.get("document"):
            item = EventSource(event=event, **source)
            item.full_clean()
            item.save()
    return event


@transaction.atomic
def procurement_record(**fields) -> Procurement:
    """A procurement and, when it has a date, its entry on the agency's timeline."""
    procurement = Procurement(**fields)
    procurement.full_clean()
    procurement.save()
    date = procurement.signed_on or procurement.start_on
    if date:
        event = TimelineEvent.objects.create(
            kind=EventKind.PROCUREMENT,
            date=date,
            title=f"{procurement.get_kind_display()}: {procurement.title}",
            summary=procurement.description,
            agency=procurement.agency,
            procurement=procurement,
        )
        event.vendors.set([procurement.vendor])
        if procurement.product:
            event.products.set([procurement.product])
            event.technologies.set(procurement.product.technologies.all())
        if procurement.source_url:
            EventSource.objects.create(event=event, url=procurement.source_url, label="Procurement record")
    return procurement
