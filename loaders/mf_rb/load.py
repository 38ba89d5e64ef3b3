"""`miarka load mf-rb`: a PaczkaSprawozdan XML package into the budget tables, in one run.

Reading and checking happen before the transaction; storing the reports, refreshing the yearly
totals in `observation` and recomputing the indicators (only when those totals changed) happen
in one transaction under the publish lock, so a refused or failed load leaves the database as
it was. Counts are report lines plus derived yearly totals.
"""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.errors import LoadRefused, SourceProblem
from loaders.mf_rb.aggregates import refresh_totals_and_indicators
from loaders.mf_rb.publish import publish_reports
from loaders.mf_rb.records import ReportBatch
from loaders.mf_rb.xml_reader import parse_package
from loaders.run import Counts, Progress, RecordedRun, RunSummary, recorded_run

__all__ = ["SOURCE", "load_mf_rb", "publish_report_batch"]

SOURCE: Final = "mf_rb"


async def publish_report_batch(run: RecordedRun, batch: ReportBatch) -> RunSummary:
    """Store the reports, refresh the yearly totals and the indicators, in one transaction."""
    for warning in batch.warnings:
        run.warn(SourceProblem(file=batch.file, message=warning))

    async def publish(conn: AsyncConnection, run_id: int) -> Counts:
        published = await publish_reports(conn, batch, run_id)
        for warning in published.warnings:
            run.warn(warning)
        counts = published.counts
        if published.changed_years:
            await refresh_totals_and_indicators(
                conn, run, published.changed_years, run_id, counts, event="mf_rb.totals"
            )
        return counts

    return await run.publish(publish, rows_read=batch.line_count)


async def load_mf_rb(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> RunSummary:
    """Load one package file (Rb-27S and/or Rb-28S reports of any number of units)."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        if not await asyncio.to_thread(path.is_file):
            raise LoadRefused.one(path.name, "no such file", code="missing_file")
        run.progress.step("read and validate")
        batch = await asyncio.to_thread(parse_package, path)
        return await publish_report_batch(run, batch)
