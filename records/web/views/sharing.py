"""Data-sharing networks: every link (/sharing/, with CSV, JSON and GraphML), and an agency's answers as JSON."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from records import exports
from records.exports import lists as columns
from records.exports.graphml import graphml_response
from records.models import Agency, SharingLink
from records.models.visibility import VisibleQuerySet
from records.selectors.sharing import reach_json
from records.web import filters
from records.web.public_cache import public_cached, public_page_cache
from records.web.views.listing import ListSpec, render_list

SHARING = ListSpec.by_id(filters.SharingFilter, columns.SHARING, "records/sharing_list.html", "sharing-links")


def _links(request):
    return SharingLink.objects.visible_to(request.user).annotate(
        document_shown=VisibleQuerySet.shown_to(request.user, "document__")
    )


def _for_page(rows, reader):
    return rows.for_display()


SHARING_PAGE = ListSpec(
    SHARING.filterset_class, SHARING.columns, SHARING.template, SHARING.filename, key="id", key_kind="int",
    for_page=_for_page,
)  # fmt: skip


@require_safe
@public_page_cache
def sharing_list(request):
    links = _links(request)
    if request.GET.get("format") == "graphml":
        found = SHARING_PAGE.filterset_class(request.GET, queryset=links, request=request)
        if not found.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in found.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
        origin = request.build_absolute_uri("/")[:-1]
        export = exports.export_for(lambda path: origin + path, request.user)
        return graphml_response(found.qs, export, "sharing-links")

    def context_for(rows):
        query = request.GET.copy()
        query.pop("after", None)
        query["format"] = "graphml"
        return {"graphml_url": f"{request.path}?{query.urlencode()}"}

    return render_list(request, SHARING_PAGE, links, context_for, count=True)


@require_safe
@public_page_cache
def agency_sharing_json(request, slug):
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction"), slug=slug)
    origin = request.build_absolute_uri("/")[:-1]
    found = public_cached(
        request,
        f"agency-sharing-json:{agency.pk}:{origin}",
        lambda: reach_json(
            agency=agency, reader=request.user, absolute=lambda path: origin + path, today=timezone.localdate()
        ),
    )
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
