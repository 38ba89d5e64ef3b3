"""Publish one parsed CKE file in the run's transaction: schools, their figures, gmina sums."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.cke.gminas import (
    SchoolSums,
    gmina_records,
    gminas_in_force,
    place_schools,
    placement_report,
)
from loaders.cke.model import ExamTable
from loaders.cke.schools import publish_schools
from loaders.observation_load import recompute_indicators
from loaders.observations import VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import Counts, Progress, RecordedRun, RunSummary, recorded_run
from loaders.unit_codes import GminaPlacer

ExamRead = tuple[ExamTable, list[VariableDef], SchoolSums]
"""A checked file, the gmina variables it feeds and how a school's sums are taken."""


async def load_exam(
    engine: AsyncEngine,
    path: Path,
    source: str,
    read: Callable[[], Awaitable[ExamRead]],
    progress: Progress | None,
) -> RunSummary:
    """One CKE file's recorded run: read and check it off the event loop, then publish it and
    recompute the indicators in one transaction."""
    async with recorded_run(engine, source, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        table, variables, sums = await read()

        async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
            return await publish_exam(conn, run, table, variables=variables, sums=sums)

        return await run.publish(
            publish, rows_read=len(table.schools), after_publish=recompute_indicators
        )


async def publish_exam(
    conn: AsyncConnection,
    run: RecordedRun,
    table: ExamTable,
    *,
    variables: list[VariableDef],
    sums: SchoolSums,
) -> Counts:
    placer = await GminaPlacer.from_db(conn, table.file)
    placed = place_schools(table, placer)
    for warning in placement_report(table, placer):
        run.warn(warning)
    run.rows_skipped = len(placer.unplaced) + table.skipped_rows
    schools = await publish_schools(conn, table, placed, source=run.source, run_id=run.run_id)
    records = gmina_records(
        table, placed, await gminas_in_force(conn), [v.code for v in variables], sums
    )
    gminas = await publish_observations(
        conn, run_id=run.run_id, variables=variables, records=records, file=table.file
    )
    return Counts(
        rows_inserted=schools.rows_inserted + gminas.rows_inserted,
        rows_updated=schools.rows_updated + gminas.rows_updated,
        rows_closed=schools.rows_closed + gminas.rows_closed,
        rows_unchanged=schools.rows_unchanged + gminas.rows_unchanged,
    )
