from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from records import exports
from records.documents import search
from records.graphics import charts, maps
from records.models import (
    Agency,
    Document,
    MentionStatus,
    Procurement,
    RecordsRequest,
    RequestStatus,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.agencies import AgencyKind
from records.models.jurisdictions import Level
from records.models.visibility import VisibleQuerySet, can_see_everything
from records.rules.permissions import is_staff_member
from records.rules.states import STATE_NAMES
from records.rules.stats import request_statistics
from records.web import filters
from records.web.public_cache import public_cached, public_page_cache
from records.web.views.listing import ListSpec, facet_options, render_list

TIMELINE = ListSpec(
    filterset_class=filters.TimelineFilter,
    fields=exports.TIMELINE_FIELDS,
    template="records/timeline.html",
    filename="timeline",
)


def _timeline_spec(template: str, filename: str, filterset_class=filters.TimelineFilter) -> ListSpec:
    return ListSpec(
        filterset_class=filterset_class, fields=exports.TIMELINE_FIELDS, template=template, filename=filename
    )


def _public_events_q(user, prefix: str = "timeline_events__") -> Q:
    """The visibility rule of timeline events, for counts and joins through a relation."""
    return Q() if can_see_everything(user) else VisibleQuerySet.public_q(prefix=prefix)


def _events(request):
    return TimelineEvent.objects.visible_to(request.user).for_display(request.user)


def _events_per_year(events, chart_id: str, subject: str) -> dict:
    per_year = dict(events.order_by().values_list("date__year").annotate(n=Count("id")))
    return charts.year_bar_chart(
        per_year,
        f"Timeline entries per year: {subject}",
        f"Number of timeline entries about {subject} each year.",
        chart_id=chart_id,
    )


def _adoption(events, subject: str) -> dict:
    """Agencies starting per year: the year of each agency's first entry about the subject."""
    firsts = events.order_by().exclude(agency=None).values("agency").annotate(first=Min("date"))
    per_year: dict[int, int] = {}
    for row in firsts:
        per_year[row["first"].year] = per_year.get(row["first"].year, 0) + 1
    return charts.cumulative_line_chart(
        per_year,
        f"Adoption of {subject}",
        f"Agencies with a first recorded entry about {subject}, by year, and the running total.",
        chart_id="adoption",
    )


def _state_map(agencies, list_url: str, title: str) -> dict:
    counts = dict(agencies.order_by().values_list("jurisdiction__state").annotate(n=Count("id", distinct=True)))
    separator = "&" if "?" in list_url else "?"
    return maps.state_map(
        {code: n for code, n in counts.items() if code},
        lambda code: f"{list_url}{separator}state={code}",
        title,
        "Each state is shaded by its number of matching agencies and links to them.",
    )


@require_safe
@public_page_cache
def home(request):
    events = TimelineEvent.objects.visible_to(request.user).for_display(request.user)[:12]

    def summary():
        # Counting every row of the largest tables: the public's figures are kept a while.
        return {
            "counts": {
                "agencies": Agency.objects.count(),
                "vendors": Vendor.objects.count(),
                "events": TimelineEvent.objects.visible_to(request.user).count(),
                "documents": Document.objects.visible_to(request.user).count(),
            },
            "featured": list(
                Agency.objects.with_place()
                .filter(timeline_events__in=TimelineEvent.objects.visible_to(request.user))
                .annotate(n=Count("timeline_events"))
                .order_by("-n", "name")[:6]
            ),
        }

    return render(request, "records/home.html", {"events": events} | public_cached(request, "home", summary))


@require_safe
@public_page_cache
def timeline(request):
    return render_list(request, TIMELINE, _events(request))


# Agencies


@require_safe
@public_page_cache
def agency_list(request):
    descending = request.GET.get("sort") == "-name"
    spec = ListSpec(
        filterset_class=filters.AgencyFilter,
        fields=exports.AGENCY_FIELDS,
        template="records/agency_list.html",
        filename="agencies",
        key="name",
        key_kind="str",
        descending=descending,
    )

    # Facets and the total count every matching agency: the public's are kept a while, per filter combination.
    filters_key = sorted((key, value) for key, value in request.GET.lists() if key not in {"after", "format"})

    def context_for(rows):
        return public_cached(request, f"agency-list:{filters_key}", lambda: facets(rows))

    def count(rows):
        return public_cached(request, f"agency-list-count:{filters_key}", rows.count)

    def facets(rows):
        # One level of subquery: nesting IN (IN (...)) led PostgreSQL, before ANALYZE, into minutes-long plans.
        matching_ids = rows.order_by().values("pk")
        matching = Agency.objects.filter(pk__in=matching_ids)
        get = request.GET
        kinds, levels = dict(AgencyKind.choices), dict(Level.choices)
        states = (
            matching.order_by()
            .values_list("jurisdiction__state")
            .annotate(n=Count("id"))
            .order_by("jurisdiction__state")
        )
        kind_counts = matching.order_by().values_list("kind").annotate(n=Count("id")).order_by("-n")
        level_counts = matching.order_by().values_list("jurisdiction__level").annotate(n=Count("id")).order_by("-n")
        technologies = (
            Technology.objects.filter(_public_events_q(request.user), timeline_events__agency__in=matching_ids)
            .annotate(n=Count("timeline_events__agency", distinct=True))
            .order_by("-n", "name")
        )
        vendors = (
            Vendor.objects.filter(_public_events_q(request.user), timeline_events__agency__in=matching_ids)
            .annotate(n=Count("timeline_events__agency", distinct=True))
            .order_by("-n", "name")[:25]
        )
        state_counts = [(code, STATE_NAMES.get(code, code), n) for code, n in states if code]
        list_query = get.copy()
        for key in ("state", "after", "format"):
            list_query.pop(key, None)
        return {
            "facets": [
                ("state", "State", facet_options(get, "state", state_counts)),
                ("kind", "Kind", facet_options(get, "kind", [(k, kinds.get(k, k), n) for k, n in kind_counts])),
                ("level", "Level", facet_options(get, "level", [(k, levels.get(k, k), n) for k, n in level_counts])),
                (
                    "technology",
                    "Technology",
                    facet_options(get, "technology", [(t.slug, t.name, t.n) for t in technologies]),
                ),
                ("vendor", "Vendor", facet_options(get, "vendor", [(v.slug, v.name, v.n) for v in vendors])),
            ],
            "state_map": _state_map_from_counts(
                state_counts, f"{request.path}?{list_query.urlencode()}", "Matching agencies by state"
            ),
            "sort": "-name" if descending else "name",
        }

    # A subquery, not a join and GROUP BY: it is computed for the rows of the page only.
    event_counts = (
        TimelineEvent.objects.visible_to(request.user)
        .filter(agency=OuterRef("pk"))
        .order_by()
        .values("agency")
        .annotate(n=Count("id"))
        .values("n")
    )
    base = Agency.objects.with_place().annotate(event_count=Coalesce(Subquery(event_counts), 0))
    return render_list(request, spec, base, context_for, count=count)


def _state_map_from_counts(state_counts, list_url: str, title: str) -> dict:
    separator = "&" if not list_url.endswith("?") else ""
    return maps.state_map(
        {code: n for code, _label, n in state_counts},
        lambda code: f"{list_url}{separator}state={code}",
        title,
        "Each state is shaded by its number of matching agencies and links to them.",
    )


SIDE_LIST = 10
# A vendor page lists the agencies with the most entries about it; the agency list has them all.
VENDOR_AGENCIES = 100
AGENCY_VENDORS = 25


@dataclass(frozen=True)
class AgencyRow:
    name: str
    state: str
    event_count: int
    url: str


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    count: int = 0


def _most_used(tags: list[Tag], limit: int) -> list[Tag]:
    """The `limit` tags on the most entries, in name order."""
    return sorted(sorted(tags, key=lambda tag: -tag.count)[:limit], key=lambda tag: tag.name.lower())


def _tags_of(events) -> tuple[list[Tag], list[Tag]]:
    """The technologies and the vendors of some timeline entries, in one query."""
    events = events.order_by().values("pk")
    technologies = (
        Technology.objects.filter(timeline_events__in=events)
        .order_by()
        .values("slug", "name")
        .annotate(kind=Value("technology"), n=Count("timeline_events"))
    )
    vendors = (
        Vendor.objects.filter(timeline_events__in=events)
        .order_by()
        .values("slug", "name")
        .annotate(kind=Value("vendor"), n=Count("timeline_events"))
    )
    # SQLite refuses ORDER BY inside the parts of a UNION: the parts drop theirs, Python sorts.
    rows = sorted(technologies.union(vendors), key=lambda row: row["name"].lower())
    return (
        [
            Tag(row["name"], row["slug"], reverse("technology-detail", args=[row["slug"]]), row["n"])
            for row in rows
            if row["kind"] == "technology"
        ],
        [
            Tag(row["name"], row["slug"], reverse("vendor-detail", args=[row["slug"]]), row["n"])
            for row in rows
            if row["kind"] == "vendor"
        ],
    )


def _request_row(row) -> dict:
    pk, subject, status, filed_on, _closed_on, _due_on = row
    return {
        "url": reverse("request-detail", args=[pk]),
        "subject": subject,
        "status": RequestStatus(status).label,
        "filed_on": filed_on,
    }


@require_safe
@public_page_cache
def agency_detail(request, slug):
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction__parent", "parent"), slug=slug)
    events = _events(request).filter(agency=agency)

    def context_for(rows):
        return {
            "agency": agency,
            "law": agency.jurisdiction.law_holder(),
            "is_staff_member": is_staff_member(request.user),
            "feed_url": reverse("agency-feed", args=[agency.slug]),
            "side_list": SIDE_LIST,
        } | public_cached(request, f"agency:{agency.pk}", summary)

    def summary():
        visible = TimelineEvent.objects.visible_to(request.user).filter(agency=agency)
        procurements = list(
            Procurement.objects.filter(agency=agency)
            .select_related("vendor", "product")
            .annotate(total_spend=Window(Sum("amount")), total_count=Window(Count("id")))
            .order_by("-signed_on", "-id")[:SIDE_LIST]
        )
        documents = list(
            Document.objects.visible_to(request.user)
            .filter(agency=agency)
            .annotate(total_count=Window(Count("id")))
            .order_by("-date", "-id")[:SIDE_LIST]
        )
        # Every visible request, as plain tuples: the statistics need them all, the list shows the newest.
        requests = list(
            RecordsRequest.objects.visible_to(request.user)
            .filter(agency=agency)
            .order_by(F("filed_on").desc(nulls_last=True), "-id")
            .values_list("pk", "subject", "status", "filed_on", "closed_on", "due_on")
        )
        technologies, vendors = _tags_of(visible)
        return {
            "technologies": technologies,
            # An agency may deal with hundreds of vendors over the years: the page names the most frequent.
            "vendors": _most_used(vendors, AGENCY_VENDORS),
            "vendor_more": max(0, len(vendors) - AGENCY_VENDORS),
            "spend": procurements[0].total_spend if procurements else None,
            "procurements": procurements,
            "procurement_count": procurements[0].total_count if procurements else 0,
            "requests": [_request_row(row) for row in requests[:SIDE_LIST]],
            "request_count": len(requests),
            "request_stats": request_statistics((row[2:] for row in requests), today=timezone.localdate()),
            "documents": documents,
            "document_count": documents[0].total_count if documents else 0,
            "chart": _events_per_year(visible, "per-year", agency.name),
        }

    return render_list(
        request,
        _timeline_spec("records/agency_detail.html", agency.slug, filters.AgencyTimelineFilter),
        events,
        context_for,
    )


# Vendors and technologies


@require_safe
@public_page_cache
def vendor_list(request):
    spec = ListSpec(
        filterset_class=filters.VendorFilter,
        fields=exports.VENDOR_FIELDS,
        template="records/vendor_list.html",
        filename="vendors",
        key="name",
        key_kind="str",
        descending=False,
        prefetch=("aliases",),
    )
    base = Vendor.objects.annotate(
        agency_count=Count("timeline_events__agency", distinct=True, filter=_public_events_q(request.user))
    )
    return render_list(request, spec, base, count=True)


@require_safe
@public_page_cache
def vendor_detail(request, slug):
    vendor = get_object_or_404(Vendor.objects.prefetch_related("aliases"), slug=slug)
    events = _events(request).filter(vendors=vendor)

    def context_for(rows):
        state = request.GET.get("state", "").upper()
        state = state if state in STATE_NAMES else ""
        return {
            "vendor": vendor,
            "agency_state": state,
            "agencies_csv": f"{reverse('agency-list')}?vendor={vendor.slug}&format=csv"
            + (f"&state={state}" if state else ""),
            "agencies_url": f"{reverse('agency-list')}?vendor={vendor.slug}" + (f"&state={state}" if state else ""),
            "feed_url": reverse("vendor-feed", args=[vendor.slug]),
        } | public_cached(request, f"vendor:{vendor.pk}:{state}", lambda: summary(state))

    def summary(state):
        visible = TimelineEvent.objects.visible_to(request.user).filter(vendors=vendor)
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
                AgencyRow(
                    row["name"], row["jurisdiction__state"], row["n"], reverse("agency-detail", args=[row["slug"]])
                )
                for row in sorted(top, key=lambda row: (row["jurisdiction__state"], row["name"]))
            ],
            "agency_total": len(shown),
            "spend": Procurement.objects.filter(vendor=vendor).aggregate(total=Sum("amount"))["total"],
            "chart": _events_per_year(visible, "per-year", vendor.name),
            "adoption": charts.cumulative_line_chart(
                first_years,
                f"Adoption of {vendor.name}",
                f"Agencies with a first recorded entry about {vendor.name}, by year, and the running total.",
                chart_id="adoption",
            ),
            "state_map": _state_map_from_counts(
                [(code, STATE_NAMES.get(code, code), n) for code, n in per_state.items() if code],
                reverse("vendor-detail", args=[vendor.slug]) + "?",
                f"Agencies using {vendor.name}, by state",
            ),
            "documents": list(
                Document.objects.visible_to(request.user)
                .filter(mentions__vendor=vendor, mentions__status__in=[MentionStatus.FOUND, MentionStatus.CONFIRMED])
                .select_related("agency")
                .order_by("-date", "-id")[:50]
            ),
        }

    return render_list(request, _timeline_spec("records/vendor_detail.html", vendor.slug), events, context_for)


