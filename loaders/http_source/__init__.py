"""One base for the HTTP APIs loaders read: quota windows, retries and a cache of raw answers.

Every source API is read the same way. A request first waits in a local limiter until each of
the source's quota windows has room (BDL meters 1 s, 15 min, 12 h and 7 days at once); 429, 5xx
and transport errors are retried by tenacity, waiting as long as `Retry-After` asks (never past
`max_wait_s`) or else backing off exponentially; every successful body is saved with a sidecar
describing the request, so a load can be replayed offline and its parser re-run on exactly what
the API said. Two classes stand behind one interface, chosen per environment (the live and
snapshot resources of dagster's examples): `LiveSource` talks to the API, `ReplaySource`
answers from the cache and never opens a connection. The BDL and BeSTi@ clients
(`SourceClient` subclasses) add only their paths, paging and errors.
"""

from loaders.http_source.cache import CacheMeta, RawCache, cache_name
from loaders.http_source.quota import Quota, SlidingWindowLimiter, schedule_s
from loaders.http_source.sources import (
    NOT_MODIFIED,
    RETRY_STATUSES,
    Answer,
    HttpSource,
    LiveOptions,
    LiveSource,
    ReplaySource,
    SourceClient,
    open_source,
    retry_after_s,
)
from loaders.http_source.spec import (
    Clock,
    Query,
    Sleep,
    SourceNotCached,
    SourceRequestFailed,
    SourceSpec,
)

__all__ = [
    "NOT_MODIFIED",
    "RETRY_STATUSES",
    "Answer",
    "CacheMeta",
    "Clock",
    "HttpSource",
    "LiveOptions",
    "LiveSource",
    "Query",
    "Quota",
    "RawCache",
    "ReplaySource",
    "Sleep",
    "SlidingWindowLimiter",
    "SourceClient",
    "SourceNotCached",
    "SourceRequestFailed",
    "SourceSpec",
    "cache_name",
    "open_source",
    "retry_after_s",
    "schedule_s",
]
