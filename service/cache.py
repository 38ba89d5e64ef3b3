"""The response-cache store: Redis when REDIS_URL is set, else an in-process memory store.

Both are Litestar stores, so handlers never care which one they got. A shared Redis is what
lets several API replicas see the same cached answers.
"""

from litestar.stores.base import NamespacedStore, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

NAMESPACE = "miarka"


def make_store(redis_url: str | None, namespace: str = NAMESPACE) -> NamespacedStore | Store:
    if redis_url is None:
        return MemoryStore()
    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    return RedisStore(redis=client, namespace=namespace, handle_client_shutdown=True)


def describe(store: Store) -> str:
    return "redis" if isinstance(store, RedisStore) else "memory"
