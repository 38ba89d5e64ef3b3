"""HTTP caching for every GET: strong ETags, 304 without touching the database, a shared cache.

The ETag is derived from the current data release and the normalised request (path, sorted
query, the negotiated Accept and Accept-Language, the code version), so it is strong: the same
tag always means the same bytes. A matching If-None-Match is answered 304 before the app runs.
Bodies up to MAX_CACHED_BYTES are kept in the store (Redis when configured) under that tag;
a new release changes every tag, so stale bodies are never served. The store fails open
(service/cache.py): when Redis is down the request is served from PostgreSQL.
"""

import hashlib
from collections.abc import Awaitable, Callable
from email.utils import format_datetime
from importlib.metadata import version
from typing import Any, Final, cast
from urllib.parse import parse_qsl, urlencode

import msgspec
import structlog
from litestar.stores.base import Store
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domains.indicators.as_of import frozen_as_of
from service.release import ReleaseTracker

log = structlog.get_logger("miarka.cache")

MAX_CACHED_BYTES: Final = 8 * 1024 * 1024
CACHE_SECONDS: Final = 3600
CACHE_CONTROL: Final = "public, max-age=60, stale-while-revalidate=300"
PAST_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
"""An answer `as_of` a past release (or a day that is over) never changes."""
UNCACHED_PREFIXES: Final = ("/health", "/ready", "/schema", "/static", "/problems", "/api/v1/admin")
"""Never cached: liveness, docs, static files, and admin answers (they depend on the key)."""
UNCACHED_PATHS: Final = frozenset({"/api/v1/groups"})
"""Collections that users' writes change between data releases (a release-keyed tag would
serve the list as it was before a group was saved)."""
UNCACHED_WRITABLE: Final = ("/api/v1/partnerships", "/partnerstwa")
"""Partnerships and their pages: stewards change them (members, assessments) between releases."""
VARY: Final = "Accept, Accept-Language, Accept-Encoding"
CODE_VERSION: Final = version("miarka")


class CachedResponse(msgspec.Struct, array_like=True):
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def normalised_key(scope: dict[str, Any]) -> str:
    headers = dict(scope["headers"])
    # Blank values stay: `?q=` is a different request (a 400) from no `q` at all.
    query = sorted(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    # No Accept means any type (RFC 9110 12.5.1): curl's `*/*` and wrk's nothing share a tag.
    accept = headers.get(b"accept", b"").decode("latin-1").strip() or "*/*"
    language = headers.get(b"accept-language", b"").decode("latin-1")[:2].lower()
    gzip = "gzip" if b"gzip" in headers.get(b"accept-encoding", b"") else ""
    # Answers that write absolute IRIs (the DCAT catalogue, the accessibility declaration)
    # depend on the host asked: a body cached for one host must not be replayed to another.
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    return "|".join(
        [
            CODE_VERSION,
            scope["method"],
            host,
            scope["path"],
            urlencode(query),
            accept,
            language,
            gzip,
        ]
    )


def etag_for(release: int, scope: dict[str, Any]) -> str:
    digest = hashlib.sha256(normalised_key(scope).encode()).hexdigest()[:24]
    return f'"r{release}-{digest}"'


def past_key(scope: dict[str, Any], current_release: int) -> str | None:
    """The release or day an `as_of` request is fixed at, when its answer can no longer change."""
    if b"as_of=" not in scope["query_string"]:
        return None
    query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    return frozen_as_of(query.get("as_of", ""), current_release)


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


class CachingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, asgi_scope: Scope, receive: Receive, raw_send: Send) -> None:
        scope = cast("dict[str, Any]", asgi_scope)
        send = cast("Callable[[dict[str, Any]], Awaitable[None]]", raw_send)
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(UNCACHED_PREFIXES)
            or scope["path"].startswith(UNCACHED_WRITABLE)
            or scope["path"].rstrip("/") in UNCACHED_PATHS
        ):
            await self.app(asgi_scope, receive, raw_send)
            return
        state = scope["app"].state
        tracker: ReleaseTracker = state.release
        store: Store = state.store
        past = past_key(scope, tracker.current)
        # A past answer's tag is the same under every later release: its bytes never change.
        etag = (
            etag_for(tracker.current, scope)
            if past is None
            else f'"{past}-{etag_for(0, scope)[4:]}'
        )
        validators = [
            (b"etag", etag.encode()),
            (b"cache-control", (CACHE_CONTROL if past is None else PAST_CACHE_CONTROL).encode()),
            (b"last-modified", format_datetime(tracker.published_at, usegmt=True).encode()),
            (b"vary", VARY.encode()),
        ]
        if _matches(dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        keep_bodies = getattr(state, "response_cache", True)
        cached = await self._get(store, etag) if keep_bodies else None
        if cached is not None:
            await send(
                {"type": "http.response.start", "status": cached.status, "headers": cached.headers}
            )
            body = b"" if scope["method"] == "HEAD" else cached.body
            await send({"type": "http.response.body", "body": body})
            return
        await self._run_and_keep(
            asgi_scope, receive, raw_send, store if keep_bodies else None, etag, validators
        )

    async def _run_and_keep(  # noqa: PLR0917 - the ASGI triple plus what to keep
        self,
        asgi_scope: Scope,
        receive: Receive,
        raw_send: Send,
        store: Store | None,
        etag: str,
        validators: list[tuple[bytes, bytes]],
    ) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0
        keep = store is not None and cast("dict[str, Any]", asgi_scope)["method"] == "GET"

        async def capture(raw_message: Message) -> None:
            message = cast("dict[str, Any]", raw_message)
            nonlocal size, keep
            if message["type"] == "http.response.start":
                if message["status"] == 200:  # noqa: PLR2004
                    names = {name.lower() for name, _ in message.get("headers", [])}
                    extra = [(k, v) for k, v in validators if k not in names]
                    message["headers"] = [*message.get("headers", []), *extra]
                else:
                    keep = False
                started.update(message)
            elif message["type"] == "http.response.body" and keep:
                size += len(message.get("body", b""))
                if size > MAX_CACHED_BYTES:
                    keep, chunks[:] = False, []
                else:
                    chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and keep:
                    entry = CachedResponse(
                        status=started["status"],
                        headers=[(bytes(k), bytes(v)) for k, v in started["headers"]],
                        body=b"".join(chunks),
                    )
                    if store is not None:
                        await self._set(store, etag, entry)
            await raw_send(raw_message)

        await self.app(asgi_scope, receive, capture)

    async def _get(self, store: Store, etag: str) -> CachedResponse | None:
        raw = await store.get(f"resp:{etag}")
        return None if raw is None else msgspec.msgpack.decode(raw, type=CachedResponse)

    async def _set(self, store: Store, etag: str, entry: CachedResponse) -> None:
        await store.set(f"resp:{etag}", msgspec.msgpack.encode(entry), expires_in=CACHE_SECONDS)
