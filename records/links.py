"""Links to detail pages, built from the URLconf once and then by string formatting.

A timeline page links every entry, agency, vendor, technology and source: about 230 calls to
reverse() for 50 entries, a quarter of the page's rendering time. reverse() gives the same URL with
only the slug or primary key changed, so each pattern is reversed once (per URLconf and script
prefix) with a stand-in value, and the real value is put in its place.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# A stand-in that both the <int:pk> and the <slug:slug> converters accept and no real path contains.
_STAND_IN = 987654321987


@functools.lru_cache(maxsize=256)
def _pattern(name: str, urlconf, script_prefix: str) -> tuple[str, str] | None:
    url = reverse(name, urlconf=urlconf, args=[_STAND_IN])
    head, found, tail = url.rpartition(str(_STAND_IN))
    return (head, tail) if found else None  # None: a converter changed the value


def detail_url_parts(name: str) -> tuple[str, str] | None:
    """The path of pattern `name` (one pk or slug) before and after its value, under the current URLconf and
    script prefix; None when only reverse() can build it."""
    return _pattern(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def detail_url(name: str, value: int | str) -> str:
    """reverse(name, args=[value]) for a pattern taking one pk or slug, without its cost."""
    parts = detail_url_parts(name)
    if parts is None:
        return reverse(name, args=[value])
    head, tail = parts
    return f"{head}{value}{tail}"
