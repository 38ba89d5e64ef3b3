"""The database engine: one per process, with a server-side time limit on every statement."""

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from service.settings import Settings, async_url


def make_engine(
    url: str,
    settings: Settings,
    *,
    pool_size: int = 10,
    statement_timeout_ms: int | None = None,
    pre_ping: bool = True,
    overflow: bool = True,
) -> AsyncEngine:
    """Loaders pass `statement_timeout_ms=0` (no limit); API requests keep the setting.

    The API passes `pre_ping=False`: a ping is one more round trip on every request, and a
    connection lost to a restart is caught anyway (a 503 with Retry-After, and SQLAlchemy
    invalidates the whole pool on the first disconnect it sees). It also passes
    `overflow=False`: connections opened past the pool size are closed on return, and under
    32 concurrent requests that churn (a PostgreSQL backend forked per request) held the
    cross-section to a third of its throughput. Requests beyond the pool wait for a connection.
    """
    timeout = settings.sql_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size if overflow else 0,
        pool_pre_ping=pre_ping,
        connect_args={
            "server_settings": {
                "statement_timeout": str(timeout),
                "application_name": "miarka",
            }
        },
    )


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database (socket `?host=` kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))
