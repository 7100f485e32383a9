"""The national oversight page: the laws and how the acquisitions they cover stand, and the acquisitions with
no recorded public approval."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from records.models import Procurement
from records.selectors.oversight import UNAPPROVED_SHOWN, oversight_laws_compliance, unapproved_acquisitions
from records.web.filters import OversightFilter
from records.web.public_cache import public_cached, public_page_cache


@require_safe
@public_page_cache
def oversight_page(request):
    rows = Procurement.objects.visible_to(request.user)
    found = OversightFilter(request.GET or None, queryset=rows, request=request)
    if found.is_bound and not found.is_valid():
        rows = rows.none()
    elif found.is_bound:
        rows = found.qs
    today = timezone.localdate()
    laws = public_cached(
        request, f"oversight:laws:{today}", lambda: oversight_laws_compliance(reader=request.user, today=today)
    )
    context = {
        "filter": found,
        "laws": laws,
        "unapproved": unapproved_acquisitions(rows=rows, today=today),
        "shown": UNAPPROVED_SHOWN,
        "query": request.GET.urlencode(),
    }
    return render(request, "records/oversight.html", context, status=400 if found.errors else 200)
