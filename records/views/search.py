from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_safe

from records.models import Agency, Document, Technology, TimelineEvent, Vendor

MAX_QUERY = 200
PER_TYPE = 20


@require_safe
def search(request):
    """Names and titles across the tracker; the full-text search of document pages builds on this."""
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:MAX_QUERY]
    results = {}
    if query:
        results = {
            "agencies": Agency.objects.with_place().filter(name__icontains=query)[:PER_TYPE],
            "vendors": Vendor.objects.filter(Q(name__icontains=query) | Q(aliases__name__icontains=query)).distinct()[
                :PER_TYPE
            ],
            "technologies": Technology.objects.filter(name__icontains=query)[:PER_TYPE],
            "events": TimelineEvent.objects.visible_to(request.user)
            .select_related("agency")
            .filter(Q(title__icontains=query) | Q(summary__icontains=query))
            .order_by("-date", "-id")[:PER_TYPE],
            "documents": Document.objects.visible_to(request.user)
            .select_related("agency")
            .filter(Q(title__icontains=query) | Q(pages__text__icontains=query.strip('"')))
            .distinct()
            .order_by("-date", "-id")[:PER_TYPE],
        }
    return render(request, "records/search.html", {"search_query": query, "results": results})
