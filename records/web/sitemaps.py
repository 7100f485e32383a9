from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from records.models import Agency, Document, Procurement, RecordsRequest, Technology, TimelineEvent, Vendor


class StaticSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "timeline",
            "agency-list",
            "vendor-list",
            "technology-list",
            "procurement-list",
            "request-list",
            "document-list",
        ]

    def location(self, item):
        return reverse(item)


class ModelSitemap(Sitemap):
    limit = 5000

    def __init__(self, queryset_factory):
        # A factory, so that visibility (embargo dates) is decided at request time, not at import.
        self.queryset_factory = queryset_factory
        super().__init__()

    def items(self):
        return self.queryset_factory().order_by("pk")


SITEMAPS = {
    "pages": StaticSitemap(),
    "agencies": ModelSitemap(lambda: Agency.objects.only("slug")),
    "vendors": ModelSitemap(lambda: Vendor.objects.only("slug")),
    "technologies": ModelSitemap(lambda: Technology.objects.only("slug")),
    # The public's view: embargoed and private records never reach the sitemap.
    "requests": ModelSitemap(lambda: RecordsRequest.objects.visible_to(None).only("pk")),
    "documents": ModelSitemap(lambda: Document.objects.visible_to(None).only("pk")),
    "procurements": ModelSitemap(lambda: Procurement.objects.visible_to(None).only("pk")),
    "events": ModelSitemap(lambda: TimelineEvent.objects.visible_to(None).only("pk")),
}
