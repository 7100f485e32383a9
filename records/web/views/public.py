import dataclasses
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from records import exports
from records.documents import search
from records.exports import lists as columns
from records.exports.columns import Order
from records.graphics import charts, maps
from records.models import (
    Agency,
    Document,
    MentionStatus,
    Procurement,
    RecordsRequest,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.timeline_counts import WHOLE_TIMELINE
from records.rules.permissions import is_staff_member
from records.rules.states import STATE_NAMES
from records.selectors.agencies import SIDE_LIST, agencies_with_entry_counts, agency_facets, agency_summary
from records.selectors.facets import (
    counted_timeline_facets,
    document_facets,
    procurement_facets,
    request_facets,
    timeline_facets,
)
from records.selectors.home import home_summary, latest_acquisitions
from records.selectors.oversight import agency_oversight, procurement_oversight
from records.selectors.procurements import known_spend, procurement_terms, procurements_spend
from records.selectors.sharing import agency_sharing, network_size
from records.selectors.technologies import technologies_with_counts, technology_summary
from records.selectors.timeline import timeline_counts
from records.selectors.vendors import vendor_summary, vendors_with_agency_counts
from records.web import filters
from records.web.edit_links import edit_url
from records.web.public_cache import keeper, public_cached, public_page_cache
from records.web.views.listing import FORMATS, ListSpec, facet_options, render_list, unknown_format


def _for_display(events, reader):
    return events.for_display(reader)


TIMELINE = ListSpec(
    filters.TimelineFilter, columns.TIMELINE, "records/timeline.html", "timeline", for_page=_for_display
)
AGENCIES = ListSpec.by_name(filters.AgencyFilter, columns.AGENCIES, "records/agency_list.html", "agencies")
AGENCIES_BY_NAME_DESCENDING = dataclasses.replace(AGENCIES, descending=True)
VENDORS = dataclasses.replace(
    ListSpec.by_name(filters.VendorFilter, columns.VENDORS, "records/vendor_list.html", "vendors"),
    for_page=lambda rows, reader: rows.prefetch_related("aliases"),
)
PROCUREMENTS = ListSpec.by_id(
    filters.ProcurementFilter, columns.PROCUREMENTS, "records/procurement_list.html", "procurements"
)
REQUESTS = ListSpec.by_id(filters.RequestFilter, columns.REQUESTS, "records/request_list.html", "requests")
DOCUMENTS = ListSpec.by_id(filters.DocumentFilter, columns.DOCUMENTS, "records/document_list.html", "documents")
# The timeline of one agency, vendor or technology, on its page; the export is named by the subject's slug.
AGENCY_TIMELINE = ListSpec(
    filters.AgencyTimelineFilter, columns.TIMELINE, "records/agency_detail.html", "timeline", for_page=_for_display
)
VENDOR_TIMELINE = ListSpec(
    filters.TimelineFilter, columns.TIMELINE, "records/vendor_detail.html", "timeline", for_page=_for_display
)
TECHNOLOGY_TIMELINE = ListSpec(
    filters.TimelineFilter, columns.TIMELINE, "records/technology_detail.html", "timeline", for_page=_for_display
)
TECHNOLOGIES_ORDER = Order("name", descending=False)


def _events(request):
    """The timeline entries the reader may see; a list's page reads them for display (TIMELINE.for_page)."""
    return TimelineEvent.objects.visible_to(request.user)


def _per_year_chart(per_year: dict, subject: str) -> dict:
    return charts.year_bar_chart(
        per_year,
        f"Timeline entries per year: {subject}",
        f"Number of timeline entries about {subject} each year.",
        chart_id="per-year",
        y_title="Timeline entries",
    )


def _adoption_chart(first_years: dict, subject: str) -> dict:
    return charts.cumulative_line_chart(
        first_years,
        f"Adoption of {subject}",
        f"Agencies with a first recorded entry about {subject}, by year, and the running total.",
        chart_id="adoption",
        y_title="Agencies, in all",
    )


def _adoption_graphics(found: dict, subject: str, map_url: str) -> dict:
    """A vendor's or a technology's charts and map, from its summary: entries per year, agencies adopting it by
    year, and agencies by state (each state linking to `map_url` narrowed to it)."""
    return {
        "chart": _per_year_chart(found["events_per_year"], subject),
        "adoption": _adoption_chart(found["first_years"], subject),
        "state_map": _state_map(found["agencies_per_state"], map_url, f"Agencies using {subject}, by state"),
    }


def _state_map(per_state: dict, list_url: str, title: str) -> dict:
    """The map of agencies per state, each state linking to the list at `list_url` (which has its "?") narrowed to
    it."""
    separator = "" if list_url.endswith("?") else "&"
    return maps.state_map(
        per_state,
        lambda code: f"{list_url}{separator}state={code}",
        title,
        "Each state is shaded by its number of matching agencies and links to them.",
    )


def _spend_json(request, key: str, **subject) -> dict:
    """What a subject's timeline JSON carries beside its rows: the known spend its page states."""
    spend = public_cached(request, f"spend:{key}", lambda: known_spend(reader=request.user, **subject))
    return {"spend": exports.spend_json(spend)}


@require_safe
@public_page_cache
def home(request):
    summary = public_cached(request, "home", lambda: home_summary(reader=request.user))
    return render(
        request,
        "records/home.html",
        summary
        | {
            "acquisitions": latest_acquisitions(reader=request.user),
            "state_map": _state_map(
                summary["agencies_per_state"], reverse("agency-list") + "?", "Agencies with entries, by state"
            ),
        },
    )


def _filters_key(request) -> list:
    """The query's filters, in one order: what a list's kept aggregates depend on (not its page or format)."""
    return sorted((key, value) for key, value in request.GET.lists() if key not in {"after", "format", "sort"})


def _facets_for(request, name: str, facets, labels: list[tuple[str, str]]):
    """A list's `context_for`: its facets, counted over every matching row by `facets(rows)` (a selector), kept for
    the public per filter combination; each option links to the list narrowed by it."""

    def context_for(rows):
        counts = public_cached(request, f"{name}-facets:{_filters_key(request)}", lambda: facets(rows))
        return {"facets": [(key, label, facet_options(request.GET, key, counts[key])) for key, label in labels]}

    return context_for


TIMELINE_FACETS = [("kind", "Kind"), ("technology", "Technology"), ("vendor", "Vendor"), ("state", "State"),
                   ("year", "Year")]  # fmt: skip
REQUEST_FACETS = [("status", "Status"), ("outcome", "Outcome"), ("state", "State"), ("year", "Year filed")]
PROCUREMENT_FACETS = [("kind", "Kind"), ("method", "Method"), ("vendor", "Vendor"), ("state", "State"),
                      ("year", "Year signed")]  # fmt: skip
DOCUMENT_FACETS = [("kind", "Kind"), ("agency", "Agency"), ("year", "Year")]


def _feed_url(request, feed: str, *args) -> str:
    """The Atom feed of a timeline, with the filters the page shows (not its page, format or order)."""
    query = request.GET.copy()
    for key in ("after", "format", "sort"):
        query.pop(key, None)
    url = reverse(feed, args=args)
    return f"{url}?{query.urlencode()}" if query else url


@require_safe
@public_page_cache
def timeline(request):
    def facets_of(rows):
        if _filters_key(request):
            return timeline_facets(events=rows)
        # The whole timeline: the counts the database keeps as entries are written.
        counts = timeline_counts(scope=WHOLE_TIMELINE, reader=request.user, today=timezone.localdate())
        return counted_timeline_facets(counts)

    facets = _facets_for(request, "timeline", facets_of, TIMELINE_FACETS)
    return render_list(
        request,
        TIMELINE,
        _events(request),
        lambda rows: facets(rows) | {"feed_url": _feed_url(request, "timeline-feed")},
    )


# Agencies

AGENCY_FACETS = [
    ("state", "State"),
    ("kind", "Kind"),
    ("level", "Level"),
    ("technology", "Technology"),
    ("vendor", "Vendor"),
]


@require_safe
@public_page_cache
def agency_list(request):
    descending = request.GET.get("sort") == "-name"
    spec = AGENCIES_BY_NAME_DESCENDING if descending else AGENCIES
    # Facets and the total count every matching agency: the public's are kept a while, per filter combination.
    filters_key = sorted((key, value) for key, value in request.GET.lists() if key not in {"after", "format"})

    def facets(rows):
        options = agency_facets(agencies=rows, reader=request.user)
        list_query = request.GET.copy()
        for key in ("state", "after", "format"):
            list_query.pop(key, None)
        return {
            "facets": [(name, label, facet_options(request.GET, name, options[name])) for name, label in AGENCY_FACETS],
            "state_map": _state_map(
                {code: n for code, _label, n in options["state"]},
                f"{request.path}?{list_query.urlencode()}",
                "Matching agencies by state",
            ),
            "sort": "-name" if descending else "name",
        }

    def context_for(rows):
        return public_cached(request, f"agency-list:{filters_key}", lambda: facets(rows))

    def count(rows):
        return public_cached(request, f"agency-list-count:{filters_key}", rows.count)

    base = agencies_with_entry_counts(reader=request.user)
    return render_list(request, spec, base, context_for, count=count, keep=keeper(request))


@require_safe
@public_page_cache
def agency_detail(request, slug):
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction__parent", "parent"), slug=slug)

    def summary():
        today = timezone.localdate()
        found = agency_summary(agency=agency, reader=request.user, today=today)
        sharing = agency_sharing(agency=agency, reader=request.user, today=today)
        return found | {
            "chart": _per_year_chart(found["events_per_year"], agency.name),
            "oversight_records": agency_oversight(agency=agency, reader=request.user),
            "sharing": sharing,
            # Where the agencies that can search its data are: every state shaded by how many, the agency's own
            # included (the answers say how many other than its own).
            "sharing_map": maps.state_map(
                {group.state: group.count for group in sharing["shares_with"] if group.state},
                lambda code: f"{reverse('sharing-list')}?agency={agency.slug}&direction=shares&state={code}",
                f"Who can search {agency.name}'s data, by state",
                "Each state is shaded by how many agencies and organisations there can search this agency's data, "
                "and links to those links; a line goes from the agency to each agency of the lower 48 states it "
                "shares with, where the directory has its location.",
                noun=("agency or organisation", "agencies and organisations"),
                id_prefix="sharing-map",
                origin=(agency.longitude, agency.latitude) if agency.latitude is not None else None,
                points=sharing["map_points"],
            ),
        }

    def context_for(rows):
        return {
            "agency": agency,
            "law": agency.jurisdiction.law_holder(),
            "is_staff_member": is_staff_member(request.user),
            "feed_url": _feed_url(request, "agency-feed", agency.slug),
            "side_list": SIDE_LIST,
            "spend_url": f"{reverse('procurement-list')}?agency={agency.slug}",
            "sharing_url": f"{reverse('sharing-list')}?agency={agency.slug}",
            "sharing_json_url": reverse("agency-sharing-json", args=[agency.slug]),
        } | public_cached(request, f"agency:{agency.pk}", summary)

    def json_for(rows):
        return _spend_json(request, f"agency:{agency.pk}", agency=agency)

    events = _events(request).filter(agency=agency)
    return render_list(request, AGENCY_TIMELINE, events, context_for, filename=agency.slug, json_for=json_for)


# Vendors and technologies


@require_safe
@public_page_cache
def vendor_list(request):
    return render_list(request, VENDORS, vendors_with_agency_counts(reader=request.user), count=True)


@require_safe
@public_page_cache
def vendor_detail(request, slug):
    vendor = get_object_or_404(Vendor.objects.prefetch_related("aliases"), slug=slug)
    state = request.GET.get("state", "").upper()
    state = state if state in STATE_NAMES else ""

    def summary():
        found = vendor_summary(vendor=vendor, reader=request.user, state=state)
        return (
            found
            | _adoption_graphics(found, vendor.name, reverse("vendor-detail", args=[vendor.slug]) + "?")
            | {"network": network_size(reader=request.user, vendor=vendor)}
        )

    def context_for(rows):
        narrowed = f"&state={state}" if state else ""
        return {
            "vendor": vendor,
            "agency_state": state,
            "agencies_csv": f"{reverse('agency-list')}?vendor={vendor.slug}&format=csv{narrowed}",
            "agencies_url": f"{reverse('agency-list')}?vendor={vendor.slug}{narrowed}",
            "feed_url": _feed_url(request, "vendor-feed", vendor.slug),
            "spend_url": f"{reverse('procurement-list')}?vendor={vendor.slug}{narrowed}",
            "sharing_url": f"{reverse('sharing-list')}?vendor={vendor.slug}",
        } | public_cached(request, f"vendor:{vendor.pk}:{state}", summary)

    def json_for(rows):
        return _spend_json(request, f"vendor:{vendor.pk}:{state}", vendor=vendor, state=state)

    events = _events(request).filter(vendors=vendor)
    return render_list(request, VENDOR_TIMELINE, events, context_for, filename=vendor.slug, json_for=json_for)


@require_safe
@public_page_cache
def technology_list(request):
    technologies = technologies_with_counts(reader=request.user)
    wanted = request.GET.get("format") or "html"
    if wanted not in FORMATS:
        return unknown_format(request, wanted)
    if wanted in {"csv", "json"}:
        export = exports.export_for(request.build_absolute_uri, request.user)
        if wanted == "csv":
            return exports.csv_response(columns.TECHNOLOGIES, technologies, TECHNOLOGIES_ORDER, export, "technologies")
        reader = exports.Reader(columns.TECHNOLOGIES, export)
        rows = [row for batch in reader.batches(technologies, TECHNOLOGIES_ORDER) for row in reader.json_rows(batch)]
        return exports.json_response(columns.TECHNOLOGIES, rows, len(rows), None)
    return render(request, "records/technology_list.html", {"technologies": technologies})


@require_safe
@public_page_cache
def technology_detail(request, slug):
    technology = get_object_or_404(Technology, slug=slug)

    def context_for(rows):
        found = technology_summary(technology=technology, reader=request.user)
        found["network"] = public_cached(
            request,
            f"technology-network:{technology.pk}",
            lambda: network_size(reader=request.user, technology=technology),
        )
        map_url = f"{reverse('agency-list')}?technology={technology.slug}"
        return (
            found
            | _adoption_graphics(found, technology.name, map_url)
            | {
                "technology": technology,
                "feed_url": _feed_url(request, "technology-feed", technology.slug),
                "spend_url": f"{reverse('procurement-list')}?technology={technology.slug}",
                "sharing_url": f"{reverse('sharing-list')}?technology={technology.slug}",
            }
        )

    def json_for(rows):
        return _spend_json(request, f"technology:{technology.pk}", technology=technology)

    events = _events(request).filter(technologies=technology)
    return render_list(request, TECHNOLOGY_TIMELINE, events, context_for, filename=technology.slug, json_for=json_for)


# Procurements, requests, documents, events


@require_safe
@public_page_cache
def procurement_list(request):
    base = Procurement.objects.visible_to(request.user).select_related("agency__jurisdiction", "vendor", "product")
    # The known spend of every procurement the filters match, not of one page: kept for the public a while,
    # per filter combination, as the agency list's facets are.
    filters_key = _filters_key(request)
    facets = _facets_for(request, "procurement", lambda rows: procurement_facets(procurements=rows), PROCUREMENT_FACETS)

    def spend(rows):
        return public_cached(
            request,
            f"procurement-spend:{filters_key}",
            lambda: procurements_spend(procurements=rows, reader=request.user),
        )

    return render_list(
        request,
        PROCUREMENTS,
        base,
        context_for=lambda rows: {"spend": spend(rows)} | facets(rows),
        json_for=lambda rows: {"spend": exports.spend_json(spend(rows))},
    )


@require_safe
@public_page_cache
def procurement_detail(request, pk):
    procurement = get_object_or_404(
        Procurement.objects.visible_to(request.user).select_related("agency__jurisdiction", "vendor", "product"), pk=pk
    )
    documents = procurement.documents.visible_to(request.user)
    terms = procurement_terms(procurement=procurement, reader=request.user)
    context = {"procurement": procurement, "documents": documents, "edit_url": edit_url(request.user, procurement)}
    context |= terms
    context |= procurement_oversight(procurement=procurement, reader=request.user, today=timezone.localdate())
    return render(request, "records/procurement_detail.html", context)


@require_safe
@public_page_cache
def request_list(request):
    base = RecordsRequest.objects.visible_to(request.user).select_related("agency__jurisdiction")
    facets = _facets_for(request, "request", lambda rows: request_facets(requests=rows), REQUEST_FACETS)
    return render_list(request, REQUESTS, base, facets)


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
        "edit_url": edit_url(request.user, records_request),
    }
    return render(request, "records/request_detail.html", context)


@require_safe
@public_page_cache
def document_list(request):
    base = Document.objects.visible_to(request.user).with_relations().with_request_shown_to(request.user)
    facets = _facets_for(request, "document", lambda rows: document_facets(documents=rows), DOCUMENT_FACETS)
    return render_list(request, DOCUMENTS, base, facets)


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
        "source_request": source if source and source.is_visible_to(request.user) else None,
        "mentions": document.mentions.exclude(status=MentionStatus.REMOVED).select_related("vendor", "product__vendor"),
        "events": TimelineEvent.objects.visible_to(request.user).filter(sources__document=document).distinct(),
        "edit_url": edit_url(request.user, document),
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
    return render(request, "records/event_detail.html", {"event": event, "edit_url": edit_url(request.user, event)})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /staff/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
