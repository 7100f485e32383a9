"""What the public sees, kept: costly aggregates (PUBLIC_CACHE_SECONDS) and whole pages (PUBLIC_PAGE_CACHE_SECONDS).

Counts, facets, charts and side lists summarise every row of an agency, a vendor or the whole tracker,
so their cost grows with the data while the rest of a page does not; rendering a page of 50 timeline
entries costs tens of milliseconds. What the public sees is kept in Django's cache, keyed by the
page's parameters, by today's date (an embargo ending at midnight shows at once) and by the content
token (records/models/content.py), which every write to the records moves on: a kept value is never
served after the records change, so a record made private leaves the public's pages at once. Staff
always get everything computed afresh, and what they see never lands in the public's cache.
"""

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone

from records.models.visibility import can_see_everything
from records.web.http_cache import content_state, http_cached

MISSING = object()


def content_token(request) -> int:
    """The token the records are at (content_state's first half)."""
    return content_state(request)[0]


def keeps_aggregates_for(request) -> bool:
    """Whether public_cached() keeps values for this reader (the public, when PUBLIC_CACHE_SECONDS is set)."""
    return settings.PUBLIC_CACHE_SECONDS > 0 and not can_see_everything(request.user)


def public_cached[T](request, key: str, compute: Callable[[], T]) -> T:
    """compute(), kept for PUBLIC_CACHE_SECONDS when the reader is the public; `key` names the page's part
    and every parameter the value depends on."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    if not keeps_aggregates_for(request):
        return compute()
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    full_key = f"public:{timezone.localdate().isoformat()}:{content_token(request)}:{digest}"
    value = cache.get(full_key, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(full_key, value, seconds)
    return value


def keeper(request) -> Callable[[str, Callable], object] | None:
    """public_cached() for this request, as a `keep(key, compute)` for the filters, or None when nothing is kept
    for this reader (staff, or PUBLIC_CACHE_SECONDS 0)."""
    if not keeps_aggregates_for(request):
        return None
    return lambda key, compute: public_cached(request, key, compute)


def public_page_cache(view):
    """A public page: with HTTP validators (records/web/http_cache.py), and kept whole for the public (kept_page)."""
    return http_cached(kept_page(view))


def kept_page(view):
    """Serve the public (signed-out readers) a whole page kept for PUBLIC_PAGE_CACHE_SECONDS.

    Only successful answers to GET and HEAD without cookies are kept, keyed by scheme, host, path and query
    string, today's date and the content token; signed-in readers and every other method always reach the
    view. A CSV export streams, so it is kept once it has been sent whole, if it is at most
    PUBLIC_EXPORT_CACHE_BYTES, in a cache of its own. Middleware still runs on a kept page, so its security
    headers are fresh.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in {"GET", "HEAD"} or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        key = f"public-page:{timezone.localdate().isoformat()}:{content_token(request)}:{digest}"
        if request.GET.get("format") == "csv":
            return _export(key, seconds, lambda: view(request, *args, **kwargs))
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, response, seconds)
        return response

    return wrapped


def _export(key: str, seconds: int, answer: Callable):
    """A CSV export, from the exports cache if it was kept, else answer(): its body is kept there once it has been
    sent whole, if it is at most PUBLIC_EXPORT_CACHE_BYTES (a download the client abandons halfway is not).
    The cache holds the body and headers, immutable, and each request gets a response of its own."""
    exports = caches["exports"]
    kept = exports.get(key)
    if kept is not None:
        body, headers = kept
        response = HttpResponse(body)
        for name, value in headers:
            response.headers[name] = value
        return response
    response = answer()
    if response.status_code != 200 or not response.streaming or response.cookies:
        return response
    streamed = response.streaming_content
    headers = tuple(response.headers.items())  # as the view made them, before middleware adds its own
    limit = settings.PUBLIC_EXPORT_CACHE_BYTES

    def passed_on():
        chunks, size = [], 0
        for chunk in streamed:
            if chunks is not None:
                size += len(chunk)
                if size > limit:
                    chunks = None
                else:
                    chunks.append(chunk)
            yield chunk
        if chunks is not None:
            exports.set(key, (b"".join(chunks), headers), seconds)

    response.streaming_content = passed_on()
    return response
