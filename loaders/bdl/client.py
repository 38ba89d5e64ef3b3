"""Async client for the GUS BDL API v1: its quotas, its paging, its errors.

BDL meters every caller in four sliding windows at once (1 s, 15 min, 12 h, 7 days; more with
an `X-ClientId` key). Waiting in those windows, retrying 429 or 5xx answers and saving every raw
body with a sidecar (so a load can be replayed offline, `from_cache=True`, what `miarka load bdl
--from-cache` uses) are the shared base's work (`loaders.http_source`); this module adds the
quotas, the `format=json` query and the by-variable paging.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Final, TypeAlias, Unpack
from urllib.parse import urlencode

from loaders.bdl.api_json import read_page_info
from loaders.http_source import (
    Answer,
    CacheMeta,
    LiveOptions,
    Query,
    Quota,
    SlidingWindowLimiter,
    SourceClient,
    SourceNotCached,
    SourceRequestFailed,
    SourceSpec,
    cache_name,
)

__all__ = [
    "ANONYMOUS_QUOTAS",
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "REGISTERED_QUOTAS",
    "Answer",
    "BdlClient",
    "BdlNotCached",
    "BdlRequestFailed",
    "CacheMeta",
    "ParamValue",
    "Params",
    "Quota",
    "SlidingWindowLimiter",
    "cache_name",
    "variable_page_params",
]

DEFAULT_BASE_URL: Final = "https://bdl.stat.gov.pl/api/v1"
MAX_PAGE_SIZE: Final = 100

ParamValue: TypeAlias = str | int
Params: TypeAlias = Mapping[str, ParamValue | Sequence[ParamValue]]

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


class BdlRequestFailed(SourceRequestFailed):
    """BDL did not give a usable answer (after retries, where retrying made sense)."""

    slug: ClassVar[str] = "bdl-request-failed"
    title: ClassVar[str] = "BDL API request failed"


class BdlNotCached(SourceNotCached):
    """An offline (`from_cache`) run asked for a request that was never saved."""

    slug: ClassVar[str] = "bdl-not-cached"
    title: ClassVar[str] = "BDL answer not in the cache"


class BdlClient(SourceClient):
    """`async with BdlClient(...) as bdl:`; one per run, shared by every request of it."""

    spec: ClassVar[SourceSpec] = SourceSpec(
        name="BDL", key="bdl", failed=BdlRequestFailed, not_cached=BdlNotCached
    )

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client_id: str | None = None,
        cache_dir: Path | None = None,
        from_cache: bool = False,
        quotas: Sequence[Quota] | None = None,
        **options: Unpack[LiveOptions],
    ) -> None:
        headers = {"Accept": "application/json"}
        if client_id:
            headers["X-ClientId"] = client_id
        default_quotas = REGISTERED_QUOTAS if client_id else ANONYMOUS_QUOTAS
        options.setdefault("timeout_s", 60.0)
        super().__init__(
            base_url=base_url,
            cache_dir=cache_dir,
            from_cache=from_cache,
            quotas=quotas or default_quotas,
            headers=headers,
            **options,
        )

    def request_key(self, path: str, params: Params) -> str:
        """A request as `path?sorted query`, whatever the base URL: how a sync keeps its state."""
        return f"{path.strip('/')}?{urlencode(_query({'format': 'json', **params}))}"

    def url_of(self, path: str, params: Params) -> str:
        """The full URL of a request, as used in messages (never with the client id)."""
        return self.source.url_of(path, _query(params))

    async def get_json(self, path: str, params: Params) -> bytes:
        """The raw body of `GET {base_url}/{path}?format=json&...`, fetched or from the cache."""
        return await self.source.get(path, _query({"format": "json", **params}))

    async def revalidate_json(self, path: str, params: Params, *, etag: str | None) -> Answer:
        """`get_json` with `If-None-Match: etag` (when given): a 304 means the kept body holds."""
        query = _query({"format": "json", **params})
        return await self.source.get_conditional(path, query, etag=etag)

    async def iter_variable_pages(
        self,
        variable_id: int | str,
        *,
        unit_level: int | None,
        years: Sequence[int] = (),
        lang: str = "pl",
        page_size: int = MAX_PAGE_SIZE,
        get: Callable[[str, Params], Awaitable[bytes]] | None = None,
    ) -> AsyncIterator[bytes]:
        """Every page of `data/by-variable/{id}` in order (page 0, 1, ...) until all
        `totalRecords` came; raises if the pages do not add up to that total.

        `get` reads one page instead of `get_json` (a sync answers from what it kept)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        path = f"data/by-variable/{variable_id}"
        seen, page, total = 0, 0, -1
        while True:
            params = variable_page_params(
                unit_level=unit_level, years=years, page=page, lang=lang, page_size=page_size
            )
            body = await (get or self.get_json)(path, params)
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


def variable_page_params(
    *,
    unit_level: int | None,
    years: Sequence[int],
    page: int | None,
    lang: str = "pl",
    page_size: int = MAX_PAGE_SIZE,
) -> dict[str, ParamValue | Sequence[ParamValue]]:
    """The query of one `data/by-variable` page; with `page=None`, of the whole series (how a
    run names what it asked for). Order is free: `url_of` sorts."""
    params: dict[str, ParamValue | Sequence[ParamValue]] = {
        "format": "json",
        "lang": lang,
        "page-size": page_size,
        "year": list(years),
    }
    if page is not None:
        params["page"] = page
    if unit_level is not None:
        params["unit-level"] = unit_level
    return params


def _query(params: Params) -> Query:
    """Flatten and sort: repeated keys (`year`) become repeated pairs; order never matters."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = [value] if isinstance(value, str | int) else value
        pairs.extend((key, str(item)) for item in values)
    return sorted(pairs)
