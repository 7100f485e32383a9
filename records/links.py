"""Links to detail pages, built from the URLconf once and then by string formatting.

A timeline page links every entry, agency, vendor, technology and source: about 230 calls to
reverse() for 50 entries, a quarter of the page's rendering time. reverse() gives the same URL with
only the slug or primary key changed, so each pattern is reversed once (per URLconf and script
prefix) with a stand-in value, and the real value is put in its place.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Stand-ins that the <int:pk> and <slug:slug> converters accept and no real path contains.
_STAND_IN_PK = 987654321987
_STAND_IN_SLUG = "stand-in-slug-987654321987"


@functools.lru_cache(maxsize=256)
def _pattern(name: str, stand_in, urlconf, script_prefix: str) -> tuple[str, str]:
    url = reverse(name, urlconf=urlconf, args=[stand_in])
    head, found, tail = url.rpartition(str(stand_in))
    if not found:  # a converter changed the value: fall back to reverse() every time
        return "", ""
    return head, tail


def detail_url(name: str, value: int | str) -> str:
    """reverse(name, args=[value]) for a pattern taking one pk or slug, without its cost."""
    stand_in = _STAND_IN_PK if isinstance(value, int) else _STAND_IN_SLUG
    head, tail = _pattern(name, stand_in, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if not head:
        return reverse(name, args=[value])
    return f"{head}{value}{tail}"
