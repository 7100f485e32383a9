"""The shared machinery of every public list: filters, keyset pages, and the CSV and JSON exports."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from records import exports
from records.exports.columns import Column, Order, Reader
from records.web.digests import follow_link
from records.web.pagination import BadCursor, Sort, format_cursor, keyset_page, parse_cursor

# A JSON list counts its rows when they are at most this many: counting stops there, so the count costs no
# scan of a large table. Past it the count is null (README, "Exports").
JSON_COUNT_LIMIT = 10_000
# What `format=` may ask for; the page itself is `html`, or no format at all.
FORMATS = ("html", "csv", "json")


@dataclass(frozen=True)
class ListSpec:
    filterset_class: type
    columns: list[Column]
    template: str
    filename: str
    key: str = "date"
    key_kind: str = "date"
    descending: bool = True
    nullable: bool = False
    # How the HTML page reads its rows, as (rows, reader) -> rows: the joins and prefetches its template needs,
    # which the exports, reading plain tuples, must not pay for.
    for_page: Callable | None = None

    @classmethod
    def by_name(cls, filterset_class, columns, template, filename) -> "ListSpec":
        """A list in name order, A to Z."""
        return cls(filterset_class, columns, template, filename, key="name", key_kind="str", descending=False)

    @classmethod
    def by_id(cls, filterset_class, columns, template, filename) -> "ListSpec":
        """A list newest first, by id."""
        return cls(filterset_class, columns, template, filename, key="id", key_kind="int")

    @property
    def order(self) -> Order:
        return Order(self.key, self.descending, self.nullable)

    def sorted_by(self, sort: Sort | None) -> "ListSpec":
        """This list in the order `sort` names (None: its own)."""
        if sort is None:
            return self
        return dataclasses.replace(
            self, key=sort.key, key_kind=sort.key_kind, descending=sort.descending, nullable=sort.nullable
        )


def bad_query(request, heading: str, messages: list[str]) -> HttpResponse:
    """A 400 page saying what in the query could not be used (messages are escaped like any page's text)."""
    return render(request, "records/bad_query.html", {"heading": heading, "messages": messages}, status=400)


def unknown_format(request, wanted: str) -> HttpResponse:
    """The answer to a `format=` no list has: which ones there are, instead of the page as if nothing was asked."""
    return bad_query(
        request,
        "No such format",
        [f"There is no format “{wanted[:40]}”. Ask for format=csv or format=json, or leave format out for the page."],
    )


def chosen_sort(filterset) -> Sort | None:
    """The Sort the query's valid `sort=` names, if the list offers any (BaseFilterSet.sorts)."""
    sorts = getattr(filterset, "sorts", None)
    if not sorts or not filterset.is_bound:
        return None
    return sorts.get(filterset.form.cleaned_data.get("sort") or "")


def bounded_count(rows) -> int | None:
    """How many rows there are, if at most JSON_COUNT_LIMIT; None past it."""
    limit = JSON_COUNT_LIMIT
    found = rows.order_by()[: limit + 1].count()
    return found if found <= limit else None


def render_list(
    request, spec: ListSpec, queryset, context_for=None, count=False, keep=None, filename=None, json_for=None
):
    """Filter `queryset` by the query string and answer as HTML, `format=csv` or `format=json`.

    Invalid filter values are dropped from the query and reported at their filter with HTTP 400.
    `context_for(rows)` adds page-specific context (facets, charts) computed from the filtered rows; `keep` is
    given to the filters, which may keep costly intermediate results with it (BaseFilterSet); `filename` names the
    CSV download when it is not the spec's (a subject's timeline is named by its slug); `json_for(rows)` gives
    what the JSON carries beside its rows (e.g. the known spend the page states), keyed by name.
    """
    wanted = request.GET.get("format") or "html"
    if wanted not in FORMATS:
        return unknown_format(request, wanted)
    filterset = spec.filterset_class(request.GET or None, queryset=queryset, request=request, keep=keep)
    rows = filterset.qs
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    spec = spec.sorted_by(chosen_sort(filterset))

    # Built once: the exports call this for every link of every row.
    origin = request.build_absolute_uri("/")[:-1]

    def absolute(path):
        return origin + path if path.startswith("/") else request.build_absolute_uri(path)

    export = exports.export_for(absolute, request.user)
    if wanted == "csv" and status == 200:
        name = filename or spec.filename
        return exports.csv_response(spec.columns, rows, spec.order, export, name)

    cursor, after, cursor_error = request.GET.get("after") or None, None, None
    if cursor:
        try:
            after = parse_cursor(cursor, spec.key_kind, spec.nullable)
        except BadCursor as error:
            cursor, cursor_error, status = None, str(error), 400
    if wanted == "json" and status != 200:
        errors = {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
        if cursor_error:
            errors["after"] = [cursor_error]
        return exports.JsonResponse({"errors": errors}, status=400)
    # `count` is True, or a function of the rows that counts them (e.g. through a cache).
    total = (count(rows) if callable(count) else rows.count()) if count else None

    if wanted == "json":
        values, next_key = Reader(spec.columns, export).page(rows, spec.order, after=after, size=settings.PAGE_SIZE)
        next_url = None
        if next_key:
            query = request.GET.copy()
            query["after"] = format_cursor(*next_key)
            next_url = absolute(f"{request.path}?{query.urlencode()}")
        if total is None:
            total = bounded_count(rows)
        extra = json_for(rows) if json_for else None
        return exports.json_response(spec.columns, values, total, next_url, extra=extra)

    page = keyset_page(
        spec.for_page(rows, request.user) if spec.for_page else rows,
        cursor,
        settings.PAGE_SIZE,
        spec.key,
        spec.key_kind,
        spec.descending,
        spec.nullable,
    )
    export_query = request.GET.copy()
    export_query.pop("after", None)
    export_query["format"] = "csv"
    csv_url = f"{request.path}?{export_query.urlencode()}"
    export_query["format"] = "json"
    json_url = f"{request.path}?{export_query.urlencode()}"
    drop_links = []
    for key in request.GET:
        if key not in {"after", "format", "sort"} and request.GET.get(key):
            query = request.GET.copy()
            del query[key]
            query.pop("after", None)
            drop_links.append((key, f"{request.path}?{query.urlencode()}" if query else request.path))
    base = {
        "drop_links": drop_links,
        "active_filters": active_filters(filterset.form, drop_links),
        "filter": filterset,
        "page": page,
        "total": total,
        "cursor_error": cursor_error,
        "csv_url": csv_url,
        "json_url": json_url,
        "filtered": bool(drop_links),
        "follow_url": follow_link(request),
    }
    extra = context_for(rows) if context_for else {}
    return render(request, spec.template, base | extra, status=status)


def active_filters(form, drop_links) -> list[dict]:
    """The filters in use, as a reader would name them ("State: Oregon", "Technology: Face Recognition"), each with
    the link that drops it: what the collapsed filter form shows as removable chips. A value the form refused is
    shown as it was typed."""
    cleaned = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    chips = []
    for key, url in drop_links:
        field = form.fields.get(key)
        raw = str(form.data.get(key, "")).strip()
        value = cleaned.get(key) if key not in form.errors else None
        if value is None or value == "":
            shown = raw
        elif hasattr(value, "name"):
            shown = value.name
        elif choices := getattr(field, "choices", None):
            shown = {str(k): v for k, v in choices}.get(raw, raw)
        else:
            shown = raw
        chips.append({"label": field.label if field is not None else key, "value": shown[:80], "url": url})
    return chips


def facet_options(get, name: str, value_label_counts, page_keys=("after", "format")) -> list[dict]:
    """Options of one facet: each with its count, the query string that selects it, and the one that clears
    it. Selecting or clearing drops the page position (`page_keys`), which belongs to the old result."""
    selected = (get.get(name) or "").strip().lower()
    cleared = get.copy()
    for key in (name, *page_keys):
        cleared.pop(key, None)
    options = []
    for value, label, count in value_label_counts:
        query = cleared.copy()
        query[name] = value
        options.append(
            {
                "value": value,
                "label": label,
                "count": count,
                "selected": str(value).lower() == selected,
                "query": query.urlencode(),
                "clear": cleared.urlencode(),
            }
        )
    return options
