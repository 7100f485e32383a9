"""/search/: document pages by full text, and agencies, vendors, products, requests and timeline entries by name."""

import csv
from functools import partial

from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from records import exports
from records.documents import search
from records.exports.columns import neutralise
from records.models import (
    Agency,
    Document,
    MentionStatus,
    Product,
    RecordsRequest,
    Technology,
    TimelineEvent,
    Vendor,
)
from records.models.documents import DocumentKind
from records.rules.states import STATE_NAMES
from records.web.digests import follow_link
from records.web.document_forms import MAX_RESULT_PAGES, SearchFilterForm
from records.web.http_cache import http_cached
from records.web.public_cache import public_cached
from records.web.ratelimit import rate_limited
from records.web.views.listing import facet_options

PER_PAGE = 20
PER_TYPE = 10
FACET_SIZE = 15
SHOWN_MENTIONS = (MentionStatus.FOUND, MentionStatus.CONFIRMED)
FACETS = ("agency", "vendor", "kind", "year", "state")
FORMATS = ("html", "json", "csv")
# A CSV holds the best-ranked hits, up to this many: each is a snippet worked out from the page's text.
CSV_MAX_HITS = 1_000
CSV_HEADER = ["document", "page", "url", "snippet", "agency", "date", "kind", "document_url", "vendors"]
# The name and title results, in the page's order, as the line that lists those with no match names them.
NAME_SECTIONS = {
    "agencies": "agencies",
    "vendors": "vendors",
    "products": "products",
    "technologies": "technologies",
    "requests": "records requests",
    "events": "timeline entries",
    "documents": "document titles",
}


def _narrowed(documents, facets: dict):
    if facets.get("agency"):
        documents = documents.filter(agency=facets["agency"])
    if facets.get("vendor"):
        documents = documents.filter(mentions__vendor=facets["vendor"], mentions__status__in=SHOWN_MENTIONS)
    if facets.get("kind"):
        documents = documents.filter(kind=facets["kind"])
    if facets.get("year"):
        documents = documents.filter(date__year=facets["year"])
    if facets.get("state"):
        documents = documents.filter(agency__jurisdiction__state=facets["state"])
    return documents


def _facets(get, matching) -> list[tuple[str, str, list[dict]]]:
    """Counts of matching documents by agency, vendor, kind, year and state: one query each."""
    # The search page keeps its place with `page`, not a cursor.
    options = partial(facet_options, get, page_keys=("page", "format"))
    matching = matching.order_by()
    agencies = (
        matching.exclude(agency=None)
        .values_list("agency__slug", "agency__name")
        .annotate(n=Count("id"))
        .order_by("-n", "agency__name")[:FACET_SIZE]
    )
    vendors = (
        Vendor.objects.filter(
            document_mentions__document__in=matching.values("pk"), document_mentions__status__in=SHOWN_MENTIONS
        )
        .annotate(n=Count("document_mentions__document", distinct=True))
        .order_by("-n", "name")[:FACET_SIZE]
    )
    kinds = dict(DocumentKind.choices)
    kind_counts = matching.values_list("kind").annotate(n=Count("id")).order_by("-n", "kind")
    years = matching.exclude(date=None).values_list("date__year").annotate(n=Count("id")).order_by("-date__year")
    states = (
        matching.exclude(agency=None)
        .values_list("agency__jurisdiction__state")
        .annotate(n=Count("id"))
        .order_by("agency__jurisdiction__state")
    )
    return [
        ("agency", "Agency", options("agency", [(slug, name, n) for slug, name, n in agencies])),
        ("vendor", "Vendor named", options("vendor", [(v.slug, v.name, v.n) for v in vendors])),
        ("kind", "Kind", options("kind", [(k, kinds.get(k, k), n) for k, n in kind_counts])),
        ("year", "Year", options("year", [(str(y), str(y), n) for y, n in years])),
        ("state", "State", options("state", [(s, STATE_NAMES.get(s, s), n) for s, n in states if s])),
    ]


def _hit_json(hit: search.PageHit, absolute) -> dict:
    document = hit.document
    return {
        "url": absolute(hit.url),
        "document": {"name": document.title, "url": absolute(document.get_absolute_url())},
        "agency": exports.link(document.agency, absolute),
        "state": document.agency.jurisdiction.state if document.agency else None,
        "kind": document.kind,
        "date": document.date.isoformat() if document.date else None,
        "page": hit.page,
        "snippet": str(hit.snippet),
        "vendors": [exports.link(vendor, absolute) for vendor in hit.vendors],
    }


def _unmatched(results: dict) -> str:
    """'vendors, products or timeline entries': the kinds of names with no match, for one line."""
    empty = [label for key, label in NAME_SECTIONS.items() if not results.get(key)]
    return " or ".join(filter(None, [", ".join(empty[:-1]), *empty[-1:]]))


