"""The current data release, known without a query per request.

Every publish that changes data inserts a `data_release` row and sends
`NOTIFY miarka_release` in the same transaction (delivered on commit). Each API process holds
one listening connection and keeps the number in memory; a periodic re-read covers a dropped
connection. ETags and the response cache are keyed on this number, so a new release makes
every cached answer stale at once, on every replica.
"""

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Final

import asyncpg
import structlog

log = structlog.get_logger("miarka.release")

CHANNEL: Final = "miarka_release"
REFRESH_SECONDS: Final = 30.0
_LATEST = "SELECT id, published_at FROM data_release ORDER BY id DESC LIMIT 1"


class ReleaseTracker:
    def __init__(self, dsn: str, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.dsn = dsn.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.refresh_seconds = refresh_seconds
        self.current = 0
        self.published_at = datetime(2025, 1, 1, tzinfo=UTC)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self._connect()
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("release.listen_failed", error=repr(exc))
        self._task = asyncio.create_task(self._keep_fresh())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=5)
        await conn.add_listener(CHANNEL, self._notified)
        self._conn = conn
        await self._read(conn)

    async def _read(self, conn: asyncpg.Connection) -> None:
        row = await conn.fetchrow(_LATEST)
        if row is not None and row["id"] != self.current:
            self._set(int(row["id"]), row["published_at"])

    def _set(self, release: int, published_at: datetime) -> None:
        if release != self.current:
            log.info("release.changed", release=release, previous=self.current)
        self.current = release
        self.published_at = published_at

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        release, _, stamp = payload.partition("|")
        with contextlib.suppress(ValueError):
            self._set(int(release), datetime.fromisoformat(stamp) if stamp else datetime.now(UTC))

    async def _keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                if self._conn is None or self._conn.is_closed():
                    await self._connect()
                else:
                    await self._read(self._conn)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("release.refresh_failed", error=repr(exc))
                self._conn = None

    async def refresh(self) -> int:
        """Re-read now (tests, and after a load done in this process)."""
        if self._conn is not None and not self._conn.is_closed():
            await self._read(self._conn)
        return self.current
