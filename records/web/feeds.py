"""Atom feeds of the global, agency, vendor and technology timelines; they reuse the public querysets."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from records.models import Agency, Technology, TimelineEvent, Vendor

FEED_SIZE = 50


class TimelineFeed(Feed):
    feed_type = Atom1Feed

    def events(self, obj):
        return TimelineEvent.objects.visible_to(None).for_display(None)

    def items(self, obj):
        return self.events(obj)[:FEED_SIZE]

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


class GlobalTimelineFeed(TimelineFeed):
    title = "Surveillance Procurement Tracker: timeline"
    subtitle = "Newest entries on the timeline of surveillance technology acquisitions."

    def link(self):
        return reverse("timeline")


class AgencyFeed(TimelineFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Agency, slug=slug)

    def events(self, obj):
        return super().events(obj).filter(agency=obj)

    def title(self, obj):
        return f"{obj.name}: timeline"

    def link(self, obj):
        return obj.get_absolute_url()

    def subtitle(self, obj):
        return f"Timeline of surveillance technology at {obj.name}."


class VendorFeed(AgencyFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Vendor, slug=slug)

    def events(self, obj):
        return TimelineFeed.events(self, obj).filter(vendors=obj)

    def subtitle(self, obj):
        return f"Timeline of agencies and records about {obj.name}."


class TechnologyFeed(VendorFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Technology, slug=slug)

    def events(self, obj):
        return TimelineFeed.events(self, obj).filter(technologies=obj)