def _hits_csv(request, query, facets) -> HttpResponse:
    """The best CSV_MAX_HITS hits among public documents, whoever asks: a file travels further than a page."""
    documents = _narrowed(Document.objects.visible_to(None), facets)
    hits = search.page_hits(query, documents, limit=CSV_MAX_HITS) if query else []
    absolute = request.build_absolute_uri
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for hit in hits:
        document = hit.document
        writer.writerow(
            [
                neutralise(document.title),
                hit.page,
                absolute(hit.url),
                neutralise(hit.snippet_text),
                neutralise(document.agency.name) if document.agency else "",
                document.date.isoformat() if document.date else "",
                document.kind,
                absolute(document.get_absolute_url()),
                neutralise("; ".join(vendor.name for vendor in hit.vendors)),
            ]
        )
    return response


def _with_format(request, wanted: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = wanted
    return f"{request.path}?{query.urlencode()}"


def _page_url(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def _facets_and_names(request, query, documents) -> tuple[list, dict]:
    """The facets of the matching documents, and the agencies, vendors, products, technologies, requests,
    timeline entries and documents whose names or titles match."""
    user = request.user
    facets = _facets(request.GET, search.matching_documents(query, documents))
    names = {
        "agencies": Agency.objects.with_place().filter(
            search.name_filter(query, "name", codes={"ori": Agency.objects.all()})
        )[:PER_TYPE],
        "vendors": Vendor.objects.filter(search.name_filter(query, "name", "aliases__name")).distinct()[:PER_TYPE],
        "products": Product.objects.select_related("vendor").filter(search.name_filter(query, "name"))[:PER_TYPE],
        "technologies": Technology.objects.filter(search.name_filter(query, "name"))[:PER_TYPE],
        "requests": RecordsRequest.objects.visible_to(user)
        .select_related("agency")
        .filter(search.name_filter(query, "subject", "tracking_number"))
        .order_by("-filed_on", "-id")[:PER_TYPE],
        "events": TimelineEvent.objects.visible_to(user)
        .select_related("agency")
        .filter(search.name_filter(query, "title", "summary"))
        .order_by("-date", "-id")[:PER_TYPE],
        "documents": documents.select_related("agency")
        .filter(search.name_filter(query, "title"))
        .order_by("-date", "-id")[:PER_TYPE],
    }
    return facets, {name: list(rows) for name, rows in names.items()}


@require_safe
@rate_limited("search", "SEARCH_RATE_LIMIT")
@http_cached
def search_page(request):
    query = search.parse_query(request.GET.get("q"))
    form = SearchFilterForm(request.GET)
    form.is_valid()
    facets = {name: form.cleaned_data.get(name) for name in FACETS}
    page = form.cleaned_data.get("page") or 1
    status = 400 if form.errors else 200
    wanted = request.GET.get("format") or "html"
    if wanted not in FORMATS:
        message = f"There is no format “{wanted[:20]}” here: use {', '.join(FORMATS[:-1])} or {FORMATS[-1]}."
        context = {"query": query, "search_query": query.text, "form": form, "format_error": message}
        return render(request, "records/search.html", context, status=400)
    if wanted == "csv" and not form.errors:
        return _hits_csv(request, query, facets)

    documents = _narrowed(Document.objects.visible_to(request.user), facets)
    hits, total, next_page = [], None, None
    context = {"query": query, "search_query": query.text, "form": form, "facets": [], "results": {}}
    # Ranking, counting and faceting every matching page is costly for common words: the public's results
    # are kept a while (records/web/public_cache.py), per query, narrowing and page.
    cache_key = f"search:{query.text}:{[(name, request.GET.get(name, '')) for name in FACETS]}"
    if query:
        hits, total = public_cached(
            request,
            f"{cache_key}:{page}",
            lambda: (
                search.page_hits(
                    query, documents, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, reader=request.user
                ),
                search.matching_pages(query, documents).count(),
            ),
        )
        if len(hits) > PER_PAGE:
            hits = hits[:PER_PAGE]
            next_page = page + 1 if page < MAX_RESULT_PAGES else None

    if wanted == "json":
        if form.errors:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        absolute = request.build_absolute_uri
        payload = {
            "count": total if query else 0,
            "next": absolute(_page_url(request, next_page)) if next_page else None,
            "results": [_hit_json(hit, absolute) for hit in hits],
            "notes": list(query.notes),
        }
        return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})

    if query:
        # The facets' links carry the rest of the query string, so it is part of the key.
        shown = sorted((key, value) for key, value in request.GET.lists() if key not in {"page", "format"})
        context["facets"], context["results"] = public_cached(
            request, f"search-facets:{shown}", lambda: _facets_and_names(request, query, documents)
        )
    context |= {
        "unmatched": _unmatched(context["results"]) if query else "",
        "hits": hits,
        "total": total,
        "page": page,
        "first_hit": (page - 1) * PER_PAGE + 1,
        "previous_url": _page_url(request, page - 1) if page > 1 else None,
        "next_url": _page_url(request, next_page) if next_page else None,
        "json_url": _page_url(request, page) + "&format=json",
        "csv_url": _with_format(request, "csv"),
        "csv_max_hits": CSV_MAX_HITS,
        "follow_url": follow_link(request),
        "filtered": any(facets.values()),
        "kept_facets": [(name, request.GET[name]) for name in FACETS if request.GET.get(name)],
    }
    return render(request, "records/search.html", context, status=status)
