"""`miarka sync bdl`: the catalogue's BDL variables: planned, resumable, incremental."""

from datetime import UTC, datetime
from typing import Annotated, Final

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.errors import Conflict
from domains.indicators.catalogue import default_catalogue
from loaders.bdl.client import DEFAULT_BASE_URL, BdlClient, BdlNotCached, BdlRequestFailed
from loaders.bdl.sync import SyncReport, sync_bdl
from loaders.bdl.sync_plan import SyncPlan, plan_sync
from service.cli.common import console, run_or_refuse, settings_from_env
from service.migrate import upgrade

sync_app = typer.Typer(help="Fill the catalogue from a source API, resumably.")
out = Console()
"""The plan is the command's output (stdout); progress and the report go to stderr."""
FIRST_YEAR: Final = 1995
"""The first year of BDL's series."""


class RichSyncProgress:
    """Requests done of planned, with the ETA Rich derives from the pace so far."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("[bold]sync bdl[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("requests"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console,
        )
        self.task = self.bar.add_task("", total=0)

    def __enter__(self) -> "RichSyncProgress":
        self.bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.bar.stop()

    def plan_more(self, requests: int) -> None:
        total = self.bar.tasks[0].total or 0
        self.bar.update(self.task, total=total + requests)

    def advance(self, requests: int = 1) -> None:
        self.bar.advance(self.task, requests)

    def step(self, name: str) -> None:
        self.bar.update(self.task, description=escape(name))


@sync_app.command("bdl")
def sync_bdl_command(
    plan_only: Annotated[
        bool, typer.Option("--plan", help="Print the requests and their time; fetch nothing")
    ] = False,
    domain: Annotated[str | None, typer.Option(help="Only the indicators of this domain")] = None,
    since: Annotated[
        int | None, typer.Option(help="Only years from this one (default: every year BDL has)")
    ] = None,
    base_url: Annotated[str, typer.Option(hidden=True)] = DEFAULT_BASE_URL,
) -> None:
    """Every BDL variable the catalogue cites, at every level and year, one publish each.

    A killed sync resumes where it stopped when run again with the same options; the next
    sync revalidates with ETags and loads only what changed. Exits 2 when a variable was
    refused (its metadata contradicts the catalogue), 3 when BDL failed (run again to resume),
    75 when another sync is running.
    """
    catalogue = default_catalogue()
    if domain is not None and catalogue.domain(domain) is None:
        known = ", ".join(d.code for d in catalogue.domains)
        console.print(f"[red]--domain {domain!r}: expected one of {known}[/]")
        raise typer.Exit(64)
    this_year = datetime.now(UTC).year
    if since is not None and not FIRST_YEAR <= since <= this_year:
        console.print(f"[red]--since {since}: expected a year from {FIRST_YEAR} to {this_year}[/]")
        raise typer.Exit(64)
    plan = plan_sync(catalogue, domain=domain, since=since)
    for line in plan.describe():
        out.print(escape(line), soft_wrap=True)
    if plan_only:
        return
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> SyncReport:
        await upgrade(str(settings.database_url))
        async with BdlClient(base_url=base_url, client_id=settings.bdl_client_id) as client:
            with RichSyncProgress() as progress:
                return await sync_bdl(engine, client, plan, progress=progress)

    try:
        report = run_or_refuse(settings, work)
    except Conflict as busy:
        console.print(f"[red]{escape(str(busy))}[/]")
        raise typer.Exit(75) from busy
    except (BdlRequestFailed, BdlNotCached) as failed:
        console.print(
            f"[red]BDL request failed; what was fetched is kept, run the same command again"
            f" to resume:[/] {escape(str(failed))}"
        )
        raise typer.Exit(3) from failed
    print_report(report, plan)
    if report.refused:
        raise typer.Exit(2)


def print_report(report: SyncReport, plan: SyncPlan) -> None:
    table = Table(title=f"BDL sync {report.sync_id}" + (" (resumed)" if report.resumed else ""))
    for column in ("variable", "BDL name (n1, n2, ...)", "unit", "status", "run", "indicators"):
        table.add_column(column, overflow="fold")
    cited = {v.variable_id: ", ".join(v.indicators) for v in plan.variables}
    for outcome in report.variables:
        colour = {"published": "green", "unchanged": "dim", "refused": "red"}[outcome.status]
        table.add_row(
            str(outcome.variable_id),
            escape(outcome.name or ""),
            escape(outcome.measure_unit or ""),
            f"[{colour}]{outcome.status}[/]",
            "" if outcome.run_id is None else str(outcome.run_id),
            cited.get(outcome.variable_id, ""),
        )
    console.print(table)
    for outcome in report.refused:
        console.print(f"[red]refused[/] {outcome.variable_id}: {escape(outcome.message or '')}")
    console.print(
        f"{report.fetched:,} answers fetched, {report.not_modified:,} unchanged (304),"
        f" {report.kept:,} kept from the interrupted sync; {len(report.refused)} refused"
    )
