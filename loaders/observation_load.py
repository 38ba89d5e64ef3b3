"""Load a statistical file into `observation`: the run protocol shared by BDL, area, ...

Reading and checking happen before the transaction; matching codes to units, staging,
upserting, deriving sums and recomputing every indicator happen in one transaction.
"""

import asyncio
from collections.abc import Callable
from pathlib import Path

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.indicators.catalogue import default_catalogue
from domains.indicators.engine import compute_all
from domains.runs.models import LoadRun
from loaders.errors import LoadRefused, SourceProblem
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import match_units, publish_observations, units_in_force
from loaders.run import (
    Counts,
    NullProgress,
    Progress,
    RunSummary,
    fail_run,
    open_run,
    run_load,
)
from loaders.source_text import sha256_of


class ObservationBatch(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    variables: list[VariableDef]
    records: list[ObservationRecord]
    skipped: list[SourceProblem] = []
    """Rows read that are not units of the register (Polska, regions): reported, not stored."""


async def recompute_indicators(conn: AsyncConnection, run_id: int) -> None:
    await compute_all(conn, default_catalogue(), run_id)


async def load_observation_file(
    engine: AsyncEngine,
    *,
    source: str,
    path: Path,
    read: Callable[[], ObservationBatch],
    progress: Progress | None = None,
) -> RunSummary:
    progress = progress or NullProgress()
    sha = await asyncio.to_thread(lambda: sha256_of(path) if path.is_file() else None)
    run_id = await open_run(engine, source, file_name=path.name, sha256=sha)
    try:
        progress.step("read and validate")
        batch = await asyncio.to_thread(read)
    except LoadRefused as refused:
        await fail_run(engine, run_id, refused.problems)
        raise
    return await publish_batch(
        engine, batch, source=source, run_id=run_id, file_name=path.name, progress=progress
    )


async def publish_batch(
    engine: AsyncEngine,
    batch: ObservationBatch,
    *,
    source: str,
    run_id: int,
    file_name: str | None,
    progress: Progress,
) -> RunSummary:
    """Match codes to units in force, stage, upsert and recompute indicators in one transaction."""
    warnings: list[SourceProblem] = list(batch.skipped)

    async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
        matched, unknown = match_units(batch.file, batch.records, await units_in_force(conn))
        warnings.extend(unknown)
        counts = await publish_observations(
            conn, run_id=run_id, variables=batch.variables, records=matched, file=batch.file
        )
        await conn.execute(
            update(LoadRun)
            .where(LoadRun.id == run_id)
            .values(
                rows_skipped=len(batch.records) - len(matched) + len(batch.skipped),
                warnings=[msgspec.structs.asdict(w) for w in warnings[:1000]],
            )
        )
        return counts

    summary = await run_load(
        engine,
        source=source,
        run_id=run_id,
        file_name=file_name,
        publish=publish,
        rows_read=len(batch.records),
        progress=progress,
        after_publish=recompute_indicators,
    )
    return msgspec.structs.replace(summary, problems=warnings)
