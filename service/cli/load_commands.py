"""`miarka load ...`: one command per source; each prints its summary or its refusal."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.area.load import load_area
from loaders.bdl.api_load import UNIT_LEVELS, load_bdl
from loaders.bdl.client import DEFAULT_BASE_URL, BdlClient, BdlNotCached, BdlRequestFailed
from loaders.bdl.export_load import load_bdl_export
from loaders.bdl_derived import load_bdl_derived
from loaders.cke import load_cke_e8, load_cke_matura
from loaders.gus_ages import load_gus_ages
from loaders.manifest import shipped_files
from loaders.mf_pit import load_mf_pit
from loaders.mf_rb import load_mf_rb
from loaders.mf_rb.bestia_client import DEFAULT_BASE_URL as BESTIA_BASE_URL
from loaders.mf_rb.bestia_client import BestiaClient, BestiaNotCached, BestiaRequestFailed
from loaders.mf_rb.bestia_load import load_bestia
from loaders.run import RunSummary
from loaders.schools import load_schools
from loaders.shipped import load_shipped
from loaders.sio import load_sio
from loaders.teryt import load_teryt
from service.cli.common import (
    RichProgress,
    console,
    given_or_latest,
    print_summary,
    run_load_command,
    run_or_refuse,
    settings_from_env,
    shipped_or_given,
)
from service.migrate import upgrade
from service.settings import Settings

load_app = typer.Typer(help="Load a source into the database.", no_args_is_help=True)

Load = Callable[..., Awaitable[RunSummary]]
"""A loader taking the engine and a file, then `progress=` and its own options by keyword."""


def _load_files(
    settings: Settings, command: str, files: list[Path], load: Load, **options: object
) -> None:
    """`load` each file in a recorded run of its own, labelled `<command> <file name>`."""
    for path in files:

        async def work(
            engine: AsyncEngine, progress: RichProgress, file: Path = path
        ) -> RunSummary:
            return await load(engine, file, progress=progress, **options)

        run_load_command(settings, f"{command} {path.name}", work)


def _load_latest(command: str, path: Path | None, load: Load, **options: object) -> None:
    """The file given, else the newest shipped one of the source the command is named after."""
    settings = settings_from_env()
    file = given_or_latest(settings, command.replace("-", "_"), path)
    _load_files(settings, command, [file], load, **options)


def _load_each(command: str, paths: list[Path] | None, load: Load, **options: object) -> None:
    """The files given, else every shipped one of the source the command is named after."""
    settings = settings_from_env()
    files = shipped_or_given(settings, command.replace("-", "_"), paths)
    _load_files(settings, command, files, load, **options)


@load_app.command("teryt")
def load_teryt_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="TERC_Urzedowy_*.csv or .zip (default: the shipped register)"),
    ] = None,
    allow_closures: Annotated[
        bool, typer.Option(help="Accept a register that closes many units at once")
    ] = False,
) -> None:
    """Load the TERYT TERC register and publish it in one transaction."""
    _load_latest("teryt", path, load_teryt, allow_closures=allow_closures)


@load_app.command("bdl-export")
def load_bdl_export_command(  # noqa: PLR0917 - one parameter per CLI option
    path: Annotated[Path, typer.Argument(help="A BDL web export, *_CTAB_*.csv or *_CREL_*.csv")],
    table: Annotated[str, typer.Option(help="BDL table, e.g. 'LUDN 2137'")],
    column: Annotated[
        list[str],
        typer.Option(help="HEADER=VARIABLE, e.g. 'ogółem=population.total' (repeatable)"),
    ],
    measure_unit: Annotated[str, typer.Option(help="Unit after the multiplier, e.g. osoba")],
    year: Annotated[
        int | None, typer.Option(help="Required when the file's header does not say the year")
    ] = None,
    multiplier: Annotated[float, typer.Option(help="1000 for values in thousands")] = 1.0,
    negative_as_missing: Annotated[
        list[str] | None,
        typer.Option(help="A column whose negative counts are a known defect (repeatable)"),
    ] = None,
    additive: Annotated[
        bool, typer.Option(help="--no-additive for rates and shares: never summed upwards")
    ] = True,
) -> None:
    """Load a BDL web export, wide (CTAB) or long (CREL) layout (dialect sniffed; the year
    from the header, the Rok column or --year)."""
    columns: dict[str, str] = {}
    for item in column:
        header, sep, variable = item.partition("=")
        if not sep or not header.strip() or not variable.strip():
            console.print(f"[red]--column {item!r}: expected HEADER=VARIABLE[/]")
            raise typer.Exit(64)
        columns[header.strip()] = variable.strip()
    settings = settings_from_env()

    async def work(engine: AsyncEngine, progress: RichProgress) -> RunSummary:
        return await load_bdl_export(
            engine,
            path,
            table=table,
            columns=columns,
            measure_unit=measure_unit,
            year=year,
            multiplier=multiplier,
            negative_as_missing=negative_as_missing or [],
            additive=additive,
            progress=progress,
        )

    run_load_command(settings, f"bdl-export {path.name}", work)


@load_app.command("bdl-derived")
def load_bdl_derived_command(
    path: Annotated[
        Path, typer.Argument(help="A third party's long copy: Code, County, Year, value")
    ],
    column: Annotated[
        str,
        typer.Option(
            help="VALUE_COLUMN=VARIABLE, e.g. 'Average salary amount=wages.average_gross_monthly'"
        ),
    ],
    measure_unit: Annotated[str, typer.Option(help="Unit of the values, e.g. zł")],
    description: Annotated[str, typer.Option(help="What the copy holds and where it came from")],
    additive: Annotated[
        bool, typer.Option(help="--additive for counts (summed into voivodeships)")
    ] = False,
) -> None:
    """Load a derived copy of a BDL powiat series; every value is flagged derived_copy."""
    value_column, sep, variable = column.partition("=")
    if not sep or not value_column.strip() or not variable.strip():
        console.print(f"[red]--column {column!r}: expected VALUE_COLUMN=VARIABLE[/]")
        raise typer.Exit(64)
    settings = settings_from_env()

    async def work(engine: AsyncEngine, progress: RichProgress) -> RunSummary:
        return await load_bdl_derived(
            engine,
            path,
            value_column=value_column.strip(),
            variable=variable.strip(),
            measure_unit=measure_unit,
            additive=additive,
            description=description,
            progress=progress,
        )

    run_load_command(settings, f"bdl-derived {path.name}", work)


@load_app.command("bdl")
def load_bdl_command(  # noqa: PLR0917 - one parameter per CLI option
    variable: Annotated[list[int], typer.Option(help="BDL variable id, e.g. 72305 (repeatable)")],
    level: Annotated[
        list[str], typer.Option(help="Unit level: voivodeship, powiat or gmina (repeatable)")
    ],
    year: Annotated[list[int], typer.Option(help="Year, e.g. 2023 (repeatable)")],
    from_cache: Annotated[
        bool, typer.Option(help="Replay answers saved by an earlier run; no network")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where answers are saved (default: STATE_DIR/cache/bdl)")
    ] = None,
    base_url: Annotated[str, typer.Option(hidden=True)] = DEFAULT_BASE_URL,
) -> None:
    """Load BDL API variables for the unit levels and years given, in one transaction."""
    unknown = [name for name in level if name not in UNIT_LEVELS]
    if unknown:
        console.print(f"[red]--level {unknown[0]!r}: expected one of {', '.join(UNIT_LEVELS)}[/]")
        raise typer.Exit(64)
    unit_levels = [UNIT_LEVELS[name] for name in dict.fromkeys(level)]
    variables = list(dict.fromkeys(variable))
    years = sorted(set(year))
    settings = settings_from_env()
    cache = cache_dir or settings.state_dir / "cache" / "bdl"

    async def work(engine: AsyncEngine, progress: RichProgress) -> RunSummary:
        async with BdlClient(
            base_url=base_url,
            client_id=settings.bdl_client_id,
            cache_dir=cache,
            from_cache=from_cache,
        ) as client:
            return await load_bdl(
                engine, client, variables, unit_levels=unit_levels, years=years, progress=progress
            )

    try:
        run_load_command(settings, f"bdl {','.join(map(str, variables))}", work)
    except (BdlRequestFailed, BdlNotCached) as failed:
        console.print(f"[red]BDL request failed; nothing published was changed:[/] {failed}")
        raise typer.Exit(3) from failed


@load_app.command("mf-rb")
def load_mf_rb_command(
    paths: Annotated[
        list[Path], typer.Argument(help="PaczkaSprawozdan XML files with Rb-27S/Rb-28S reports")
    ],
) -> None:
    """Load MF budget reports from XML packages: one recorded run and transaction per file."""
    settings = settings_from_env()
    for path in paths:

        async def work(
            engine: AsyncEngine, progress: RichProgress, file: Path = path
        ) -> RunSummary:
            return await load_mf_rb(engine, file, progress=progress)

        run_load_command(settings, f"mf-rb {path.name}", work)


@load_app.command("sio")
def load_sio_command(
    path: Annotated[Path, typer.Argument(help="A SIO school file (pupils or teacher FTEs), CSV")],
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The 30 September of the counts, if not named"),
    ] = None,
) -> None:
    """Load SIO pupils or teacher FTEs per school (RSPO) as of 30 September."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine, progress: RichProgress) -> RunSummary:
        when = as_of.date() if as_of else None
        return await load_sio(engine, path, as_of=when, progress=progress)

    run_load_command(settings, f"sio {path.name}", work)


