"""`miarka load mf-rb`: a PaczkaSprawozdan XML package into the budget tables, in one run.

Reading and checking happen before the transaction; storing the reports, refreshing the yearly
totals in `observation` and recomputing the indicators (only when those totals changed) happen
in one transaction under the publish lock, so a refused or failed load leaves the database as
it was. Counts are report lines plus derived yearly totals.
"""

import asyncio
from pathlib import Path
from typing import Final

import msgspec
import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.runs.models import LoadRun
from loaders.errors import LoadRefused, SourceProblem
from loaders.mf_rb.aggregates import refresh_aggregates
from loaders.mf_rb.publish import publish_reports
from loaders.mf_rb.records import ReportBatch
from loaders.mf_rb.xml_reader import parse_package
from loaders.observation_load import recompute_indicators
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

__all__ = ["SOURCE", "load_mf_rb", "publish_report_batch"]

SOURCE: Final = "mf_rb"
log = structlog.get_logger("miarka.loaders.mf_rb")


async def publish_report_batch(
    engine: AsyncEngine,
    batch: ReportBatch,
    *,
    source: str,
    run_id: int,
    file_name: str | None,
    progress: Progress,
) -> RunSummary:
    """Store the reports, refresh the yearly totals and the indicators, in one transaction."""
    warnings = [SourceProblem(file=batch.file, message=w) for w in batch.warnings]

    async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
        published = await publish_reports(conn, batch, run_id)
        warnings.extend(published.warnings)
        counts = published.counts
        if published.changed_years:
            progress.step("refresh yearly totals")
            totals = await refresh_aggregates(conn, published.changed_years, run_id)
            log.info("mf_rb.totals", run_id=run_id, **msgspec.structs.asdict(totals))
            if totals.changed:
                progress.step("compute indicators")
                await recompute_indicators(conn, run_id)
            counts.rows_inserted += totals.rows_inserted
            counts.rows_updated += totals.rows_updated
            counts.rows_closed += totals.rows_closed
            counts.rows_unchanged += totals.rows_unchanged
        await conn.execute(
            update(LoadRun)
            .where(LoadRun.id == run_id)
            .values(warnings=[msgspec.structs.asdict(w) for w in warnings[:1000]])
        )
        return counts

    summary = await run_load(
        engine,
        source=source,
        run_id=run_id,
        file_name=file_name,
        publish=publish,
        rows_read=batch.line_count,
        progress=progress,
    )
    return msgspec.structs.replace(summary, problems=warnings)


async def load_mf_rb(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> RunSummary:
    """Load one package file (Rb-27S and/or Rb-28S reports of any number of units)."""
    progress = progress or NullProgress()
    sha = await asyncio.to_thread(lambda: sha256_of(path) if path.is_file() else None)
    run_id = await open_run(engine, SOURCE, file_name=path.name, sha256=sha)
    try:
        if sha is None:
            raise LoadRefused.one(path.name, "no such file")
        progress.step("read and validate")
        batch = await asyncio.to_thread(parse_package, path)
    except LoadRefused as refused:
        await fail_run(engine, run_id, refused.problems)
        raise
    return await publish_report_batch(
        engine, batch, source=SOURCE, run_id=run_id, file_name=path.name, progress=progress
    )
