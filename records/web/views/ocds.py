from django.http import JsonResponse
from django.views.decorators.http import require_safe

from records.exports.ocds import procurements_for_ocds, release_package
from records.web.http_cache import http_cached


@require_safe
@http_cached
def procurements_ocds(request):
    """All procurements as one OCDS 1.1 release package."""
    package = release_package(procurements_for_ocds(), absolute=request.build_absolute_uri)
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False})