@load_app.command("bestia")
def load_bestia_command(  # noqa: PLR0917 - one parameter per CLI option
    teryt: Annotated[list[str], typer.Option(help="TERC code of a unit (repeatable)")],
    year: Annotated[list[int], typer.Option(help="Budget year, e.g. 2023 (repeatable)")],
    period: Annotated[int, typer.Option(min=1, max=4, help="Quarter; 4 = the whole year")] = 4,
    from_cache: Annotated[
        bool, typer.Option(help="Replay answers saved by an earlier run; no network")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where answers are saved (default: STATE_DIR/cache/bestia)")
    ] = None,
    base_url: Annotated[str, typer.Option(hidden=True)] = BESTIA_BASE_URL,
) -> None:
    """Load Rb-27S/Rb-28S from the MF BeSTi@ API (unverified against the live service)."""
    settings = settings_from_env()
    units = list(dict.fromkeys(teryt))
    years = sorted(set(year))
    cache = cache_dir or settings.state_dir / "cache" / "bestia"

    async def work(engine: AsyncEngine, progress: RichProgress) -> RunSummary:
        async with BestiaClient(
            base_url=base_url, cache_dir=cache, from_cache=from_cache
        ) as client:
            return await load_bestia(engine, client, units, years, period=period, progress=progress)

    try:
        run_load_command(settings, f"bestia {','.join(units)}", work)
    except (BestiaRequestFailed, BestiaNotCached) as failed:
        console.print(
            f"[red]BeSTi@ request failed; nothing published was changed:[/] {escape(str(failed))}"
        )
        raise typer.Exit(3) from failed


