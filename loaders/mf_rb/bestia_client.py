"""Async client for the Ministry of Finance BeSTi@ REST API (`https://bestia-api.mf.gov.pl`).

UNVERIFIED against the live service: no network here, and no published specification. The
shapes come from public client code (requests with `filter[<field>]=value`, `format=JSON`,
`page` from 1, `limit` at most 100, `sort=<field>`; answers `{"data": [...], "paging":
{"totalPages": n}}`, 204 when nothing matches, sometimes a UTF-8 BOM). That code reports that
without an explicit `sort` the order is unstable, so pages repeat some rows and miss others:
this client always sends `sort` and drops rows it has already seen. The tests run it against a
local replay server with synthetic answers of that shape.

Like the BDL client (whose limiter and cache naming it reuses): bounded concurrency, a local
rate limit (the API states none; we stay polite), retries with backoff on 429/5xx and
transport errors, every raw answer saved with a sidecar, and `from_cache` replay offline.
"""

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Final
from urllib.parse import unquote

import httpx
import msgspec
import structlog

from domains.errors import MiarkaError
from loaders.bdl.client import (
    CacheMeta,
    Quota,
    SlidingWindowLimiter,
    _retry_after_s,
    _write_atomic,
    cache_name,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_LIMIT",
    "BestiaClient",
    "BestiaNotCached",
    "BestiaRequestFailed",
    "PageInfo",
    "parse_page",
]

log = structlog.get_logger("miarka.bestia")

DEFAULT_BASE_URL: Final = "https://bestia-api.mf.gov.pl"
MAX_LIMIT: Final = 100
POLITE_QUOTAS: Final = (Quota(5, 1), Quota(200, 60))
_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_EMPTY: Final = b""


class BestiaRequestFailed(MiarkaError):
    status: ClassVar[int] = 502
    slug: ClassVar[str] = "bestia-request-failed"
    title: ClassVar[str] = "BeSTi@ API request failed"

    def __init__(self, url: str, http_status: int | None, message: str) -> None:
        self.url = url
        self.http_status = http_status
        super().__init__(f"{url}: {message}")


class BestiaNotCached(MiarkaError):
    status: ClassVar[int] = 404
    slug: ClassVar[str] = "bestia-not-cached"
    title: ClassVar[str] = "BeSTi@ answer not in the cache"


class _Paging(msgspec.Struct, rename="camel"):
    total_pages: int
    total_items: int | None = None


class _Page(msgspec.Struct):
    data: list[dict[str, Any]]
    paging: _Paging


class PageInfo(msgspec.Struct, frozen=True, kw_only=True):
    rows: list[dict[str, Any]]
    total_pages: int


def parse_page(body: bytes, *, source: str) -> PageInfo:
    """One page; an empty body (HTTP 204) is an empty result. Raises BestiaRequestFailed."""
    if not body.strip():
        return PageInfo(rows=[], total_pages=0)
    try:
        page = msgspec.json.decode(body.removeprefix(b"\xef\xbb\xbf"), type=_Page)
    except msgspec.DecodeError as exc:
        raise BestiaRequestFailed(
            source, 200, f"not a BeSTi@ page ({exc}); the body starts with {body[:80]!r}"
        ) from exc
    return PageInfo(rows=page.data, total_pages=page.paging.total_pages)


def _query(filters: Mapping[str, str], extra: Mapping[str, str | int]) -> list[tuple[str, str]]:
    pairs = [(f"filter[{key}]", str(value)) for key, value in filters.items()]
    pairs.extend((key, str(value)) for key, value in extra.items())
    return sorted(pairs)


