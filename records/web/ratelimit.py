"""The client's address, as the trusted proxies in front of the app give it, and a per-address rate limit kept in
Django's cache (Redis with CACHE_URL: one count for every app server)."""

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The address of whoever connected to the outermost of settings.TRUSTED_PROXY_COUNT proxies.

    Each proxy appends the address of its peer to X-Forwarded-For, so the right-most N entries are written by
    the N trusted proxies and the N-th from the right is the client; anything left of it the client may have
    written itself. Without trusted proxies (or a request that did not pass them), REMOTE_ADDR; None when that
    is no address either (a unix socket; a test's forced sign-in), which django-axes stores as no address. The one
    answer for the rate limits and for django-axes' sign-in records (AXES_CLIENT_IP_CALLABLE)."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not count or not forwarded:
        return remote
    hops = forwarded.split(",")
    # Fewer hops than proxies: the request skipped the outer ones; the left-most was still written by a proxy.
    # A hop that is not an address (a proxy that writes something else): the peer.
    return _address(hops[max(len(hops) - count, 0)]) or remote


def rate_limited(scope: str, setting: str, what: str = "searches"):
    """Allow `settings.<setting>` requests per minute per client address; answer 429 beyond that."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            limit = getattr(settings, setting)
            window = int(time.time() // 60)
            key = f"ratelimit:{scope}:{client_address(request) or 'unknown'}:{window}"
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=120)
                count = 1
            if limit and count > limit:
                response = render(request, "429.html", {"limit": limit, "what": what}, status=429)
                response["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
