"""What the shared HTTP source code needs to know of a source, and the errors it raises."""

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, TypeAlias

import msgspec

from domains.errors import MiarkaError

__all__ = ["Clock", "Query", "Sleep", "SourceNotCached", "SourceRequestFailed", "SourceSpec"]

Clock: TypeAlias = Callable[[], float]
Sleep: TypeAlias = Callable[[float], Awaitable[None]]
Query: TypeAlias = Sequence[tuple[str, str]]
"""Sorted (key, value) pairs; a repeated key is repeated pairs."""


class SourceRequestFailed(MiarkaError):
    """A source API gave no usable answer (after retries, where retrying made sense)."""

    status: ClassVar[int] = 502
    slug: ClassVar[str] = "source-request-failed"
    title: ClassVar[str] = "Source API request failed"

    def __init__(self, url: str, http_status: int | None, message: str) -> None:
        self.url = url
        self.http_status = http_status
        super().__init__(f"{url}: {message}")


class SourceNotCached(MiarkaError):
    """A replay asked for a request that was never saved."""

    status: ClassVar[int] = 404
    slug: ClassVar[str] = "source-not-cached"
    title: ClassVar[str] = "Source answer not in the cache"


class SourceSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What differs between sources in the shared code: names, errors, how URLs are shown."""

    name: str
    """As people know the source, in messages: "BDL", "BeSTi@"."""
    key: str
    """In log events: `source="bdl"`."""
    failed: type[SourceRequestFailed]
    not_cached: type[SourceNotCached]
    readable_urls: bool = False
    """Show URLs with brackets and the like unencoded (`filter[rok]=2022`)."""
