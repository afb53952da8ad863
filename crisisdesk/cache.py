"""Django's Redis cache with one client, and so one connection pool, per process.

Django keeps a cache object per request context (asgiref's Local), and RedisCache makes its
client, with a connection pool of its own, per cache object. Under WSGI a thread serves request
after request with one object; under ASGI every request is a new context, so every request
opened (and never closed) a Redis connection of its own: ~5% of a busy web process went to
connecting. redis-py's pool is safe to share between threads and resets itself after a fork.
"""

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property

_clients: dict[tuple, object] = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
