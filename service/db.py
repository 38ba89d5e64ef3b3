"""The database engine: one per process, with a server-side time limit on every statement."""

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from service.settings import Settings, async_url


def make_engine(
    url: str, settings: Settings, *, pool_size: int = 10, statement_timeout_ms: int | None = None
) -> AsyncEngine:
    """Loaders pass `statement_timeout_ms=0` (no limit); API requests keep the setting."""
    timeout = settings.sql_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
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
