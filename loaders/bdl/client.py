"""Async client for the GUS BDL API v1: quotas, retries, paging and a cache of raw answers.

BDL meters every caller in four sliding windows at once (1 s, 15 min, 12 h, 7 days; more with
an `X-ClientId` key), so each request first waits in a local limiter, and 429 or 5xx answers
are retried with backoff. Every successful body is saved with a sidecar describing the request,
so a load can be replayed offline (`from_cache=True`, what `miarka load bdl --from-cache` uses)
and the parser re-run on exactly what the API said.
"""

import asyncio
import hashlib
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import ClassVar, Final, TypeAlias
from urllib.parse import urlencode

import httpx
import msgspec
import structlog

from domains.errors import MiarkaError
from loaders.bdl.api_json import read_page_info

__all__ = [
    "ANONYMOUS_QUOTAS",
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "REGISTERED_QUOTAS",
    "BdlClient",
    "BdlNotCached",
    "BdlRequestFailed",
    "CacheMeta",
    "Quota",
    "SlidingWindowLimiter",
    "cache_name",
]

log = structlog.get_logger("miarka.bdl")

DEFAULT_BASE_URL: Final = "https://bdl.stat.gov.pl/api/v1"
MAX_PAGE_SIZE: Final = 100
_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9]+")

Clock: TypeAlias = Callable[[], float]
Sleep: TypeAlias = Callable[[float], Awaitable[None]]
ParamValue: TypeAlias = str | int
Params: TypeAlias = Mapping[str, ParamValue | Sequence[ParamValue]]


class Quota(msgspec.Struct, frozen=True):
    limit: int
    period_s: float


# Limits per caller, as GUS publishes them for the BDL API (api.stat.gov.pl/Home/BdlApi) and
# as the pyBDL client encodes them (pybdl/config.py DEFAULT_QUOTAS).
ANONYMOUS_QUOTAS: Final = (
    Quota(5, 1),
    Quota(100, 15 * 60),
    Quota(1_000, 12 * 3600),
    Quota(10_000, 7 * 86400),
)
REGISTERED_QUOTAS: Final = (
    Quota(10, 1),
    Quota(500, 15 * 60),
    Quota(5_000, 12 * 3600),
    Quota(50_000, 7 * 86400),
)


class BdlRequestFailed(MiarkaError):
    """BDL did not give a usable answer (after retries, where retrying made sense)."""

    status: ClassVar[int] = 502
    slug: ClassVar[str] = "bdl-request-failed"
    title: ClassVar[str] = "BDL API request failed"

    def __init__(self, url: str, http_status: int | None, message: str) -> None:
        self.url = url
        self.http_status = http_status
        super().__init__(f"{url}: {message}")


class BdlNotCached(MiarkaError):
    """An offline (`from_cache`) run asked for a request that was never saved."""

    status: ClassVar[int] = 404
    slug: ClassVar[str] = "bdl-not-cached"
    title: ClassVar[str] = "BDL answer not in the cache"


class CacheMeta(msgspec.Struct, frozen=True, kw_only=True):
    """The `.meta.json` sidecar of a cached body; never holds the client id."""

    url: str
    path: str
    params: list[tuple[str, str]]
    status: int
    fetched_at: datetime
    bytes: int
    sha256: str


