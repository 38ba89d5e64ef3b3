"""The current data release, known without a query per request.

Every publish that changes data inserts a `data_release` row and sends
`NOTIFY miarka_release` in the same transaction (delivered on commit). Each API process holds
one listening connection and keeps the number in memory; a periodic re-read covers a dropped
connection. ETags and the response cache are keyed on this number, so a new release makes
every cached answer stale at once, on every replica.

With a read replica the number is the replica's: the notification comes from the primary, and
a replica that lags still answers with the old rows, which cached under the new number would be
served as the new release for as long as the cache keeps them. So a release the primary
announces is adopted only once the replica has its `data_release` row (polled in the
background); until then the old number stays, and it is the right one for the old rows.
"""

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Final

import asyncpg
import structlog

from service.settings import async_url

log = structlog.get_logger("miarka.release")

CHANNEL: Final = "miarka_release"
REFRESH_SECONDS: Final = 30.0
REPLICA_POLL_SECONDS: Final = 0.15
REPLICA_SLOW_SECONDS: Final = 5.0
"""Waiting longer than this for the replica is logged as a warning."""
REPLICA_WAIT_SECONDS: Final = 60.0
"""One wait gives up after this; the periodic re-read starts another."""
_LATEST = "SELECT id, published_at FROM data_release ORDER BY id DESC LIMIT 1"
_ERRORS: Final = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def _asyncpg_dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


class ReleaseTracker:
    def __init__(
        self,
        dsn: str,
        refresh_seconds: float = REFRESH_SECONDS,
        *,
        replica_dsn: str | None = None,
    ) -> None:
        self.dsn = _asyncpg_dsn(dsn)
        self.replica_dsn = _asyncpg_dsn(replica_dsn) if replica_dsn else None
        self.refresh_seconds = refresh_seconds
        self.current = 0
        self.published_at = datetime(2025, 1, 1, tzinfo=UTC)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._awaited: int | None = None  # announced by the primary, not on the replica yet
        self._catch_up: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.replica_dsn is not None:
            try:  # the release of the rows the replica holds, before the first request
                conn = await asyncpg.connect(self.replica_dsn, timeout=5)
                try:
                    await self._adopt_latest(conn)
                finally:
                    await conn.close()
            except _ERRORS as exc:
                log.warning("release.replica_read_failed", error=repr(exc))
        try:
            await self._connect()
        except _ERRORS as exc:
            log.warning("release.listen_failed", error=repr(exc))
        self._task = asyncio.create_task(self._keep_fresh())

    async def stop(self) -> None:
        for task in (self._task, self._catch_up):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
        if row is not None:
            self._announced(int(row["id"]), row["published_at"])

    async def _adopt_latest(self, conn: asyncpg.Connection) -> None:
        """Take the replica's latest release as it is (start-up: nothing to wait for yet)."""
        row = await conn.fetchrow(_LATEST)
        if row is not None:
            self._set(int(row["id"]), row["published_at"])

    def _set(self, release: int, published_at: datetime) -> None:
        if release != self.current:
            log.info("release.changed", release=release, previous=self.current)
        self.current = release
        self.published_at = published_at

    def _announced(self, release: int, published_at: datetime) -> None:
        """The primary has `release`: adopt it now, or once the replica has it too."""
        if self.replica_dsn is None:
            self._set(release, published_at)
            return
        if release == self.current and self._awaited is None:
            return
        self._awaited = release
        if self._catch_up is None or self._catch_up.done():
            self._catch_up = asyncio.create_task(self._wait_for_replica(self.replica_dsn))

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        release, _, stamp = payload.partition("|")
        with contextlib.suppress(ValueError):
            self._announced(
                int(release), datetime.fromisoformat(stamp) if stamp else datetime.now(UTC)
            )

    async def _wait_for_replica(self, replica_dsn: str) -> None:
        """Poll the replica until it has the awaited release; requests meanwhile use the old."""
        loop = asyncio.get_running_loop()
        started, slow = loop.time(), False
        try:
            conn = await asyncpg.connect(replica_dsn, timeout=5)
        except _ERRORS as exc:
            log.warning("release.replica_read_failed", error=repr(exc))
            return  # the periodic re-read tries again
        try:
            while self._awaited is not None:
                row = await conn.fetchrow(_LATEST)
                replicated = 0 if row is None else int(row["id"])
                awaited = self._awaited  # read after the query: a newer one may have come
                waited = round(loop.time() - started, 2)
                if awaited is None:
                    return
                if row is not None and replicated >= awaited:
                    self._awaited = None
                    self._set(replicated, row["published_at"])
                    if slow:
                        log.info("release.replica_caught_up", release=replicated, seconds=waited)
                    return
                if waited >= REPLICA_WAIT_SECONDS:
                    log.warning(
                        "release.replica_behind_giving_up",
                        release=awaited,
                        replica=replicated,
                        seconds=waited,
                    )
                    return
                if not slow and waited >= REPLICA_SLOW_SECONDS:
                    slow = True
                    log.warning(
                        "release.replica_behind",
                        release=awaited,
                        replica=replicated,
                        seconds=waited,
                    )
                await asyncio.sleep(REPLICA_POLL_SECONDS)
        except _ERRORS as exc:
            log.warning("release.replica_read_failed", error=repr(exc))
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            try:
                if self._conn is None or self._conn.is_closed():
                    await self._connect()
                else:
                    await self._read(self._conn)
            except _ERRORS as exc:
                log.warning("release.refresh_failed", error=repr(exc))
                self._conn = None

    async def refresh(self) -> int:
        """Re-read now (tests, and after a load done in this process).

        With a replica, a newer release is adopted later, once the replica has it.
        """
        if self._conn is not None and not self._conn.is_closed():
            await self._read(self._conn)
        return self.current
