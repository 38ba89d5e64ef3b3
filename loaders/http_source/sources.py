"""The one interface of an HTTP source, its live and replay implementations, and the client base."""

import abc
import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import ClassVar, Final, NoReturn, NotRequired, Self, TypedDict, Unpack
from urllib.parse import unquote, urlencode

import httpx
import msgspec
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from loaders.http_source.cache import RawCache
from loaders.http_source.quota import Quota, SlidingWindowLimiter
from loaders.http_source.spec import Clock, Query, Sleep, SourceSpec

__all__ = [
    "RETRY_STATUSES",
    "Answer",
    "HttpSource",
    "LiveOptions",
    "LiveSource",
    "ReplaySource",
    "SourceClient",
    "open_source",
    "retry_after_s",
]

log = structlog.get_logger("miarka.http_source")

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
NOT_MODIFIED: Final = 304


def retry_after_s(value: str | None) -> float | None:
    """`Retry-After` as seconds: either a number or an HTTP date (RFC 9110)."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """A conditional GET's outcome: 200 with a body, or 304 (the body the caller kept holds)."""

    status: int
    body: bytes
    etag: str | None


class HttpSource(abc.ABC):
    """The one interface loaders' clients talk to: `get` the raw body of `GET base/path?query`."""

    def __init__(self, spec: SourceSpec, base_url: str) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/")

    def url_of(self, path: str, query: Query) -> str:
        """The full URL of a request, as used in messages and runs (never with a client key)."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        if self.spec.readable_urls:
            return unquote(str(httpx.URL(url, params=list(query))))
        return f"{url}?{urlencode(query)}"

    async def get(self, path: str, query: Query) -> bytes:
        return (await self.get_conditional(path, query, etag=None)).body

    @abc.abstractmethod
    async def get_conditional(self, path: str, query: Query, *, etag: str | None) -> Answer:
        """`GET` with `If-None-Match: etag` when one is given; a 304 answers with no body."""

    async def aclose(self) -> None:
        return None


class ReplaySource(HttpSource):
    """Answers from a `RawCache` only; a request never saved raises the spec's `not_cached`."""

    def __init__(self, spec: SourceSpec, base_url: str, cache_dir: Path) -> None:
        super().__init__(spec, base_url)
        self.cache = RawCache(cache_dir, spec)

    async def get_conditional(self, path: str, query: Query, *, etag: str | None) -> Answer:
        body = await asyncio.to_thread(self.cache.read, path, query, self.url_of(path, query))
        return Answer(status=200, body=body, etag=None)


class _RetryableAnswer(Exception):
    """One attempt failed in a way worth another (429, 5xx, a transport error)."""

    def __init__(self, http_status: int | None, problem: str, retry_after: float | None) -> None:
        super().__init__(problem)
        self.http_status = http_status
        self.problem = problem
        self.retry_after = retry_after


class _WaitRetryAfter(wait_base):
    """The wait the answer asked for (`Retry-After`), else the fallback's backoff."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        failed = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(failed, _RetryableAnswer) and failed.retry_after is not None:
            return failed.retry_after
        return self.fallback(retry_state)


class _StopIfWaitOver(stop_base):
    """Stop at once rather than sleep past `limit_s` (a used-up daily or weekly quota)."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.upcoming_sleep > self.limit_s


class LiveOptions(TypedDict):
    """The knobs of a live source a client passes on untouched."""

    max_concurrency: NotRequired[int]
    max_attempts: NotRequired[int]
    backoff_s: NotRequired[float]
    max_wait_s: NotRequired[float]
    timeout_s: NotRequired[float]
    clock: NotRequired[Clock]
    sleep: NotRequired[Sleep]