class SlidingWindowLimiter:
    """Lets a request go only when every window still has room for it.

    Per window it keeps the times of the last `limit` requests: the next one may start once the
    oldest of them is `period_s` old, so no window of that length ever holds more than `limit`.
    """

    def __init__(
        self,
        quotas: Sequence[Quota],
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.quotas = tuple(quotas)
        self._clock = clock
        self._sleep = sleep
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
                    log.info("bdl.quota_wait", wait_s=round(wait, 3))
                await self._sleep(wait)
            now = self._clock()
            for recent in self._recent:
                recent.append(now)


def cache_name(path: str, query: Sequence[tuple[str, str]]) -> str:
    """File stem of a cached answer: readable path words plus a hash of path and query."""
    key = f"{path.strip('/')}?{urlencode(sorted(query))}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return f"{_UNSAFE.sub('-', path.strip('/')).strip('-')[:80]}-{digest}"


class BdlClient:
    """`async with BdlClient(...) as bdl:`; one per run, shared by every request of it."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client_id: str | None = None,
        cache_dir: Path | None = None,
        from_cache: bool = False,
        max_concurrency: int = 4,
        max_attempts: int = 5,
        backoff_s: float = 1.0,
        max_wait_s: float = 15 * 60,
        timeout_s: float = 60.0,
        quotas: Sequence[Quota] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if from_cache and cache_dir is None:
            raise ValueError("from_cache=True needs cache_dir")
        self.base_url = base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.from_cache = from_cache
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        default_quotas = REGISTERED_QUOTAS if client_id else ANONYMOUS_QUOTAS
        self.limiter = SlidingWindowLimiter(quotas or default_quotas, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(max_concurrency)
        headers = {"Accept": "application/json"}
        if client_id:
            headers["X-ClientId"] = client_id
        self._http = None if from_cache else httpx.AsyncClient(headers=headers, timeout=timeout_s)

    async def __aenter__(self) -> "BdlClient":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def url_of(self, path: str, params: Params) -> str:
        """The full URL of a request, as used in messages (never with the client id)."""
        return f"{self.base_url}/{path.lstrip('/')}?{urlencode(_query(params))}"

    async def get_json(self, path: str, params: Params) -> bytes:
        """The raw body of `GET {base_url}/{path}?format=json&...`, fetched or from the cache."""
        params = {"format": "json", **params}
        query = _query(params)
        url = self.url_of(path, params)
        if self.from_cache:
            return await asyncio.to_thread(self._read_cached, path, query, url)
        body = await self._fetch(path, query, url)
        if self.cache_dir is not None:
            await asyncio.to_thread(self._write_cached, path, query, url, body)
        return body

    async def iter_variable_pages(
        self,
        variable_id: int | str,
        *,
        unit_level: int | None,
        years: Sequence[int] = (),
        lang: str = "pl",
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[bytes]:
        """Every page of `data/by-variable/{id}` in order (page 0, 1, ...) until all
        `totalRecords` came; raises if the pages do not add up to that total."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        path = f"data/by-variable/{variable_id}"
        seen, page, total = 0, 0, -1
        while True:
            params: dict[str, ParamValue | Sequence[ParamValue]] = {
                "format": "json",
                "lang": lang,
                "page": page,
                "page-size": page_size,
                "year": list(years),
            }
            if unit_level is not None:
                params["unit-level"] = unit_level
            body = await self.get_json(path, params)
            info = read_page_info(body, source=self.url_of(path, params))
            total = info.total_records if total < 0 else total
            seen += info.results
            yield body
            if seen == total:
                return
            if info.results == 0 or seen > total:
                raise BdlRequestFailed(
                    self.url_of(path, params),
                    200,
                    f"paging ended at page {page} with {seen} of totalRecords={total} results"
                    " (did the data change during the run?)",
                )
            page += 1

    async def _fetch(self, path: str, query: list[tuple[str, str]], url: str) -> bytes:
        if self._http is None:
            raise RuntimeError("a from_cache client does not fetch")
        last_status: int | None = None
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            async with self._semaphore:
                await self.limiter.acquire()
                started = time.perf_counter()
                try:
                    response = await self._http.get(
                        f"{self.base_url}/{path.lstrip('/')}", params=tuple(query)
                    )
                except httpx.TransportError as exc:
                    last_status, last_problem = None, f"{type(exc).__name__}: {exc}"
                else:
                    last_status = response.status_code
                    log.info(
                        "bdl.request",
                        url=url,
                        status=last_status,
                        attempt=attempt,
                        ms=round((time.perf_counter() - started) * 1000),
                        bytes=len(response.content),
                    )
                    if response.is_success:
                        return response.content
                    last_problem = f"HTTP {last_status}: {response.content[:200]!r}"
                    if last_status not in _RETRY_STATUSES:
                        raise BdlRequestFailed(url, last_status, f"BDL answered {last_problem}")
                    retry_after = _retry_after_s(response.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                break
            delay = retry_after if retry_after is not None else self.backoff_s * 2 ** (attempt - 1)
            if delay > self.max_wait_s:
                raise BdlRequestFailed(
                    url,
                    last_status,
                    f"BDL asks to retry in {delay:.0f} s, longer than max_wait_s="
                    f"{self.max_wait_s:.0f} (quota used up?); last answer {last_problem}",
                )
            log.warning("bdl.retry", url=url, status=last_status, attempt=attempt, delay_s=delay)
            await self._sleep(delay)
        raise BdlRequestFailed(
            url, last_status, f"gave up after {self.max_attempts} attempts; last: {last_problem}"
        )

    def _paths(self, path: str, query: Sequence[tuple[str, str]]) -> tuple[Path, Path]:
        if self.cache_dir is None:
            raise RuntimeError("no cache_dir")
        stem = cache_name(path, query)
        return self.cache_dir / f"{stem}.json", self.cache_dir / f"{stem}.meta.json"

    def _read_cached(self, path: str, query: list[tuple[str, str]], url: str) -> bytes:
        body_path, _meta = self._paths(path, query)
        try:
            return body_path.read_bytes()
        except FileNotFoundError:
            raise BdlNotCached(
                f"{url} is not in the cache {self.cache_dir} (expected {body_path.name});"
                " fetch it once without --from-cache"
            ) from None

    def _write_cached(self, path: str, query: list[tuple[str, str]], url: str, body: bytes) -> None:
        body_path, meta_path = self._paths(path, query)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = CacheMeta(
            url=url,
            path=path,
            params=query,
            status=200,
            fetched_at=datetime.now(UTC),
            bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
        _write_atomic(body_path, body)
        _write_atomic(meta_path, msgspec.json.format(msgspec.json.encode(meta)))
        log.debug("bdl.cache_write", url=url, file=body_path.name)


def _query(params: Params) -> list[tuple[str, str]]:
    """Flatten and sort: repeated keys (`year`) become repeated pairs; order never matters."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = [value] if isinstance(value, str | int) else value
        pairs.extend((key, str(item)) for item in values)
    return sorted(pairs)


def _retry_after_s(value: str | None) -> float | None:
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


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
