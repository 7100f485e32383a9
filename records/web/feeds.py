"""Atom feeds of the global, agency, vendor and technology timelines; they reuse the public querysets.

A feed takes the filters of the timeline it follows (`/timeline/feed/?vendor=amazon&state=OR`): the page offers
its feed with the filters it shows, and a filter the feed cannot use is answered 400 with what is wrong.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from records.models import Agency, Technology, TimelineEvent, Vendor
from records.web.filters import AgencyTimelineFilter, TimelineFilter
from records.web.views.listing import bad_query

FEED_SIZE = 50
# What a feed leaves out of the page's query: the page position, the format and the order (a feed is newest first).
NOT_FILTERS = ("after", "format", "sort")


@dataclass(frozen=True)
class FeedSubject:
    """What a feed follows: a record (None for the whole timeline) and the filters of the query, validated."""

    record: object
    query: QueryDict
    filterset: object

    def narrowed(self, url: str) -> str:
        return f"{url}?{self.query.urlencode()}" if self.query else url


class BadFilters(Exception):
    def __init__(self, messages: list[str]):
        super().__init__(messages)
        self.messages = messages


class TimelineFeed(Feed):
    feed_type = Atom1Feed
    filterset_class = TimelineFilter

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except BadFilters as error:
            return bad_query(request, "This feed cannot use some of its filters", error.messages)

    def get_object(self, request, *args, **kwargs):
        record = self.subject(**kwargs)
        query = request.GET.copy()
        for key in NOT_FILTERS:
            query.pop(key, None)
        filterset = self.filterset_class(query or None, queryset=TimelineEvent.objects.none())
        if query and not filterset.is_valid():
            raise BadFilters(
                [
                    f"{filterset.form.fields[name].label or name}: {' '.join(errors)}"
                    for name, errors in filterset.errors.items()
                ]
            )
        return FeedSubject(record, query, filterset)

    def subject(self, **kwargs):
        return None

    def events(self, record):
        return TimelineEvent.objects.visible_to(None).for_display(None)

    def items(self, obj):
        events = self.events(obj.record)
        return (obj.filterset.filter_queryset(events) if obj.query else events)[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.display_date}: {item.title}"

    def item_description(self, item):
        sources = "; ".join(source.display_label for source in item.source_list)
        text = item.summary
        if item.is_illustrative:
            text = f"[Illustrative] {text}"
        return f"{text}\n\nSources: {sources}" if sources else text

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.combine(item.date, time.min))

    def item_updateddate(self, item):
        return item.created_at


def _narrowed_title(title: str, obj: FeedSubject) -> str:
    return f"{title} (filtered)" if obj.query else title


class GlobalTimelineFeed(TimelineFeed):
    subtitle = "Newest entries on the timeline of surveillance technology acquisitions."

    def title(self, obj):
        return _narrowed_title("Surveillance Procurement Tracker: timeline", obj)

    def link(self, obj):
        return obj.narrowed(reverse("timeline"))


class AgencyFeed(TimelineFeed):
    filterset_class = AgencyTimelineFilter

    def subject(self, slug):
        return get_object_or_404(Agency, slug=slug)

    def events(self, record):
        return super().events(record).filter(agency=record)

    def title(self, obj):
        return _narrowed_title(f"{obj.record.name}: timeline", obj)

    def link(self, obj):
        return obj.narrowed(obj.record.get_absolute_url())

    def subtitle(self, obj):
        return f"Timeline of surveillance technology at {obj.record.name}."


class VendorFeed(AgencyFeed):
    filterset_class = TimelineFilter

    def subject(self, slug):
        return get_object_or_404(Vendor, slug=slug)

    def events(self, record):
        return TimelineFeed.events(self, record).filter(vendors=record)

    def subtitle(self, obj):
        return f"Timeline of agencies and records about {obj.record.name}."


class TechnologyFeed(VendorFeed):
    def subject(self, slug):
        return get_object_or_404(Technology, slug=slug)

    def events(self, record):
        return TimelineFeed.events(self, record).filter(technologies=record)
