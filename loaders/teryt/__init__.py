"""TERYT TERC loader: the official register of gminas, powiats and voivodeships (GUS)."""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.errors import LoadRefused
from loaders.run import Counts, NullProgress, Progress, RunSummary, fail_run, open_run, run_load
from loaders.source_text import read_source_text, sha256_of
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
    progress = progress or NullProgress()
    sha = await asyncio.to_thread(_sha256_or_none, path)
    run_id = await open_run(engine, SOURCE, file_name=path.name, sha256=sha)
    try:
        progress.step("read")
        source = await asyncio.to_thread(read_source_text, path, MEMBER_PATTERN)
        progress.step("validate")
        register = await asyncio.to_thread(parse_register, source)
    except LoadRefused as refused:
        await fail_run(engine, run_id, refused.problems)
        raise

    async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
        return await publish_register(conn, register, allow_closures=allow_closures)

    return await run_load(
        engine,
        source=SOURCE,
        run_id=run_id,
        file_name=path.name,
        publish=publish,
        rows_read=len(register.units),
        progress=progress,
    )


def _sha256_or_none(path: Path) -> str | None:
    return sha256_of(path) if path.is_file() else None
