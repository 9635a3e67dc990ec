"""The shared cache's backend: Django's Redis cache, with one client object
kept per connection pool instead of one built for every call."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusedClients(RedisCacheClient):
    # Django builds a redis.Redis for each get or set (~0.05 ms: its
    # response callbacks are set up anew); a page makes several. A client
    # only wraps its pool, is thread-safe, and the pool reconnects after a
    # fork, so one per pool serves the whole process.
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients
