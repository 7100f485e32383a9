"""What several pages read of a set of timeline entries: entries per year, first years, and their tags."""

from dataclasses import dataclass

from django.db.models import Count, Min, Q, Value

from records.links import detail_url
from records.models import Technology, Vendor
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
