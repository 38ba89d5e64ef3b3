"""The store behind the response cache and the rate limiter.

Redis when REDIS_URL is set (shared by every API replica), else an in-process memory store.
Wrapped so that a Redis outage never fails a request: reads miss, writes are dropped, the
failure is logged, and the store is left alone for a few seconds before it is tried again.
"""

import time
from datetime import timedelta
from typing import Final

import structlog
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis

log = structlog.get_logger("miarka.cache")

NAMESPACE: Final = "miarka"
BACKOFF_SECONDS: Final = 10.0


class FailOpen:
    """The pause after a backend failure: skip it for a while instead of failing requests."""

    def __init__(self, event: str) -> None:
        self.event = event
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + BACKOFF_SECONDS
        log.warning(self.event, error=repr(exc), retry_in=BACKOFF_SECONDS)


class ResilientStore(Store):
    """Fails open: a broken backend behaves like an empty cache, never like an error."""

    def __init__(self, backend: Store) -> None:
        self.backend = backend
        self._pause = FailOpen("cache.store_unavailable")

    @property
    def available(self) -> bool:
        return self._pause.available

    def _failed(self, exc: Exception) -> None:
        self._pause.failed(exc)

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        if not self.available:
            return
        try:
            await self.backend.set(key, value, expires_in)
        except Exception as exc:
            self._failed(exc)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if not self.available:
            return None
        try:
            return await self.backend.get(key, renew_for)
        except Exception as exc:
            self._failed(exc)
            return None

    async def delete(self, key: str) -> None:
        try:
            await self.backend.delete(key)
        except Exception as exc:
            self._failed(exc)

    async def delete_all(self) -> None:
        await self.backend.delete_all()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        if not self.available:
            return None
        try:
            return await self.backend.expires_in(key)
        except Exception as exc:
            self._failed(exc)
            return None

    async def ping(self) -> None:
        """Raise when the backend does not answer (for /ready), bypassing the fail-open."""
        await self.backend.set("ready-probe", b"1", expires_in=10)
        if await self.backend.get("ready-probe") != b"1":
            raise ConnectionError("the cache read back a different value")

    async def __aexit__(self, *exc: object) -> None:
        await self.backend.__aexit__(None, None, None)


def make_store(redis_url: str | None, namespace: str = NAMESPACE) -> ResilientStore:
    if redis_url is None:
        return ResilientStore(MemoryStore())
    client = Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    return ResilientStore(
        RedisStore(redis=client, namespace=namespace, handle_client_shutdown=True)
    )


def describe(store: Store) -> str:
    backend = store.backend if isinstance(store, ResilientStore) else store
    return "redis" if isinstance(backend, RedisStore) else "memory"
