"""TERYT TERC loader: the official register of gminas, powiats and voivodeships (GUS)."""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.run import Counts, Progress, RunSummary, recorded_run
from loaders.source_text import read_source_text
from loaders.teryt.parse import parse_register
from loaders.teryt.publish import publish_register

__all__ = ["SOURCE", "load_teryt"]

SOURCE: Final = "teryt"
MEMBER_PATTERN: Final = "TERC*.csv"


async def load_teryt(
    engine: AsyncEngine,
    path: Path,
    *,
    allow_closures: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Load a TERC file (CSV, zipped CSV, UTF-8 or cp1250) and publish it in one transaction."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read")
        source = await asyncio.to_thread(read_source_text, path, MEMBER_PATTERN)
        run.progress.step("validate")
        register = await asyncio.to_thread(parse_register, source)

        async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
            return await publish_register(conn, register, allow_closures=allow_closures)

        return await run.publish(publish, rows_read=len(register.units))
