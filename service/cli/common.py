"""What every `miarka` command shares: settings, the engine, the console, load summaries."""

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.errors import LoadRefused
from loaders.manifest import shipped_files, verified_path
from loaders.run import RunSummary, fail_abandoned_runs
from service.db import make_engine
from service.embedded import resolve_settings
from service.logs import configure_logging
from service.migrate import upgrade
from service.settings import Settings, SettingsError

console = Console(stderr=True)
T = TypeVar("T")


class RichProgress:
    """Shows the step a loader is in on one status line."""

    def __init__(self, label: str) -> None:
        self.status = console.status(f"{label}: starting")
        self.label = label

    def __enter__(self) -> "RichProgress":
        self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.status.__exit__(None, None, None)

    def step(self, name: str) -> None:
        self.status.update(f"{self.label}: {name}")


def settings_from_env() -> Settings:
    """Settings from the environment (embedded PostgreSQL without DATABASE_URL); exit 78 if bad."""
    try:
        settings = resolve_settings(Settings.from_env())
    except SettingsError as exc:
        console.print(f"[red]configuration error:[/] {exc}")
        raise typer.Exit(78) from exc
    configure_logging(settings)
    return settings


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def with_engine(settings: Settings, work: Any) -> Any:  # noqa: ANN401 - any result
    assert settings.database_url is not None  # noqa: S101 - resolved by _settings
    engine = make_engine(settings.database_url, settings, pool_size=2, statement_timeout_ms=0)
    try:
        await fail_abandoned_runs(engine)
        return await work(engine)
    finally:
        await engine.dispose()


def print_summary(summary: RunSummary) -> None:
    c = summary.counts
    console.print(
        f"[green]{summary.source}[/] {summary.file_name}: [bold]{summary.status}[/] "
        f"(run {summary.run_id}, release {summary.data_release_id or '-'}) — read {c.rows_read:,}, "
        f"inserted {c.rows_inserted:,}, updated {c.rows_updated:,}, closed {c.rows_closed:,}, "
        f"unchanged {c.rows_unchanged:,} in {summary.seconds:.2f} s"
    )


def print_refusal(refused: LoadRefused) -> None:
    table = Table(title="Refused: nothing published was changed", title_style="bold red")
    for column in ("file", "row", "field", "problem"):
        table.add_column(column, overflow="fold")
    for problem in refused.problems:
        table.add_row(
            problem.file,
            "" if problem.row is None else str(problem.row),
            problem.field or "",
            problem.message,
        )
    console.print(table)


def run_or_refuse(settings: Settings, work: Callable[[AsyncEngine], Coroutine[Any, Any, T]]) -> T:
    """Run `work` on a loader's engine; a refused load prints its problems and exits 2."""
    try:
        result: T = run_async(with_engine(settings, work))
    except LoadRefused as refused:
        print_refusal(refused)
        raise typer.Exit(2) from refused
    return result


def run_load_command(settings: Settings, label: str, work: Any) -> None:  # noqa: ANN401 - a coroutine fn
    """Run one load with a Rich status line; print its summary or its refusal (exit 2)."""

    async def run(engine: AsyncEngine) -> RunSummary:
        await upgrade(str(settings.database_url))
        with RichProgress(label) as progress:
            result: RunSummary = await work(engine, progress)
            return result

    summary = run_or_refuse(settings, run)
    print_summary(summary)
    for warning in summary.problems[:20]:
        console.print(f"[yellow]warning[/] {escape(str(warning))}")
    if len(summary.problems) > 20:  # noqa: PLR2004
        console.print(f"[yellow]... and {len(summary.problems) - 20} more warnings (miarka runs)")


def given_or_latest(settings: Settings, source: str, path: Path | None) -> Path:
    """The file given on the command line, else the newest shipped file of `source`."""
    if path is not None:
        return path
    return verified_path(settings.data_dir, shipped_files(settings.data_dir, source)[-1])


def shipped_or_given(settings: Settings, source: str, paths: list[Path] | None) -> list[Path]:
    if paths:
        return paths
    return [verified_path(settings.data_dir, e) for e in shipped_files(settings.data_dir, source)]
