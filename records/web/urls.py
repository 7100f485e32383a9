from django.contrib.sitemaps import views as sitemaps
from django.urls import path
from django.views.decorators.http import require_safe

from records.web import feeds
from records.web.http_cache import http_cached
from records.web.sitemaps import SITEMAPS
from records.web.views import follows, names, ocds, oversight, public, search, sharing

urlpatterns = [
    path("", public.home, name="home"),
    path("timeline/", public.timeline, name="timeline"),
    path("timeline/feed/", require_safe(http_cached(feeds.GlobalTimelineFeed())), name="timeline-feed"),
    path("agencies/", public.agency_list, name="agency-list"),
    path("agencies/<slug:slug>/", public.agency_detail, name="agency-detail"),
    path("agencies/<slug:slug>/sharing.json", sharing.agency_sharing_json, name="agency-sharing-json"),
    path("agencies/<slug:slug>/feed/", require_safe(http_cached(feeds.AgencyFeed())), name="agency-feed"),
    path("vendors/", public.vendor_list, name="vendor-list"),
    path("vendors/<slug:slug>/", public.vendor_detail, name="vendor-detail"),
    path("vendors/<slug:slug>/feed/", require_safe(http_cached(feeds.VendorFeed())), name="vendor-feed"),
    path("technologies/", public.technology_list, name="technology-list"),
    path("technologies/<slug:slug>/", public.technology_detail, name="technology-detail"),
    path("technologies/<slug:slug>/feed/", require_safe(http_cached(feeds.TechnologyFeed())), name="technology-feed"),
    path("procurements/", public.procurement_list, name="procurement-list"),
    path("procurements/<int:pk>/", public.procurement_detail, name="procurement-detail"),
    path("procurements/ocds.json", ocds.procurements_ocds, name="procurements-ocds"),
    path("oversight/", oversight.oversight_page, name="oversight"),
    path("sharing/", sharing.sharing_list, name="sharing-list"),
    path("requests/", public.request_list, name="request-list"),
    path("requests/<int:pk>/", public.request_detail, name="request-detail"),
    path("documents/", public.document_list, name="document-list"),
    path("documents/<int:pk>/", public.document_detail, name="document-detail"),
    path("documents/<int:pk>/download", public.document_download, name="document-download"),
    path("events/<int:pk>/", public.event_detail, name="event-detail"),
    path("search/", search.search_page, name="search"),
    path("names/agencies/", names.name_lookup, {"kind": "agency"}, name="agency-names"),
    path("names/vendors/", names.name_lookup, {"kind": "vendor"}, name="vendor-names"),
    path("names/products/", names.name_lookup, {"kind": "product"}, name="product-names"),
    path("follow/", follows.follow_page, name="follow"),
    path("follow/confirm/<str:token>/", follows.follow_confirm, name="follow-confirm"),
    path("follow/unsubscribe/<slug:key>/", follows.follow_unsubscribe, name="follow-unsubscribe"),
    path("follow/unsubscribe-all/<slug:key>/", follows.follow_unsubscribe_all, name="follow-unsubscribe-all"),
    # An index of sections, each in pages of at most ModelSitemap.limit addresses: the protocol allows 50,000
    # per file, and a national directory passes that in agencies alone.
    path(
        "sitemap.xml",
        require_safe(http_cached(sitemaps.index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(http_cached(sitemaps.sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", public.robots_txt, name="robots-txt"),
]
