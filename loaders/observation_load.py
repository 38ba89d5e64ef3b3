"""Load a statistical file into `observation`: the run protocol shared by BDL, area, ...

Reading and checking happen before the transaction; matching codes to units, staging,
upserting, deriving sums and recomputing every indicator happen in one transaction.
"""

import asyncio
from collections.abc import Callable
from pathlib import Path

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.indicators.catalogue import default_catalogue
from domains.indicators.engine import compute_changed
from loaders.errors import SourceProblem
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import match_units, publish_observations, units_in_force
from loaders.run import Counts, Progress, RecordedRun, RunSummary, recorded_run


class ObservationBatch(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    variables: list[VariableDef]
    records: list[ObservationRecord]
    skipped: list[SourceProblem] = []
    """Rows read that are not units of the register (Polska, regions): reported, not stored."""


async def recompute_indicators(conn: AsyncConnection, run_id: int) -> None:
    """Recompute the indicators fed by what this transaction changed (see `compute_changed`)."""
    await compute_changed(conn, default_catalogue(), run_id)


async def load_observation_file(
    engine: AsyncEngine,
    *,
    source: str,
    path: Path,
    read: Callable[[], ObservationBatch],
    progress: Progress | None = None,
) -> RunSummary:
    async with recorded_run(engine, source, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        batch = await asyncio.to_thread(read)
        return await publish_batch(run, batch)


async def publish_batch(run: RecordedRun, batch: ObservationBatch) -> RunSummary:
    """Match codes to units in force, stage, upsert and recompute indicators in one transaction."""
    for skipped in batch.skipped:
        run.warn(skipped)

    async def publish(conn: AsyncConnection, run_id: int) -> Counts:
        matched, unknown = match_units(batch.file, batch.records, await units_in_force(conn))
        for problem in unknown:
            run.warn(problem)
        run.rows_skipped = len(batch.records) - len(matched) + len(batch.skipped)
        return await publish_observations(
            conn, run_id=run_id, variables=batch.variables, records=matched, file=batch.file
        )

    summary = await run.publish(
        publish, rows_read=len(batch.records), after_publish=recompute_indicators
    )
    return msgspec.structs.replace(summary, file_name=run.file_name or batch.file)
