"""Quota windows a source meters its callers in, and the limiter that waits until all have room."""

import asyncio
import time
from collections import deque
from collections.abc import Sequence

import msgspec
import structlog

from loaders.http_source.spec import Clock, Sleep

__all__ = ["Quota", "SlidingWindowLimiter", "schedule_s"]

log = structlog.get_logger("miarka.http_source")


class Quota(msgspec.Struct, frozen=True):
    limit: int
    period_s: float


class SlidingWindowLimiter:
    """Lets a request go only when every window still has room for it.

    Per window it keeps the times of the last `limit` requests: the next one may start once the
    oldest of them is `period_s` old, so no window of that length ever holds more than `limit`.
    Hand-written rather than `limits`' moving window because the tests drive it with a fake
    clock, so windows of days pass at once, and because it waits instead of refusing.
    """

    def __init__(
        self,
        quotas: Sequence[Quota],
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        source: str = "",
    ) -> None:
        self.quotas = tuple(quotas)
        self._clock = clock
        self._sleep = sleep
        self._source = source
        self._recent = [deque[float](maxlen=q.limit) for q in self.quotas]
        self._lock = asyncio.Lock()

    def wait_s(self) -> float:
        now = self._clock()
        waits = [
            recent[0] + quota.period_s - now
            for quota, recent in zip(self.quotas, self._recent, strict=True)
            if len(recent) == quota.limit
        ]
        return max([0.0, *waits])

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: waiters go out in the order they came
            while (wait := self.wait_s()) > 0:
                if wait >= 1:
                    log.info("source.quota_wait", source=self._source, wait_s=round(wait, 3))
                await self._sleep(wait)
            now = self._clock()
            for recent in self._recent:
                recent.append(now)


def schedule_s(quotas: Sequence[Quota], requests: int) -> float:
    """When the last of `requests` sent back to back may start, from 0, by the limiter's rule.

    The same rule as `SlidingWindowLimiter.acquire` (request k waits until request k - limit of
    every window is `period_s` old), computed without sleeping: what a plan prints as its time.
    """
    starts: list[float] = []
    for k in range(requests):
        start = starts[-1] if starts else 0.0
        for quota in quotas:
            if k >= quota.limit:
                start = max(start, starts[k - quota.limit] + quota.period_s)
        starts.append(start)
    return starts[-1] if starts else 0.0
