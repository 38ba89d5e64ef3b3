"""Async client for the Ministry of Finance BeSTi@ REST API (`https://bestia-api.mf.gov.pl`).

UNVERIFIED against the live service: no network here, and no published specification. The
shapes come from public client code (requests with `filter[<field>]=value`, `format=JSON`,
`page` from 1, `limit` at most 100, `sort=<field>`; answers `{"data": [...], "paging":
{"totalPages": n}}`, 204 when nothing matches, sometimes a UTF-8 BOM). That code reports that
without an explicit `sort` the order is unstable, so pages repeat some rows and miss others:
this client always sends `sort` and drops rows it has already seen. The tests run it against a
local replay server with synthetic answers of that shape.

Like the BDL client, a user of the shared base (`loaders.http_source`): bounded concurrency,
a local rate limit (the API states none; we stay polite), retries with backoff on 429/5xx and
transport errors, every raw answer saved with a sidecar, and `from_cache` replay offline.
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Final, Unpack

import msgspec
import structlog

from loaders.http_source import (
    LiveOptions,
    Query,
    Quota,
    SourceClient,
    SourceNotCached,
    SourceRequestFailed,
    SourceSpec,
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


class BestiaRequestFailed(SourceRequestFailed):
    slug: ClassVar[str] = "bestia-request-failed"
    title: ClassVar[str] = "BeSTi@ API request failed"


class BestiaNotCached(SourceNotCached):
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


def _query(filters: Mapping[str, str], extra: Mapping[str, str | int]) -> Query:
    pairs = [(f"filter[{key}]", str(value)) for key, value in filters.items()]
    pairs.extend((key, str(value)) for key, value in extra.items())
    return sorted(pairs)


def row_key(row: Mapping[str, Any]) -> str:
    """Rows carry no documented id, so a row is its content (keys sorted)."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


class BestiaClient(SourceClient):
    """`async with BestiaClient(...) as bestia:`; one per run."""

    spec: ClassVar[SourceSpec] = SourceSpec(
        name="BeSTi@",
        key="bestia",
        failed=BestiaRequestFailed,
        not_cached=BestiaNotCached,
        readable_urls=True,
    )

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: Path | None = None,
        from_cache: bool = False,
        quotas: Sequence[Quota] = POLITE_QUOTAS,
        **options: Unpack[LiveOptions],
    ) -> None:
        options.setdefault("timeout_s", 90.0)
        super().__init__(
            base_url=base_url,
            cache_dir=cache_dir,
            from_cache=from_cache,
            quotas=quotas,
            headers={"Accept": "application/json"},
            **options,
        )

    def url_of(self, path: str, query: Query) -> str:
        """The URL as people read it (brackets not percent-encoded), for messages and runs."""
        return self.source.url_of(path, query)

    async def get_page(
        self, path: str, filters: Mapping[str, str], *, sort: str, page: int
    ) -> bytes:
        """The raw body of one page, fetched or replayed; always sorted, 100 rows a page.

        204 (nothing matches) is an empty body, as `parse_page` expects."""
        query = _query(filters, {"format": "JSON", "sort": sort, "page": page, "limit": MAX_LIMIT})
        return await self.source.get(path, query)

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
