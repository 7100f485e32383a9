"""What the agency list and an agency's page show beside their rows."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce

from records.links import detail_url
from records.models import (
    Agency,
    Document,
    Procurement,
    RecordsRequest,
    RequestStatus,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.agencies import AgencyKind
from records.models.jurisdictions import Level
from records.models.visibility import hidden_label_for
from records.rules.states import STATE_NAMES
from records.rules.stats import request_statistics
from records.selectors.procurements import known_spend
from records.selectors.timeline import (
    counted_per_year,
    counted_tags,
    most_used,
    timeline_counts,
    visible_events_q,
)

SIDE_LIST = 10
AGENCY_VENDORS = 25
FACET_VENDORS = 25


def agencies_with_entry_counts(*, reader):
    """Every agency with its place and the number of its timeline entries `reader` may see. The count is a
    subquery, not a join and GROUP BY: it is computed for the rows of a page only."""
    counts = (
        TimelineEvent.objects.visible_to(reader)
        .filter(agency=OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Agency.objects.with_place().annotate(event_count=Coalesce(Subquery(counts), 0))


def agency_facets(*, agencies, reader) -> dict[str, list[tuple]]:
    """(value, label, count) options of each facet of a list of agencies: state, kind, level, technology and
    vendor (the most frequent), counting the matching agencies."""
    # One level of subquery: nesting IN (IN (...)) led PostgreSQL, before ANALYZE, into minutes-long plans.
    matching_ids = agencies.order_by().values("pk")
    matching = Agency.objects.filter(pk__in=matching_ids)
    kinds, levels = dict(AgencyKind.choices), dict(Level.choices)
    states = matching.order_by().values_list("jurisdiction__state").annotate(n=Count("id"))
    kind_counts = matching.order_by().values_list("kind").annotate(n=Count("id")).order_by("-n")
    level_counts = matching.order_by().values_list("jurisdiction__level").annotate(n=Count("id")).order_by("-n")
    technologies = (
        Technology.objects.filter(visible_events_q(reader), timeline_events__agency__in=matching_ids)
        .annotate(n=Count("timeline_events__agency", distinct=True))
        .order_by("-n", "name")
    )
    vendors = (
        Vendor.objects.filter(visible_events_q(reader), timeline_events__agency__in=matching_ids)
        .annotate(n=Count("timeline_events__agency", distinct=True))
        .order_by("-n", "name")[:FACET_VENDORS]
    )
    return {
        # By the state's name, as a reader looks for it: Arizona before Arkansas (their codes sort AR before AZ).
        "state": sorted(
            ((code, STATE_NAMES.get(code, code), n) for code, n in states if code), key=lambda option: option[1]
        ),
        "kind": [(k, kinds.get(k, k), n) for k, n in kind_counts],
        "level": [(k, levels.get(k, k), n) for k, n in level_counts],
        "technology": [(t.slug, t.name, t.n) for t in technologies],
        "vendor": [(v.slug, v.name, v.n) for v in vendors],
    }


@dataclass(frozen=True)
class RequestRow:
    url: str
    subject: str
    status: str
    filed_on: object
    hidden_label: str = ""  # for staff: "Private", "Embargoed until ..." ("" when the public can see it)


def agency_summary(*, agency, reader, today) -> dict:
    """An agency page's side panels and facts: what it bought, its requests and how it answers them, its
    documents, its technologies and vendors, and its entries per year."""
    procurements = list(
        Procurement.objects.visible_to(reader)
        .filter(agency=agency)
        .select_related("vendor", "product")
        .annotate(total_count=Window(Count("id")))
        .order_by("-signed_on", "-id")[:SIDE_LIST]
    )
    documents = list(
        Document.objects.visible_to(reader)
        .filter(agency=agency)
        .annotate(total_count=Window(Count("id")))
        .order_by("-date", "-id")[:SIDE_LIST]
    )
    # Every visible request, as plain tuples: the statistics need them all, the list shows the newest.
    requests = list(
        RecordsRequest.objects.visible_to(reader)
        .filter(agency=agency)
        .order_by(F("filed_on").desc(nulls_last=True), "-id")
        .values_list("pk", "subject", "status", "filed_on", "closed_on", "due_on", "visibility", "embargo_until")
    )
    # Counted by the database as entries are written (TimelineCount), not over the agency's entries here.
    counts = timeline_counts(scope=agency.pk, reader=reader, today=today)
    technologies, vendors = counted_tags(counts)
    return {
        "technologies": technologies,
        # An agency may deal with hundreds of vendors over the years: the page names the most frequent.
        "vendors": most_used(vendors, AGENCY_VENDORS),
        "vendor_more": max(0, len(vendors) - AGENCY_VENDORS),
        "spend": known_spend(reader=reader, agency=agency),
        "procurements": procurements,
        "procurement_count": procurements[0].total_count if procurements else 0,
        "requests": [
            RequestRow(
                detail_url("request-detail", pk),
                subject,
                RequestStatus(status).label,
                filed_on,
                hidden_label_for(visibility, embargo_until, today),
            )
            for pk, subject, status, filed_on, _closed_on, _due_on, visibility, embargo_until in requests[:SIDE_LIST]
        ],
        "request_count": len(requests),
        "request_stats": request_statistics((row[2:6] for row in requests), today=today),
        "documents": documents,
        "document_count": documents[0].total_count if documents else 0,
        "events_per_year": counted_per_year(counts),
    }
