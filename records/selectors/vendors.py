"""What a vendor's page shows beside its timeline."""

from dataclasses import dataclass

from django.db.models import Count, Min

from records.links import detail_url
from records.models import Agency, Document, MentionStatus, TimelineEvent, Vendor
from records.selectors.procurements import known_spend
from records.selectors.timeline import events_per_year, visible_events_q

# A vendor page lists the agencies with the most entries about it; the agency list has them all.
VENDOR_AGENCIES = 100
VENDOR_DOCUMENTS = 50


def vendors_with_agency_counts(*, reader):
    """Every vendor with the number of agencies whose timeline entries `reader` may see name it."""
    return Vendor.objects.annotate(
        agency_count=Count("timeline_events__agency", distinct=True, filter=visible_events_q(reader))
    )


@dataclass(frozen=True)
class AgencyRow:
    name: str
    state: str
    event_count: int
    url: str


def vendor_summary(*, vendor, reader, state: str = "") -> dict:
    """The vendor's products, the agencies using it and its known spend (of one state, if given), its documents,
    and per-year series: entries, and agencies by the year of their first entry."""
    visible = TimelineEvent.objects.visible_to(reader).filter(vendors=vendor)
    # One row per agency using the vendor: the list, the map and the adoption chart all come from it.
    per_agency = list(
        Agency.objects.filter(timeline_events__in=visible)
        .values("name", "slug", "jurisdiction__state")
        .annotate(n=Count("timeline_events", distinct=True), first=Min("timeline_events__date"))
    )
    shown = [row for row in per_agency if not state or row["jurisdiction__state"] == state]
    top = sorted(shown, key=lambda row: (-row["n"], row["name"]))[:VENDOR_AGENCIES]
    per_state: dict[str, int] = {}
    first_years: dict[int, int] = {}
    for row in per_agency:
        per_state[row["jurisdiction__state"]] = per_state.get(row["jurisdiction__state"], 0) + 1
        first_years[row["first"].year] = first_years.get(row["first"].year, 0) + 1
    return {
        "products": list(vendor.products.prefetch_related("technologies")),
        "agencies": [
            AgencyRow(row["name"], row["jurisdiction__state"], row["n"], detail_url("agency-detail", row["slug"]))
            for row in sorted(top, key=lambda row: (row["jurisdiction__state"], row["name"]))
        ],
        "agency_total": len(shown),
        "agencies_per_state": {code: n for code, n in per_state.items() if code},
        "spend": known_spend(reader=reader, vendor=vendor, state=state),
        "events_per_year": events_per_year(visible),
        "first_years": first_years,
        "documents": list(
            Document.objects.visible_to(reader)
            .filter(mentions__vendor=vendor, mentions__status__in=[MentionStatus.FOUND, MentionStatus.CONFIRMED])
            .select_related("agency")
            .order_by("-date", "-id")[:VENDOR_DOCUMENTS]
        ),
    }