class LiveSource(HttpSource):
    """Fetches over httpx: limiter, bounded concurrency, retries; saves to a cache if given."""

    def __init__(
        self,
        spec: SourceSpec,
        base_url: str,
        *,
        quotas: Sequence[Quota],
        headers: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
        max_concurrency: int = 4,
        max_attempts: int = 5,
        backoff_s: float = 1.0,
        max_wait_s: float = 15 * 60,
        timeout_s: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(spec, base_url)
        self.cache = None if cache_dir is None else RawCache(cache_dir, spec)
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self.limiter = SlidingWindowLimiter(quotas, clock=clock, sleep=sleep, source=spec.key)
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._http = httpx.AsyncClient(headers=dict(headers or {}), timeout=timeout_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_conditional(self, path: str, query: Query, *, etag: str | None) -> Answer:
        url = self.url_of(path, query)
        answer = await self._fetch(path, query, url, etag)
        if self.cache is not None and answer.status != NOT_MODIFIED:
            await asyncio.to_thread(self.cache.write, path, query, url, answer.status, answer.body)
        return answer

    async def _fetch(self, path: str, query: Query, url: str, etag: str | None) -> Answer:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts) | _StopIfWaitOver(self.max_wait_s),
            wait=_WaitRetryAfter(wait_exponential(multiplier=self.backoff_s, exp_base=2)),
            retry=retry_if_exception_type(_RetryableAnswer),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(url, state),
            retry_error_callback=lambda state: self._give_up(url, state),
        )
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                return await self._attempt(path, query, url, number, etag)
        raise AssertionError("tenacity ended without an answer")  # pragma: no cover

    async def _attempt(
        self, path: str, query: Query, url: str, attempt: int, etag: str | None
    ) -> Answer:
        headers = {} if etag is None else {"If-None-Match": etag}
        async with self._semaphore:
            await self.limiter.acquire()
            started = time.perf_counter()
            try:
                response = await self._http.get(
                    f"{self.base_url}/{path.lstrip('/')}", params=tuple(query), headers=headers
                )
            except httpx.TransportError as exc:
                raise _RetryableAnswer(None, f"{type(exc).__name__}: {exc}", None) from exc
        status = response.status_code
        log.info(
            "source.request",
            source=self.spec.key,
            url=url,
            status=status,
            attempt=attempt,
            ms=round((time.perf_counter() - started) * 1000),
            bytes=len(response.content),
        )
        if response.is_success or (status == NOT_MODIFIED and etag is not None):
            return Answer(status=status, body=response.content, etag=response.headers.get("ETag"))
        problem = f"HTTP {status}: {response.content[:200]!r}"
        if status not in RETRY_STATUSES:
            raise self.spec.failed(url, status, f"{self.spec.name} answered {problem}")
        raise _RetryableAnswer(status, problem, retry_after_s(response.headers.get("Retry-After")))

    def _log_retry(self, url: str, state: RetryCallState) -> None:
        failed = state.outcome.exception() if state.outcome else None
        log.warning(
            "source.retry",
            source=self.spec.key,
            url=url,
            status=getattr(failed, "http_status", None),
            attempt=state.attempt_number,
            delay_s=state.upcoming_sleep,
        )

    def _give_up(self, url: str, state: RetryCallState) -> NoReturn:
        last = state.outcome.exception() if state.outcome else None
        if not isinstance(last, _RetryableAnswer):  # pragma: no cover - only those are retried
            raise AssertionError(f"retried something else: {last!r}")
        if state.attempt_number >= self.max_attempts:
            message = f"gave up after {state.attempt_number} attempts; last: {last.problem}"
        else:
            message = (
                f"{self.spec.name} asks to retry in {state.upcoming_sleep:.0f} s, longer than"
                f" max_wait_s={self.max_wait_s:.0f} (quota used up?); last answer {last.problem}"
            )
        raise self.spec.failed(url, last.http_status, message)


def open_source(
    spec: SourceSpec,
    base_url: str,
    *,
    replay: bool,
    cache_dir: Path | None,
    quotas: Sequence[Quota],
    headers: Mapping[str, str] | None = None,
    **options: Unpack[LiveOptions],
) -> HttpSource:
    """The live source, or the replay of its cache (`--from-cache`: offline, no network)."""
    if not replay:
        return LiveSource(
            spec, base_url, quotas=quotas, headers=headers, cache_dir=cache_dir, **options
        )
    if cache_dir is None:
        raise ValueError("a replay (from_cache=True) needs cache_dir")
    return ReplaySource(spec, base_url, cache_dir)


class SourceClient:
    """What every source client shares: one source per run, live or replayed, closed on exit.

    `async with Client(...) as client:`; one per run, shared by every request of it.
    """

    spec: ClassVar[SourceSpec]

    def __init__(
        self,
        *,
        base_url: str,
        cache_dir: Path | None,
        from_cache: bool,
        quotas: Sequence[Quota],
        headers: Mapping[str, str],
        **options: Unpack[LiveOptions],
    ) -> None:
        self.source = open_source(
            self.spec,
            base_url,
            replay=from_cache,
            cache_dir=cache_dir,
            quotas=quotas,
            headers=headers,
            **options,
        )
        self.base_url = self.source.base_url
        self.cache_dir = cache_dir
        self.from_cache = from_cache

    @property
    def limiter(self) -> SlidingWindowLimiter:
        if not isinstance(self.source, LiveSource):
            raise AttributeError("a replay has no limiter: it never sends a request")
        return self.source.limiter

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.source.aclose()
