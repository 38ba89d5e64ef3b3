"""Raw answers on disk: one body and one sidecar per request, for replays and re-parsing."""

import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import msgspec
import structlog

from loaders.http_source.spec import Query, SourceSpec

__all__ = ["CacheMeta", "RawCache", "cache_name"]

log = structlog.get_logger("miarka.http_source")

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9]+")


class CacheMeta(msgspec.Struct, frozen=True, kw_only=True):
    """The `.meta.json` sidecar of a cached body; never holds a client key (headers are not
    saved)."""

    url: str
    path: str
    params: list[tuple[str, str]]
    status: int
    fetched_at: datetime
    bytes: int
    sha256: str


def cache_name(path: str, query: Query) -> str:
    """File stem of a cached answer: readable path words plus a hash of path and query."""
    key = f"{path.strip('/')}?{urlencode(sorted(query))}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return f"{_UNSAFE.sub('-', path.strip('/')).strip('-')[:80]}-{digest}"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class RawCache:
    """Raw answers on disk, one body and one sidecar per request, named by `cache_name`."""

    def __init__(self, directory: Path, spec: SourceSpec) -> None:
        self.directory = directory
        self.spec = spec

    def paths(self, path: str, query: Query) -> tuple[Path, Path]:
        stem = cache_name(path, query)
        return self.directory / f"{stem}.json", self.directory / f"{stem}.meta.json"

    def read(self, path: str, query: Query, url: str) -> bytes:
        body_path, _meta = self.paths(path, query)
        try:
            return body_path.read_bytes()
        except FileNotFoundError:
            raise self.spec.not_cached(
                f"{url} is not in the cache {self.directory} (expected {body_path.name});"
                " fetch it once without --from-cache"
            ) from None

    def write(self, path: str, query: Query, url: str, status: int, body: bytes) -> None:
        body_path, meta_path = self.paths(path, query)
        body_path.parent.mkdir(parents=True, exist_ok=True)
        meta = CacheMeta(
            url=url,
            path=path,
            params=list(query),
            status=status,
            fetched_at=datetime.now(UTC),
            bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
        )
        _write_atomic(body_path, body)
        _write_atomic(meta_path, msgspec.json.format(msgspec.json.encode(meta)))
        log.debug("source.cache_write", source=self.spec.key, url=url, file=body_path.name)
