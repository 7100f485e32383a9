"""The home page's figures."""

from django.db.models import Count, Exists, OuterRef

from records.models import (
    Agency,
    Document,
    EventKind,
    EventSource,
    Procurement,
    RecordsRequest,
    Technology,
    TimelineEvent,
    Vendor,
)

FEATURED_AGENCIES = 6
FEATURED_VENDORS = 8
LATEST_ACQUISITIONS = 5
# What the home page calls an acquisition: an entry saying an agency bought, trialled or used a technology.
ACQUISITION_KINDS = (EventKind.PROCUREMENT, EventKind.DEPLOYMENT)


def home_summary(*, reader) -> dict:
    """What the tracker holds, the agencies (and vendors) with the most entries, the technologies, and how many
    agencies each state has entries about. Counts and groups every row of the largest tables: the views keep the
    public's figures a while."""
    visible = TimelineEvent.objects.visible_to(reader)
    per_state = visible.exclude(state="").order_by().values_list("state").annotate(n=Count("agency", distinct=True))
    return {
        "counts": {
            "agencies": Agency.objects.count(),
            "vendors": Vendor.objects.count(),
            "events": visible.count(),
            "procurements": Procurement.objects.visible_to(reader).count(),
            "requests": RecordsRequest.objects.visible_to(reader).count(),
            "documents": Document.objects.visible_to(reader).count(),
        },
        "featured": list(
            Agency.objects.with_place()
            .filter(timeline_events__in=visible)
            .annotate(n=Count("timeline_events"))
            .order_by("-n", "name")[:FEATURED_AGENCIES]
        ),
        "featured_vendors": list(
            Vendor.objects.filter(timeline_events__in=visible)
            .annotate(n=Count("timeline_events__agency", distinct=True))
            .order_by("-n", "name")[:FEATURED_VENDORS]
        ),
        "technologies": list(Technology.objects.order_by("name")),
        "agencies_per_state": dict(per_state),
    }


def latest_acquisitions(*, reader, size: int = LATEST_ACQUISITIONS):
    """The newest entries recording an acquisition that cite at least one source, read for display."""
    cited = EventSource.objects.filter(event=OuterRef("pk"))
    return (
        TimelineEvent.objects.visible_to(reader)
        .filter(Exists(cited), kind__in=ACQUISITION_KINDS)
        .for_display(reader)[:size]
    )