@require_safe
@public_page_cache
def technology_list(request):
    technologies = Technology.objects.annotate(
        agency_count=Count("timeline_events__agency", distinct=True, filter=_public_events_q(request.user)),
        event_count=Count("timeline_events", distinct=True, filter=_public_events_q(request.user)),
    ).order_by("name")
    if request.GET.get("format") in {"csv", "json"}:
        absolute = request.build_absolute_uri
        if request.GET["format"] == "csv":
            return exports.csv_response(exports.TECHNOLOGY_FIELDS, technologies, absolute, "technologies")
        return exports.json_response(exports.TECHNOLOGY_FIELDS, technologies, absolute, len(technologies), None)
    return render(request, "records/technology_list.html", {"technologies": technologies})


@require_safe
@public_page_cache
def technology_detail(request, slug):
    technology = get_object_or_404(Technology, slug=slug)
    events = _events(request).filter(technologies=technology)

    def context_for(rows):
        visible = TimelineEvent.objects.visible_to(request.user).filter(technologies=technology)
        agencies = Agency.objects.with_place().filter(timeline_events__in=visible)
        return {
            "technology": technology,
            "products": technology.products.select_related("vendor"),
            "vendors": Vendor.objects.filter(timeline_events__in=visible)
            .annotate(agency_count=Count("timeline_events__agency", distinct=True))
            .order_by("-agency_count", "name"),
            "chart": _events_per_year(visible, "per-year", technology.name),
            "adoption": _adoption(visible, technology.name),
            "state_map": _state_map(
                agencies,
                f"{reverse('agency-list')}?technology={technology.slug}",
                f"Agencies using {technology.name}, by state",
            ),
            "feed_url": reverse("technology-feed", args=[technology.slug]),
        }

    return render_list(request, _timeline_spec("records/technology_detail.html", technology.slug), events, context_for)


