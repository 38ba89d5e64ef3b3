"""Publish one parsed CKE file in the run's transaction: schools, their figures, gmina sums."""

from sqlalchemy.ext.asyncio import AsyncConnection

from loaders.cke.gminas import (
    SchoolSums,
    gmina_records,
    gminas_in_force,
    place_schools,
    placement_report,
)
from loaders.cke.model import ExamTable
from loaders.cke.schools import publish_schools
from loaders.observations import VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import Counts, RecordedRun
from loaders.unit_codes import GminaPlacer


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
