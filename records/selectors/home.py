"""The home page's figures."""

from django.db.models import Count

from records.models import Agency, Document, TimelineEvent, Vendor

FEATURED_AGENCIES = 6


def home_summary(*, reader) -> dict:
    """What the tracker holds, and the agencies with the most entries. Counts every row of the largest tables:
    the views keep the public's figures a while."""
    visible = TimelineEvent.objects.visible_to(reader)
    return {
        "counts": {
            "agencies": Agency.objects.count(),
            "vendors": Vendor.objects.count(),
            "events": visible.count(),
            "documents": Document.objects.visible_to(reader).count(),
        },
        "featured": list(
            Agency.objects.with_place()
            .filter(timeline_events__in=visible)
            .annotate(n=Count("timeline_events"))
            .order_by("-n", "name")[:FEATURED_AGENCIES]
        ),
    }
