"""The measurements of bench/run.py, importable so that tests can run them on a tiny database.

Everything here runs in-process with Django's test client, against whatever database the settings
name: the floor view (the base template and 50 items, no query), the key pages chosen from the data
(`key_pages`), their latency (warm-up, then p50 and p95 of timed iterations) and the queries each
issues.
"""

import datetime
import functools
import math
import statistics
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection, reset_queries
from django.db.models import Count
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

FLOOR_ITEMS = [
    {
        "date": datetime.date(2017, 1, 1) + datetime.timedelta(days=i),
        "title": f"Floor item {i + 1}",
        "summary": "A fixed line of text, the length of a timeline entry's summary on a real page.",
        "url": f"/events/{i + 1}/",
    }
    for i in range(50)
]
COMMON_TERM = "contract"
RARE_PHRASE = '"quillmoss vandert overlay"'
CSV_ROWS = 10_000
DEEP_PAGE = 1_000


FLOOR_TEMPLATE = """{% extends "base.html" %}
{% block title %}Floor · Surveillance Procurement Tracker{% endblock title %}
{% block content %}
<h1>The floor</h1>
<p class="lede">A page that costs only Django: the base template and 50 items, no database query.</p>
<ol class="timeline">
{% for item in items %}<li class="event">
  <div class="event-date"><time datetime="{{ item.date|date:'Y-m-d' }}">{{ item.date }}</time></div>
  <div class="event-body"><h3 class="event-title"><a href="{{ item.url }}">{{ item.title }}</a></h3>
  <p>{{ item.summary }}</p></div>
</li>
{% endfor %}
</ol>
{% endblock content %}"""


@functools.cache
def _floor_template():
    # Compiled once, as the cached template loader keeps the site's own templates.
    return engines["django"].from_string(FLOOR_TEMPLATE)


def floor(request):
    """The floor: what any page costs before it asks the database anything."""
    return HttpResponse(_floor_template().render({"items": FLOOR_ITEMS}, request))


@dataclass
class PageResult:
    name: str
    url: str
    status: int
    bytes: int
    iterations: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float
    queries: int
    cold_ms: float = 0.0
    cold_queries: int = 0
    query_sql: list[str] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _fetch(client: Client, url: str) -> tuple[int, int]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(body)


def measure_page(
    client: Client, name: str, url: str, *, warmup: int = 3, iterations: int = 30, budget_s: float = 30.0, note=""
) -> PageResult:
    """One request with an empty cache (cold), then warm up, then time `iterations` requests (fewer if they
    would take longer than `budget_s`)."""
    for each in caches.all():
        each.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as cold_queries:
        begin = time.perf_counter()
        _fetch(client, url)
        cold_ms = (time.perf_counter() - begin) * 1000
    cold_count = len(cold_queries)  # now: the capture reads the connection's log, which is reset below
    for _ in range(warmup):
        _fetch(client, url)
    samples: list[float] = []
    started = time.perf_counter()
    status = size = 0
    while len(samples) < iterations:
        begin = time.perf_counter()
        status, size = _fetch(client, url)
        samples.append((time.perf_counter() - begin) * 1000)
        if len(samples) >= 10 and time.perf_counter() - started > budget_s:
            break
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        _fetch(client, url)
    return PageResult(
        name=name,
        url=url,
        status=status,
        bytes=size,
        iterations=len(samples),
        p50_ms=round(percentile(samples, 0.50), 2),
        p95_ms=round(percentile(samples, 0.95), 2),
        mean_ms=round(statistics.fmean(samples), 2),
        min_ms=round(min(samples), 2),
        max_ms=round(max(samples), 2),
        queries=len(captured),
        cold_ms=round(cold_ms, 2),
        cold_queries=cold_count,
        query_sql=[query["sql"][:300] for query in captured.captured_queries],
        note=note,
    )