# Procurements, requests, documents, events


@require_safe
@public_page_cache
def procurement_list(request):
    spec = ListSpec(
        filterset_class=filters.ProcurementFilter,
        fields=exports.PROCUREMENT_FIELDS,
        template="records/procurement_list.html",
        filename="procurements",
        key="id",
        key_kind="int",
    )
    base = Procurement.objects.select_related("agency__jurisdiction", "vendor", "product")
    return render_list(request, spec, base)


@require_safe
@public_page_cache
def procurement_detail(request, pk):
    procurement = get_object_or_404(
        Procurement.objects.select_related("agency__jurisdiction", "vendor", "product"), pk=pk
    )
    documents = procurement.documents.visible_to(request.user)
    return render(request, "records/procurement_detail.html", {"procurement": procurement, "documents": documents})


@require_safe
@public_page_cache
def request_list(request):
    spec = ListSpec(
        filterset_class=filters.RequestFilter,
        fields=exports.REQUEST_FIELDS,
        template="records/request_list.html",
        filename="requests",
        key="id",
        key_kind="int",
    )
    base = RecordsRequest.objects.visible_to(request.user).select_related("agency__jurisdiction")
    return render_list(request, spec, base)


@require_safe
@public_page_cache
def request_detail(request, pk):
    records_request = get_object_or_404(
        RecordsRequest.objects.visible_to(request.user).select_related("agency__jurisdiction__parent"), pk=pk
    )
    context = {
        "records_request": records_request,
        "law": records_request.agency.jurisdiction.law_holder(),
        "correspondence": records_request.correspondence.visible_to(request.user),
        "documents": records_request.documents.visible_to(request.user),
    }
    return render(request, "records/request_detail.html", context)