@load_app.command("area")
def load_area_command(
    path: Annotated[Path | None, typer.Argument(help="Wykaz powierzchni ... .xlsx")] = None,
    as_of: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="When the name lacks the date")
    ] = None,
) -> None:
    """Load the GUGiK list of areas of units (default: the shipped one)."""
    _load_latest("area", path, load_area, as_of=as_of.date() if as_of else None)


@load_app.command("gus-ages")
def load_gus_ages_command(
    path: Annotated[
        Path | None, typer.Argument(help="GUS table 12 tabela12.xls (.xls.gz or .xlsx too)")
    ] = None,
) -> None:
    """Load GUS population of every gmina by single year of age (default: the shipped file)."""
    _load_latest("gus-ages", path, load_gus_ages)


@load_app.command("schools")
def load_schools_command(
    path: Annotated[
        Path | None, typer.Argument(help="MEN register of schools schoolsData.xlsx")
    ] = None,
) -> None:
    """Load the national register of schools and institutions (default: the shipped file)."""
    _load_latest("schools", path, load_schools)


@load_app.command("cke-e8")
def load_cke_e8_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="CKE E8_<year>.xlsx workbooks (default: every shipped year)"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="When the file name lacks the year")] = None,
) -> None:
    """Load CKE eighth-grade exam results per school: one recorded run per file."""
    _load_each("cke-e8", paths, load_cke_e8, year=year)


@load_app.command("cke-matura")
def load_cke_matura_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="CKE EM<formula>_<year>.xlsx workbooks (default: the shipped ones)"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="When the file name lacks the year")] = None,
    formula: Annotated[
        int | None, typer.Option(help="2023 or 2015, when neither name nor headers say it")
    ] = None,
) -> None:
    """Load CKE matura results per school (one formula a file): one recorded run per file."""
    if formula not in {None, 2015, 2023}:
        raise typer.BadParameter("2023 or 2015", param_hint="--formula")
    _load_each("cke-matura", paths, load_cke_matura, year=year, formula=formula)


@load_app.command("mf-pit")
def load_mf_pit_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="MF 'udziały JST w PIT' workbooks (default: every shipped file)"),
    ] = None,
) -> None:
    """Load MF statements of JST shares in PIT into the budget tables: one run per file."""
    settings = settings_from_env()
    years = {Path(e.path).name: e.year for e in shipped_files(settings.data_dir, "mf_pit")}
    for path in shipped_or_given(settings, "mf_pit", paths):

        async def work(
            engine: AsyncEngine, progress: RichProgress, file: Path = path
        ) -> RunSummary:
            year = years.get(file.name) if not paths else None
            return await load_mf_pit(engine, file, year=year, progress=progress)

        run_load_command(settings, f"mf-pit {path.name}", work)


@load_app.command("shipped")
def load_shipped_command() -> None:
    """Load every file listed in data/manifest.toml."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> list[RunSummary]:
        await upgrade(str(settings.database_url))
        with RichProgress("shipped data") as progress:
            return await load_shipped(engine, settings.data_dir, progress)

    for summary in run_or_refuse(settings, work):
        print_summary(summary)
