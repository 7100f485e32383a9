"""The name look-up behind the suggestions of every agency, vendor and product box (static/names.js)."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from records.selectors.names import name_suggestions
from records.web.ratelimit import rate_limited

# Names change rarely and a suggestion a little out of date does no harm: browsers keep an answer a minute.
LOOKUP_MAX_AGE = 60


@require_safe
@rate_limited("names", "NAME_LOOKUP_RATE_LIMIT")
def name_lookup(request, kind: str):
    """`{"results": [{"value", "name", "slug", "detail", "alias"}]}`: at most 20 records of `kind` whose name or
    alias starts with `q`; `value` is what the box holds once one is picked (an agency's name with its state)."""
    found = name_suggestions(kind=kind, text=request.GET.get("q", ""))
    results = [{"value": n.value, "name": n.name, "slug": n.slug, "detail": n.detail, "alias": n.alias} for n in found]
    response = JsonResponse({"results": results})
    response["Cache-Control"] = f"public, max-age={LOOKUP_MAX_AGE}"
    return response
