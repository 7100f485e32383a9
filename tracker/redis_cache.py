"""Django's RedisCache, made to keep pages answering while Redis is away.

Everything the tracker keeps in the cache can be worked out again from the database (pages, counts, rate-limit
counters), so a Redis that is restarting or unreachable must not turn every page into a 500: each call that
cannot reach Redis is logged and answered as a miss (a read finds nothing, a write keeps nothing). Rate limits
are then not counted until Redis is back, which the log says. Django's own backend has no such option (the
third-party django-redis has one, but brings a second client for one setting), hence this subclass of its public
methods only.
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger("tracker.cache")
UNREACHABLE = (ConnectionError, TimeoutError)


def _answered_without_redis(fallback):
    def decorator(method):
        @wraps(method)
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("Redis unreachable (%s): cache %s answered as a miss", error, method.__name__)
                return fallback(*args, **kwargs)

        return wrapped

    return decorator


def _missing_key(key, *args, **kwargs):
    # What Django's caches raise when incr() finds no key: callers already handle it.
    raise ValueError(f"Key {key!r} not found (Redis unreachable).")


class OutageTolerantRedisCache(RedisCache):
    get = _answered_without_redis(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _answered_without_redis(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _answered_without_redis(lambda *a, **k: False)(RedisCache.has_key)
    add = _answered_without_redis(lambda *a, **k: False)(RedisCache.add)
    set = _answered_without_redis(lambda *a, **k: None)(RedisCache.set)
    set_many = _answered_without_redis(lambda data, *a, **k: list(data))(RedisCache.set_many)
    touch = _answered_without_redis(lambda *a, **k: False)(RedisCache.touch)
    delete = _answered_without_redis(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _answered_without_redis(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _answered_without_redis(_missing_key)(RedisCache.incr)
    decr = _answered_without_redis(_missing_key)(RedisCache.decr)
    clear = _answered_without_redis(lambda *a, **k: False)(RedisCache.clear)
