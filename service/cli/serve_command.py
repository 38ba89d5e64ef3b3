"""`miarka serve`: migrate, load the shipped data on a first start, serve the API."""

import signal
from typing import Annotated, Any

import msgspec
import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.shipped import database_is_empty, load_shipped
from service.cli.common import (
    RichProgress,
    console,
    print_summary,
    run_or_refuse,
    settings_from_env,
)
from service.migrate import upgrade


def serve(
    host: Annotated[str | None, typer.Option(help="Default MIARKA_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default MIARKA_PORT or 8000")] = None,
) -> None:
    """Migrate, load the shipped data when the database is empty, and serve the API."""
    import uvicorn  # noqa: PLC0415

    from service.app import behind_proxies, create_app  # noqa: PLC0415

    settings = settings_from_env()
    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    settings = msgspec.structs.replace(settings, **overrides)

    async def prepare(engine: AsyncEngine) -> None:
        await upgrade(str(settings.database_url))
        if await database_is_empty(engine):
            with RichProgress("first start: loading shipped data") as progress:
                for summary in await load_shipped(engine, settings.data_dir, progress):
                    print_summary(summary)

    run_or_refuse(settings, prepare)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets
    # atexit stop the embedded PostgreSQL instead of the process dying with it still running.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    console.print(f"serving on http://{settings.host}:{settings.port}  (API docs: /schema)")
    uvicorn.run(
        behind_proxies(create_app(settings), settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
        # MIARKA_FORWARDED_ALLOW_IPS decides (behind_proxies), not uvicorn's default of
        # believing X-Forwarded-For from 127.0.0.1.
        proxy_headers=False,
    )


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)
