"""With CACHE_URL, a Redis that goes away (restarting, unreachable) costs speed, not pages: every page still
answers from the database, and the cache is used again as soon as Redis is back (tracker/redis_cache.py)."""

import time

import pytest
from django.core.cache import cache

from tests import factories, servers
from tracker.env import cache_backend

pytestmark = pytest.mark.django_db

PAGES = ["/", "/agencies/", "/timeline/", "/search/?q=flock", "/vendors/flock-safety/"]


def test_pages_answer_while_redis_is_away_and_the_cache_counts_again_when_it_is_back(client, settings, caplog):
    factories.vendor("Flock Safety")
    port = servers.free_port()
    settings.SEARCH_RATE_LIMIT = 2
    with servers.redis_server(port) as url:
        settings.CACHES = {**settings.CACHES, "default": cache_backend(url)}
        cache.set("probe", "kept")
        assert cache.get("probe") == "kept"
        for path in PAGES:
            assert client.get(path).status_code == 200, path

    # Redis is stopped: nothing is kept, nothing fails, and each call gives up at once.
    started = time.monotonic()
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert time.monotonic() - started < 10
    cache.set("probe", "lost")
    assert cache.get("probe", "missing") == "missing"
    assert cache.add("k", 1) is False and cache.get_many(["k"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")
    # The rate limit is not counted meanwhile (it fails open), and the log says why.
    assert all(client.get("/search/?q=flock").status_code == 200 for _ in range(4))
    assert "Redis unreachable" in caplog.text

    # Back on the same address: counted and kept again.
    with servers.redis_server(port):
        statuses = [client.get("/search/?q=flock").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        cache.set("probe", "kept again")
        assert cache.get("probe") == "kept again"
