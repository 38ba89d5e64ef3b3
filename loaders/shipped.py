"""Load every file of the data manifest with its source's loader (first start, `load shipped`)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.area.load import load_area
from loaders.bdl.export_load import load_bdl_export
from loaders.errors import LoadRefused
from loaders.manifest import ShippedFile, shipped_files, verified_path
from loaders.mf_rb import load_mf_rb
from loaders.run import Progress, RunSummary
from loaders.sio import load_sio
from loaders.teryt import load_teryt

FileLoader = Callable[[AsyncEngine, Path, ShippedFile, Progress | None], Awaitable[RunSummary]]


async def _teryt(
    engine: AsyncEngine, path: Path, _entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    return await load_teryt(engine, path, progress=progress)


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
        progress=progress,
    )


async def _area(
    engine: AsyncEngine, path: Path, entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    return await load_area(engine, path, as_of=entry.as_of, progress=progress)


async def _mf_rb(
    engine: AsyncEngine, path: Path, _entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    return await load_mf_rb(engine, path, progress=progress)


async def _sio(
    engine: AsyncEngine, path: Path, entry: ShippedFile, progress: Progress | None
) -> RunSummary:
    return await load_sio(engine, path, as_of=entry.as_of, progress=progress)


LOADERS: dict[str, FileLoader] = {
    "teryt": _teryt,
    "bdl_export": _bdl_export,
    "area": _area,
    "mf_rb": _mf_rb,
    "sio": _sio,
}
"""Order matters: units first, every other source joins to them."""


async def database_is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        return not await conn.scalar(text("SELECT EXISTS (SELECT 1 FROM territorial_unit)"))


async def load_shipped(
    engine: AsyncEngine, data_dir: Path, progress: Progress | None = None
) -> list[RunSummary]:
    summaries = []
    for source, loader in LOADERS.items():
        for entry in shipped_files(data_dir, source):
            path = verified_path(data_dir, entry)
            summaries.append(await loader(engine, path, entry, progress))
    return summaries