@require_safe
@public_page_cache
def document_list(request):
    spec = ListSpec(
        filterset_class=filters.DocumentFilter,
        fields=exports.DOCUMENT_FIELDS,
        template="records/document_list.html",
        filename="documents",
        key="id",
        key_kind="int",
    )
    base = Document.objects.visible_to(request.user).with_relations().with_request_shown_to(request.user)
    return render_list(request, spec, base)


@require_safe
@public_page_cache
def document_detail(request, pk):
    document = get_object_or_404(Document.objects.visible_to(request.user).with_relations(), pk=pk)
    query = search.parse_query(request.GET.get("q"))
    highlighted = search.highlighted_pages(query, document)
    source = document.request
    context = {
        "document": document,
        "pages": [(page, highlighted.get(page.number)) for page in document.pages.all()],
        "matching_pages": sorted(highlighted),
        "query": query,
        "search_query": query.text,
        "source_request": source if source and (can_see_everything(request.user) or source.is_public()) else None,
        "mentions": document.mentions.exclude(status=MentionStatus.REMOVED).select_related("vendor", "product__vendor"),
        "events": TimelineEvent.objects.visible_to(request.user).filter(sources__document=document).distinct(),
    }
    return render(request, "records/document_detail.html", context)


@require_safe
def document_download(request, pk):
    """The stored file as an attachment under its original name. nosniff and a sandbox CSP stop a browser
    from running an uploaded file as a page of this site."""
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    if not document.file:
        raise Http404("This document has no file.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    response = FileResponse(handle, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = _attachment_header(document.original_filename or f"document-{document.pk}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def _attachment_header(filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, and the exact name UTF-8 percent-encoded in filename*."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@require_safe
@public_page_cache
def event_detail(request, pk):
    event = get_object_or_404(TimelineEvent.objects.visible_to(request.user).for_display(request.user), pk=pk)
    return render(request, "records/event_detail.html", {"event": event})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /staff/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
