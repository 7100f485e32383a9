"""HTTP validators and Cache-Control on public pages, exports and feeds, so browsers, proxies and CDNs can help.

A page's validator is a digest of what its answer depends on: the content token (records/models/content.py,
moved on by every write to the records), today's date (an embargo ending at midnight changes pages without a
write), the address asked for, and who asks (the public, or one signed-in member of staff and their session).
So a record made private gives every page a new ETag at once, and a conditional GET whose ETag still matches
is answered 304 before the view runs. Last-Modified is when the token last moved (or midnight, if later).

The public get `Cache-Control: public, max-age=HTTP_CACHE_SECONDS`; anyone signed in gets `private, no-cache`,
so no shared cache ever keeps what staff see (staff pages show private records) and their browser asks again
each time. Every answer says `Vary: Cookie`: whether the reader is signed in decides what the page shows.
"""

import datetime
import functools
import hashlib

from django.conf import settings
from django.db import router
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from records.models.content import ContentVersion


def content_state(request):
    """The token the records are at and when it last moved, read once per request from the database the
    request reads from."""
    state = getattr(request, "_content_state", None)
    if state is None:
        state = request._content_state = ContentVersion.state(router.db_for_read(ContentVersion))
    return state


def _reader(request) -> str:
    if not request.user.is_authenticated:
        return "public"
    session_key = getattr(request, "session", None) and request.session.session_key
    return f"user:{request.user.pk}:{session_key or ''}"


def validators(request) -> tuple[str, int | None]:
    """The ETag (quoted) and the Last-Modified time (a Unix timestamp) of the answer to this request.

    Last-Modified counts whole seconds, so two changes within one second would share it and a copy taken
    between them would pass for current (SQLite's CURRENT_TIMESTAMP even drops the fraction): while the last
    change is under two seconds old none is given (the ETag still is), so every time handed out is older than
    any change still to come."""
    token, changed_at = content_state(request)
    today = timezone.localdate()
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(f"{token}|{today.isoformat()}|{_reader(request)}|{address}".encode()).hexdigest()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    last_modified = max(changed_at, midnight) if changed_at else midnight
    if timezone.now() - last_modified < datetime.timedelta(seconds=2):
        return f'"{digest[:32]}"', None
    return f'"{digest[:32]}"', int(last_modified.timestamp())


def _one_readers(request, response) -> bool:
    """Whether the answer is one reader's: signed in, or setting a cookie (now, or the CSRF and session
    middleware on its way out), which no shared cache may hand to anyone else."""
    session = getattr(request, "session", None)
    return (
        request.user.is_authenticated
        or bool(response.cookies)
        or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        or bool(session is not None and session.modified)
    )


def _headers(request, response, etag: str, last_modified: int | None):
    if response.status_code in {200, 304}:
        # Ours replace any the view gave (a feed dates itself by its newest entry, not by the last change).
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        else:
            response.headers.pop("Last-Modified", None)
    if response.status_code in {200, 304} and not _one_readers(request, response):
        patch_cache_control(response, public=True, max_age=settings.HTTP_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def http_cached(view):
    """GET and HEAD answered with ETag, Last-Modified, Cache-Control and Vary, and 304 when the copy is current."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in {"GET", "HEAD"}:
            return view(request, *args, **kwargs)
        etag, last_modified = validators(request)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
        return _headers(request, response, etag, last_modified)

    return wrapped
