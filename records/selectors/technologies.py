"""What the technology list and a technology's page show."""

from django.db.models import Count

from records.models import Agency, Technology, TimelineEvent, Vendor
from records.selectors.procurements import known_spend
from records.selectors.timeline import events_per_year, first_years, visible_events_q


def technologies_with_counts(*, reader):
    """Every technology with the agencies and timeline entries about it that `reader` may see."""
    return Technology.objects.annotate(
        agency_count=Count("timeline_events__agency", distinct=True, filter=visible_events_q(reader)),
        event_count=Count("timeline_events", distinct=True, filter=visible_events_q(reader)),
    ).order_by("name")


def technology_summary(*, technology, reader) -> dict:
    """The technology's products and vendors, per-year series and agencies per state, from the entries `reader`
    may see, and the known spend on its products (known_spend)."""
    visible = TimelineEvent.objects.visible_to(reader).filter(technologies=technology)
    agencies = Agency.objects.filter(timeline_events__in=visible)
    return {
        "products": technology.products.select_related("vendor"),
        "vendors": Vendor.objects.filter(timeline_events__in=visible)
        .annotate(agency_count=Count("timeline_events__agency", distinct=True))
        .order_by("-agency_count", "name"),
        "events_per_year": events_per_year(visible),
        "first_years": first_years(visible),
        "spend": known_spend(reader=reader, technology=technology),
        "agencies_per_state": {
            code: n
            for code, n in agencies.order_by().values_list("jurisdiction__state").annotate(n=Count("id", distinct=True))
            if code
        },
    }
