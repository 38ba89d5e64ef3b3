"""Load every file of the data manifest with its source's loader (first start, `load shipped`)."""

from collections.abc import Awaitable, Callable
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.area.load import load_area
from loaders.bdl.export_load import load_bdl_export
from loaders.bdl_derived import load_bdl_derived
from loaders.cke import load_cke_e8, load_cke_matura
from loaders.cke.e8_load import e8_read
from loaders.cke.matura_load import matura_read
from loaders.errors import LoadRefused
from loaders.gus_ages import load_gus_ages
from loaders.manifest import ShippedFile, shipped_files, verified_path
from loaders.mf_pit import load_mf_pit
from loaders.mf_rb import load_mf_rb
from loaders.read_ahead import Read, reading_ahead
from loaders.run import Progress, RunSummary, analyse_all
from loaders.schools import load_schools
from loaders.schools.load import register_read
from loaders.sio import load_sio
from loaders.teryt import load_teryt

FileLoader = Callable[[AsyncEngine, Path, ShippedFile, Progress | None], Awaitable[RunSummary]]


def _passing(load: Callable[..., Awaitable[RunSummary]], *fields: str) -> FileLoader:
    """A FileLoader calling `load(engine, path, <field>=entry.<field> ..., progress=...)`."""

    async def run(
        engine: AsyncEngine, path: Path, entry: ShippedFile, progress: Progress | None
    ) -> RunSummary:
        given = {field: getattr(entry, field) for field in fields}
        return await load(engine, path, progress=progress, **given)

    return run


async def _bdl_export(
    engine: AsyncEngine, path: Path, entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    if entry.table is None or not entry.columns or entry.measure_unit is None:
        raise LoadRefused.one(entry.path, "a bdl_export entry needs table, columns, measure_unit")
    return await load_bdl_export(
        engine,
        path,
        table=entry.table,
        columns=entry.columns,
        measure_unit=entry.measure_unit,
        year=entry.year,
        multiplier=entry.multiplier,
        negative_as_missing=entry.negative_as_missing,
        additive=entry.additive,
        zero_as_missing=entry.zero_as_missing,
        progress=progress,
    )


async def _bdl_derived(
    engine: AsyncEngine, path: Path, entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    if len(entry.columns) != 1 or entry.measure_unit is None:
        raise LoadRefused.one(entry.path, "a bdl_derived entry needs one column and measure_unit")
    [(value_column, variable)] = entry.columns.items()
    return await load_bdl_derived(
        engine,
        path,
        value_column=value_column,
        variable=variable,
        measure_unit=entry.measure_unit,
        additive=entry.additive,
        zero_as_missing=entry.zero_as_missing,
        description=entry.description,
        progress=progress,
    )


class ShippedLoader(msgspec.Struct, frozen=True):
    load: FileLoader
    depends_on: tuple[str, ...] = ("teryt",)
    """Sources whose files must be published first (every source joins to the register)."""
    read: Callable[[Path, ShippedFile], Read[Any]] | None = None
    """The loader's own heavy read of a file, started ahead in another process (read_ahead.py)."""


LOADERS: dict[str, ShippedLoader] = {
    "teryt": ShippedLoader(_passing(load_teryt), depends_on=()),
    # Density and the age shares are peer indicators, so an area or ages load recomputes
    # every indicator and the peer groups: first, while there is little to recompute (area
    # 12.9 s when it came after the BDL files, bench/load_shipped.py).
    "area": ShippedLoader(_passing(load_area, "as_of")),
    "gus_ages": ShippedLoader(_passing(load_gus_ages, "year")),
    "bdl_export": ShippedLoader(_bdl_export),
    "bdl_derived": ShippedLoader(_bdl_derived),
    "mf_rb": ShippedLoader(_passing(load_mf_rb)),
    # Budget lines beside the Rb-27S packages; a unit's own report wins in either load order.
    "mf_pit": ShippedLoader(_passing(load_mf_pit, "year")),
    "sio": ShippedLoader(_passing(load_sio, "as_of")),
    # Its indicators divide by the single-year ages: loaded after them, computed once.
    "schools": ShippedLoader(
        _passing(load_schools),
        depends_on=("teryt", "gus_ages"),
        read=lambda path, _: register_read(path),
    ),
    # After the register: the exam files add only the schools it does not know.
    "cke_e8": ShippedLoader(
        _passing(load_cke_e8, "year"),
        depends_on=("teryt", "schools"),
        read=lambda path, entry: e8_read(path, entry.year),
    ),
    "cke_matura": ShippedLoader(
        _passing(load_cke_matura, "year"),
        depends_on=("teryt", "schools"),
        read=lambda path, entry: matura_read(path, entry.year, None),
    ),
}


def load_order(loaders: dict[str, ShippedLoader] | None = None) -> list[str]:
    """Sources in an order that honours every declared dependency (ties: as listed)."""
    loaders = LOADERS if loaders is None else loaders
    sorter = TopologicalSorter({name: spec.depends_on for name, spec in loaders.items()})
    try:
        sorter.prepare()
    except CycleError as exc:
        raise ValueError(f"loader dependencies form a cycle: {exc.args[1]}") from exc
    listed = list(loaders)
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=listed.index)
        order.extend(ready)
        sorter.done(*ready)
    return order


async def database_is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        return not await conn.scalar(text("SELECT EXISTS (SELECT 1 FROM territorial_unit)"))


async def load_shipped(
    engine: AsyncEngine, data_dir: Path, progress: Progress | None = None
) -> list[RunSummary]:
    """Every file in dependency order, the heavy reads done ahead in another process while
    the files before them publish; then statistics of every table, for the first reads (each
    publish analyses only what it made stale past autovacuum's thresholds)."""
    plan = [
        (source, entry, verified_path(data_dir, entry))
        for source in load_order()
        for entry in shipped_files(data_dir, source)
    ]
    summaries = []
    with reading_ahead() as ahead:
        for source, entry, path in plan:
            read = LOADERS[source].read
            if read is not None:
                ahead.start(read(path, entry))
        for source, entry, path in plan:
            summaries.append(await LOADERS[source].load(engine, path, entry, progress))
    await analyse_all(engine)
    return summaries
