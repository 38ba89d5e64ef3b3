"""Load every file of the data manifest with its source's loader (first start, `load shipped`)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.manifest import shipped_files, verified_path
from loaders.run import Progress, RunSummary
from loaders.teryt import load_teryt

FileLoader = Callable[[AsyncEngine, Path, Progress | None], Awaitable[RunSummary]]


async def _teryt(engine: AsyncEngine, path: Path, progress: Progress | None) -> RunSummary:
    return await load_teryt(engine, path, progress=progress)


LOADERS: dict[str, FileLoader] = {"teryt": _teryt}
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
            summaries.append(await loader(engine, verified_path(data_dir, entry), progress))
    return summaries
