"""A per-address rate limit for expensive public pages (search), kept in Django's cache."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_address(request) -> str:
    # Behind a trusted proxy (settings.TRUSTED_PROXY_HEADER) the client is the first forwarded address.
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(scope: str, setting: str):
    """Allow `settings.<setting>` requests per minute per client address; answer 429 beyond that."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            limit = getattr(settings, setting)
            window = int(time.time() // 60)
            key = f"ratelimit:{scope}:{client_address(request)}:{window}"
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=120)
                count = 1
            if limit and count > limit:
                response = render(request, "429.html", {"limit": limit}, status=429)
                response["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
