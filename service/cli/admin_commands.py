"""`miarka db`, `miarka keys` and `miarka runs`: the schema, admin keys, recent load runs."""

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.admin.keys import create_key, revoke_key
from domains.runs.models import LoadRun
from service.cli.common import console, run_async, settings_from_env, with_engine
from service.migrate import upgrade

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Admin API keys (shown once, stored hashed).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply Alembic migrations up to REVISION."""
    settings = settings_from_env()
    assert settings.database_url is not None  # noqa: S101
    run_async(upgrade(settings.database_url, revision))
    console.print(f"database at [bold]{revision}[/]")


@keys_app.command("create")
def create_key_command(name: Annotated[str, typer.Argument(help="Who the key is for")]) -> None:
    """Create an admin key; it is printed once and only its hash is kept."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> str:
        await upgrade(str(settings.database_url))
        async with engine.begin() as conn:
            return await create_key(conn, name)

    try:
        key = run_async(with_engine(settings, work))
    except IntegrityError as exc:
        console.print(f"[red]a key named {name!r} exists already[/]")
        raise typer.Exit(1) from exc
    console.print(f"admin key for [bold]{name}[/] (store it now; it is not shown again):")
    Console().print(key)


@keys_app.command("revoke")
def revoke_key_command(name: Annotated[str, typer.Argument()]) -> None:
    """Revoke an admin key by name."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> bool:
        async with engine.begin() as conn:
            return await revoke_key(conn, name)

    if not run_async(with_engine(settings, work)):
        console.print(f"[red]no active key named {name!r}[/]")
        raise typer.Exit(1)
    console.print(f"key {name!r} revoked")


def list_runs(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    source: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Recent load runs, newest first."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> list[Any]:
        query = select(LoadRun).order_by(LoadRun.id.desc()).limit(limit)
        if source:
            query = query.where(LoadRun.source == source)
        async with engine.connect() as conn:
            return list((await conn.execute(query)).all())

    rows = run_async(with_engine(settings, work))
    table = Table(title="Load runs")
    for column in (
        "id",
        "source",
        "file",
        "status",
        "started",
        "seconds",
        "read",
        "ins",
        "upd",
        "closed",
        "release",
        "message",
    ):
        table.add_column(column, overflow="fold")
    for r in rows:
        seconds = (r.finished_at - r.started_at).total_seconds() if r.finished_at else None
        table.add_row(
            str(r.id),
            r.source,
            r.file_name or (r.query or "").partition("\n")[0],
            r.status,
            r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            "" if seconds is None else f"{seconds:.2f}",
            f"{r.rows_read:,}",
            f"{r.rows_inserted:,}",
            f"{r.rows_updated:,}",
            f"{r.rows_closed:,}",
            str(r.data_release_id or ""),
            r.message or "",
        )
    Console().print(table)