def _deep_cursor(queryset) -> tuple[str, int]:
    """The keyset cursor of page 1,000 of `queryset` in (-date, -id) order (the last full page if there are
    fewer), and that page's number."""
    size = settings.PAGE_SIZE
    rows = queryset.count()
    last_full_page = max(1, rows // size)
    page = min(DEEP_PAGE, last_full_page)
    if page == 1:
        return "", 1
    row = queryset.order_by("-date", "-id").values_list("date", "id")[(page - 1) * size - 1]
    return f"{row[0].isoformat()}~{row[1]}", page


def key_pages() -> dict[str, tuple[str, str]]:
    """{name: (url, note)} of the pages the issue names, chosen from the data in the database."""
    from records.models import Agency, Procurement, TimelineEvent, Vendor
    from records.models.visibility import VisibleQuerySet

    public = VisibleQuerySet.public_q()
    events = TimelineEvent.objects.filter(public)
    agency_counts = list(
        events.exclude(agency=None).values_list("agency").annotate(n=Count("id")).order_by("-n", "agency")
    )
    largest_agency = Agency.objects.get(pk=agency_counts[0][0])
    vendor_id, _ = events.values_list("vendors").exclude(vendors=None).annotate(n=Count("id")).order_by("-n")[0]
    vendor = Vendor.objects.get(pk=vendor_id)
    state = (
        events.filter(vendors=vendor)
        .values_list("agency__jurisdiction__state")
        .annotate(n=Count("id"))
        .order_by("-n")[0][0]
    )
    procurement_state, procurement_vendor = (
        Procurement.objects.values_list("agency__jurisdiction__state", "vendor__slug")
        .annotate(n=Count("id"))
        .order_by("-n")[0][:2]
    )
    deep_cursor, deep_page = _deep_cursor(events)

    # The CSV export of a list of up to 10,000 rows, the same shape at every scale: the global timeline from the
    # first day that leaves at most 10,000 entries (all of them in a small set).
    total = events.count()
    csv_url, csv_rows = f"{reverse('timeline')}?format=csv", total
    if total > CSV_ROWS:
        cut = events.order_by("-date", "-id").values_list("date", flat=True)[CSV_ROWS]
        start = cut + datetime.timedelta(days=1)
        csv_url, csv_rows = f"{csv_url}&start={start.isoformat()}", events.filter(date__gte=start).count()

    timeline = reverse("timeline")
    return {
        "floor": (reverse("bench-floor"), "no query: the base template and 50 items"),
        "agency timeline": (largest_agency.get_absolute_url(), f"largest agency, {agency_counts[0][1]:,} entries"),
        "vendor page": (vendor.get_absolute_url(), "the vendor on the most timeline entries"),
        "timeline by vendor and state": (f"{timeline}?vendor={vendor.slug}&state={state}", ""),
        "agencies with facets": (reverse("agency-list"), ""),
        "agencies filtered": (f"{reverse('agency-list')}?state={state}&technology=face-recognition", ""),
        "procurements filtered": (
            f"{reverse('procurement-list')}?state={procurement_state}&vendor={procurement_vendor}&amount_min=1000",
            "",
        ),
        "search common term": (f"{reverse('search')}?q={COMMON_TERM}", ""),
        "search rare phrase": (f"{reverse('search')}?q={RARE_PHRASE.replace(' ', '+')}", ""),
        "timeline page 1": (timeline, ""),
        "timeline deep page": (
            f"{timeline}?after={deep_cursor}" if deep_cursor else timeline,
            f"page {deep_page:,} (cursor built from the data)",
        ),
        "csv export": (csv_url, f"{csv_rows:,} rows"),
    }


def measure_pages(
    pages: dict[str, tuple[str, str]], *, warmup: int = 3, iterations: int = 30, budget_s: float = 30.0
) -> list[PageResult]:
    client = Client()
    results = []
    for name, (url, note) in pages.items():
        # Every page gets the same iterations (of ten, the p95 is the slowest); `budget_s` bounds a slow one.
        results.append(
            measure_page(client, name, url, warmup=warmup, iterations=iterations, budget_s=budget_s, note=note)
        )
    return results
