"""The public's view of costly aggregates, kept for PUBLIC_CACHE_SECONDS.

Counts, facets, charts and side lists summarise every row of an agency, a vendor or the whole tracker,
so their cost grows with the data while the rest of a page does not. What the public sees of them is
kept for a short while (two minutes in production) in Django's cache, keyed by the page's parameters
and by today's date, so that an embargo ending at midnight shows at once. Staff always get them
computed afresh: they must see their own edits, and what they see must never land in the public's
cache. Timelines and lists are one indexed query each and are computed for every request, unless
whole pages are kept for the public too (PUBLIC_PAGE_CACHE_SECONDS, public_page_cache below).
"""

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from records.models.visibility import can_see_everything

MISSING = object()


def public_cached[T](request, key: str, compute: Callable[[], T]) -> T:
    """compute(), kept for PUBLIC_CACHE_SECONDS when the reader is the public; `key` names the page's part
    and every parameter the value depends on."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    if seconds <= 0 or can_see_everything(request.user):
        return compute()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    full_key = f"public:{timezone.localdate().isoformat()}:{digest}"
    value = cache.get(full_key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(full_key, value, seconds)
    return value


def public_page_cache(view):
    """Serve the public (signed-out readers) a whole page kept for PUBLIC_PAGE_CACHE_SECONDS.

    Only successful, non-streaming answers to GET and HEAD without cookies are kept, keyed by scheme,
    host, path and query string and by today's date; signed-in readers, CSV downloads (streamed) and
    every other method always reach the view. Middleware still runs on a kept page, so its security
    headers are fresh.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in {"GET", "HEAD"} or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        key = f"public-page:{timezone.localdate().isoformat()}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, response, seconds)
        return response

    return wrapped