def row_key(row: Mapping[str, Any]) -> str:
    """Rows carry no documented id, so a row is its content (keys sorted)."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


class BestiaClient:
    """`async with BestiaClient(...) as bestia:`; one per run."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: Path | None = None,
        from_cache: bool = False,
        max_concurrency: int = 4,
        max_attempts: int = 5,
        backoff_s: float = 1.0,
        max_wait_s: float = 15 * 60,
        timeout_s: float = 90.0,
        quotas: Sequence[Quota] = POLITE_QUOTAS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if from_cache and cache_dir is None:
            raise ValueError("from_cache=True needs cache_dir")
        self.base_url = base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.from_cache = from_cache
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self.limiter = SlidingWindowLimiter(quotas, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._http = (
            None
            if from_cache
            else httpx.AsyncClient(headers={"Accept": "application/json"}, timeout=timeout_s)
        )

    async def __aenter__(self) -> "BestiaClient":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def url_of(self, path: str, query: Sequence[tuple[str, str]]) -> str:
        """The URL as people read it (brackets not percent-encoded), for messages and runs."""
        return unquote(str(httpx.URL(f"{self.base_url}/{path.lstrip('/')}", params=list(query))))

    async def get_page(
        self, path: str, filters: Mapping[str, str], *, sort: str, page: int
    ) -> bytes:
        """The raw body of one page, fetched or replayed; always sorted, 100 rows a page."""
        query = _query(filters, {"format": "JSON", "sort": sort, "page": page, "limit": MAX_LIMIT})
        url = self.url_of(path, query)
        if self.from_cache:
            return await asyncio.to_thread(self._read_cached, path, query, url)
        status, body = await self._fetch(path, query, url)
        if self.cache_dir is not None:
            await asyncio.to_thread(self._write_cached, path, query, url, status, body)
        return body

    async def fetch_all(
        self, path: str, filters: Mapping[str, str], *, sort: str
    ) -> tuple[list[dict[str, Any]], int]:
        """Every row of every page, de-duplicated; returns the rows and how many repeats were
        dropped. Raises when `totalPages` changes during the run (the data changed)."""
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        repeats = 0
        page, total = 1, None
        while total is None or page <= total:
            url = self.url_of(path, _query(filters, {"sort": sort, "page": page}))
            info = parse_page(await self.get_page(path, filters, sort=sort, page=page), source=url)
            if total is not None and info.total_pages != total and info.rows:
                raise BestiaRequestFailed(
                    url, 200, f"totalPages went from {total} to {info.total_pages} mid-run"
                )
            total = info.total_pages if total is None else total
            for row in info.rows:
                key = row_key(row)
                if key in seen:
                    repeats += 1
                    continue
                seen.add(key)
                rows.append(row)
            if not info.rows:
                break
            page += 1
        if repeats:
            log.warning("bestia.repeated_rows", path=path, filters=dict(filters), repeats=repeats)
        return rows, repeats

    async def _fetch(self, path: str, query: list[tuple[str, str]], url: str) -> tuple[int, bytes]:
        if self._http is None:
            raise RuntimeError("a from_cache client does not fetch")
        last_status: int | None = None
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            retry_after: float | None = None
            async with self._semaphore:
                await self.limiter.acquire()
                try:
                    response = await self._http.get(
                        f"{self.base_url}/{path.lstrip('/')}", params=tuple(query)
                    )
                except httpx.TransportError as exc:
                    last_status, last_problem = None, f"{type(exc).__name__}: {exc}"
                else:
                    last_status = response.status_code
                    log.info("bestia.request", url=url, status=last_status, attempt=attempt)
                    if response.status_code == 204:  # noqa: PLR2004 - nothing matches
                        return 204, _EMPTY
                    if response.is_success:
                        return response.status_code, response.content
                    last_problem = f"HTTP {last_status}: {response.content[:200]!r}"
                    if last_status not in _RETRY_STATUSES:
                        raise BestiaRequestFailed(
                            url, last_status, f"BeSTi@ answered {last_problem}"
                        )
                    retry_after = _retry_after_s(response.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                break
            delay = retry_after if retry_after is not None else self.backoff_s * 2 ** (attempt - 1)
            if delay > self.max_wait_s:
                raise BestiaRequestFailed(
                    url, last_status, f"asked to retry in {delay:.0f} s; last: {last_problem}"
                )
            log.warning("bestia.retry", url=url, status=last_status, attempt=attempt, delay_s=delay)
            await self._sleep(delay)
        raise BestiaRequestFailed(
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
            raise BestiaNotCached(
                f"{url} is not in the cache {self.cache_dir} (expected {body_path.name});"
                " fetch it once without --from-cache"
            ) from None

    def _write_cached(
        self, path: str, query: list[tuple[str, str]], url: str, status: int, body: bytes
    ) -> None:
        body_path, meta_path = self._paths(path, query)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = CacheMeta(
            url=url,
            path=path,
            params=query,
            status=status,
            fetched_at=datetime.now(UTC),
            bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
        _write_atomic(body_path, body)
        _write_atomic(meta_path, msgspec.json.format(msgspec.json.encode(meta)))
