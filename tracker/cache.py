"""A local-memory cache that keeps values as they are, for large values that are never changed in place."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class UnpickledMemoryCache(LocMemCache):
    """LocMemCache without pickling: get() returns the very object set() was given.

    Django's local-memory cache pickles each value and unpickles a copy on every read, which keeps callers
    from changing what is kept. For a kept CSV export (a few megabytes of bytes) that copy was most of the
    answer: 3.6 ms of 6, mostly the page faults of a fresh 4.4 MB buffer. Only immutable values (bytes,
    tuples of strings) belong here. incr() and decr() are not supported.
    """

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        raise NotImplementedError("UnpickledMemoryCache keeps immutable values: incr() is not supported.")
