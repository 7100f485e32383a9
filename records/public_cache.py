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
from django.db import router
from django.http import HttpResponse
from django.utils import timezone

from records.models.content import ContentVersion
from records.models.visibility import can_see_everything

MISSING = object()


def content_token(request) -> int:
    """The token the records are at, read once per request from the database the request reads from."""
    token = getattr(request, "_content_token", None)
    if token is None:
        token = request._content_token = ContentVersion.current(router.db_for_read(ContentVersion))
    return token


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


def public_page_cache(view):
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
        export = request.GET.get("format") == "csv"
        store = caches["exports"] if export else cache
        response = store.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                if not response.streaming:
                    store.set(key, response, seconds)
                elif export:
                    keep = functools.partial(store.set, key, timeout=seconds)
                    response.streaming_content = _kept_once_sent(response, keep, settings.PUBLIC_EXPORT_CACHE_BYTES)
        return response

    return wrapped


def _kept_once_sent(response, keep: Callable, limit: int):
    """The streamed body of `response`, passed on chunk by chunk; once all of it has been sent, if it is at most
    `limit` bytes, keep(an ordinary response with the same body and headers). A download the client
    abandons halfway is not kept."""
    body = response.streaming_content  # read now: the caller replaces it with what this returns
    headers = dict(response.headers)  # as the view made them, before middleware adds its own

    def passed_on():
        chunks, size = [], 0
        for chunk in body:
            if chunks is not None:
                size += len(chunk)
                if size <= limit:
                    chunks.append(chunk)
                else:
                    chunks = None
            yield chunk
        if chunks is not None:
            kept = HttpResponse(b"".join(chunks))
            for name, value in headers.items():
                kept.headers[name] = value
            keep(kept)

    return passed_on()
