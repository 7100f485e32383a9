"""Facet counts of the timeline, records request, procurement and document lists.

Each takes the list's filtered rows (already what the reader may see, narrowed by every active filter) and gives,
per facet, (value, label, count) options: the value is what the list's filter of that name takes. A list's
facets cost two grouped queries at most: the plain columns grouped together in one (a few thousand groups at
most: kinds x states x years), a related record's (vendors, agencies, technologies) in the other. The views keep
the public's counts with the other aggregates (records/web/public_cache.py), per filter combination.
"""

from collections import Counter

from django.db.models import Count

from records.models import EventKind, ProcurementKind, ProcurementMethod, RequestStatus
from records.models.documents import DocumentKind
from records.rules.requests import OUTCOMES, outcome_of
from records.rules.states import STATE_NAMES
from records.selectors.timeline import counted_per_year, counted_tags, tags_of

# A facet of related records (vendors, agencies) names the most frequent; the list's filter takes any.
FACET_TOP = 25


def _options(counts: Counter, labels: dict | None = None) -> list[tuple]:
    """Options in label order (a year facet: newest first), without empty values."""
    options = [(value, (labels or {}).get(value, value), n) for value, n in counts.items() if value not in ("", None)]
    if all(isinstance(value, int) for value, _, _ in options):
        return sorted(options, reverse=True)
    return sorted(options, key=lambda option: str(option[1]).lower())


def _states(counts: Counter) -> list[tuple]:
    return _options(counts, STATE_NAMES)


def _count_by(rows, *columns) -> list[Counter]:
    """One grouped query over `columns`; a Counter per column."""
    counters = [Counter() for _ in columns]
    for *values, n in rows.order_by().values_list(*columns).annotate(n=Count("id")):
        for counter, value in zip(counters, values, strict=True):
            counter[value] += n
    return counters


def _top(options: list[tuple]) -> list[tuple]:
    """The FACET_TOP options with the highest counts, in label order."""
    top = sorted(options, key=lambda option: -option[2])[:FACET_TOP]
    return sorted(top, key=lambda option: str(option[1]).lower())


def timeline_facets(*, events) -> dict[str, list[tuple]]:
    """Kind, technology, vendor (the most frequent), state and year of some timeline entries."""
    kinds, states, years = _count_by(events, "kind", "state", "date__year")
    return _timeline_options(kinds, states, years, *tags_of(events))


def counted_timeline_facets(counts: dict[str, dict[str, int]]) -> dict[str, list[tuple]]:
    """timeline_facets from the kept counts (selectors.timeline.timeline_counts) instead of the rows: one query
    for the names of the technologies and vendors."""
    return _timeline_options(
        Counter(counts["kind"]), Counter(counts["state"]), Counter(counted_per_year(counts)), *counted_tags(counts)
    )


def _timeline_options(kinds: Counter, states: Counter, years: Counter, technologies, vendors) -> dict[str, list]:
    return {
        "kind": _options(kinds, dict(EventKind.choices)),
        "technology": [(tag.slug, tag.name, tag.count) for tag in technologies],
        "vendor": _top([(tag.slug, tag.name, tag.count) for tag in vendors]),
        "state": _states(states),
        "year": _options(years),
    }


def request_facets(*, requests) -> dict[str, list[tuple]]:
    """Status, outcome, state and year filed of some records requests."""
    statuses, states, years = _count_by(requests, "status", "agency__jurisdiction__state", "filed_on__year")
    outcomes = Counter()
    for status, n in statuses.items():
        if outcome := outcome_of(status):
            outcomes[outcome] += n
    return {
        "status": _options(statuses, dict(RequestStatus.choices)),
        "outcome": [(value, label, outcomes[value]) for value, label, _ in OUTCOMES if outcomes[value]],
        "state": _states(states),
        "year": _options(years),
    }


def procurement_facets(*, procurements) -> dict[str, list[tuple]]:
    """Kind, method, vendor (the most frequent), state and year signed of some procurements."""
    kinds, methods, states, years = _count_by(procurements, "kind", "method", "state", "signed_on__year")
    vendors = (
        procurements.order_by()
        .values_list("vendor__slug", "vendor__name")
        .annotate(n=Count("id"))
        .order_by("-n", "vendor__name")[:FACET_TOP]
    )
    return {
        "kind": _options(kinds, dict(ProcurementKind.choices)),
        "method": _options(methods, dict(ProcurementMethod.choices)),
        "vendor": _top(list(vendors)),
        "state": _states(states),
        "year": _options(years),
    }


def document_facets(*, documents) -> dict[str, list[tuple]]:
    """Kind, agency (the most frequent) and year of some documents."""
    kinds, years = _count_by(documents, "kind", "date__year")
    agencies = (
        documents.order_by()
        .exclude(agency=None)
        .values_list("agency__slug", "agency__name", "agency__jurisdiction__state")
        .annotate(n=Count("id"))
        .order_by("-n", "agency__name")[:FACET_TOP]
    )
    return {
        "kind": _options(kinds, dict(DocumentKind.choices)),
        "agency": _top([(slug, f"{name} ({state})" if state else name, n) for slug, name, state, n in agencies]),
        "year": _options(years),
    }
