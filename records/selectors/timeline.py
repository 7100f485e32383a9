"""What several pages read of a set of timeline entries: entries per year, first years, and their tags."""

from dataclasses import dataclass

from django.db.models import Count, Min, Q, Value

from records.links import detail_url
from records.models import Technology, TimelineCount, Vendor
from records.models.visibility import VisibleQuerySet, can_see_everything


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str
    count: int = 0


def visible_events_q(reader, prefix: str = "timeline_events__") -> Q:
    """The visibility rule of timeline entries, for counts and joins through a relation."""
    return Q() if can_see_everything(reader) else VisibleQuerySet.public_q(prefix=prefix)


def timeline_counts(*, scope: int, reader, today) -> dict[str, dict[str, int]]:
    """The kept counts (TimelineCount) of the whole timeline (scope 0) or an agency's (its id), as `reader` may
    see them: the public's as of `today`, staff's of every entry. One query, whatever the number of entries."""
    return TimelineCount.objects.counts(scope=scope, public_on=None if can_see_everything(reader) else today)


def counted_tags(counts: dict[str, dict[str, int]]) -> tuple[list[Tag], list[Tag]]:
    """The technologies and the vendors of TimelineCount counts, as tags_of gives them: one query."""
    wanted = {"technology": counts["technology"], "vendor": counts["vendor"]}
    # Models ordered by default: SQLite refuses ORDER BY inside the parts of a UNION, so the parts drop it.
    technologies = (
        Technology.objects.filter(pk__in=[int(pk) for pk in wanted["technology"]])
        .order_by()
        .values_list(Value("technology"), "pk", "slug", "name")
    )
    vendors = (
        Vendor.objects.filter(pk__in=[int(pk) for pk in wanted["vendor"]])
        .order_by()
        .values_list(Value("vendor"), "pk", "slug", "name")
    )
    found: dict[str, list[Tag]] = {"technology": [], "vendor": []}
    for kind, pk, slug, name in sorted(technologies.union(vendors, all=True), key=lambda row: row[3].lower()):
        view = "technology-detail" if kind == "technology" else "vendor-detail"
        found[kind].append(Tag(name, slug, detail_url(view, slug), wanted[kind][str(pk)]))
    return found["technology"], found["vendor"]


def counted_per_year(counts: dict[str, dict[str, int]]) -> dict[int, int]:
    return {int(year): n for year, n in counts["year"].items()}


def events_per_year(events) -> dict[int, int]:
    return dict(events.order_by().values_list("date__year").annotate(n=Count("id")))


def first_years(events) -> dict[int, int]:
    """Agencies starting per year: the year of each agency's first entry among `events`."""
    firsts = events.order_by().exclude(agency=None).values("agency").annotate(first=Min("date"))
    per_year: dict[int, int] = {}
    for row in firsts:
        per_year[row["first"].year] = per_year.get(row["first"].year, 0) + 1
    return per_year


def most_used(tags: list[Tag], limit: int) -> list[Tag]:
    """The `limit` tags on the most entries, in name order."""
    return sorted(sorted(tags, key=lambda tag: -tag.count)[:limit], key=lambda tag: tag.name.lower())


def tags_of(events) -> tuple[list[Tag], list[Tag]]:
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
            Tag(row["name"], row["slug"], detail_url("technology-detail", row["slug"]), row["n"])
            for row in rows
            if row["kind"] == "technology"
        ],
        [
            Tag(row["name"], row["slug"], detail_url("vendor-detail", row["slug"]), row["n"])
            for row in rows
            if row["kind"] == "vendor"
        ],
    )
