"""`miarka load mf-pit`: an MF statement of JST shares in PIT into the budget tables, one run.

Why budget lines and not observations of their own: the statement is an extract of the units'
Rb-27S income (dział 756, rozdział 75621/75622/75623, paragraf 0010, with the Rb-27S columns
należności, dochody wykonane, należności pozostałe, zaległości netto, nadpłaty), so it is
stored as what it is, beside the Rb-27S reports, under one rule: a unit's own Rb-27S wins, a
statement fills its line where there is none (`STATEMENT_SOURCE`). The yearly totals the
indicators read (`mf_rb27s` `paragraf:001`, next to `paragraf:031` of the property tax) are
then derived by the one function that derives every budget total (`refresh_aggregates`), so
they are the same figures whichever file brought them, and a later Rb-27S load does not
remove or double them. The cost calculator reads the same tables and never counts a PIT
share (never dedicated income), so a statement never passes there for an Rb-27S.

Reading and checking happen before the transaction; placing, storing, deriving the totals and
recomputing the indicators happen in one transaction under the publish lock.
"""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.errors import refuse_other_year
from loaders.mf_pit.parse import PitStatement, parse_mf_pit
from loaders.mf_pit.place import place_rows, units_in_force
from loaders.mf_pit.publish import publish_statements
from loaders.mf_rb.aggregates import refresh_totals_and_indicators
from loaders.run import Counts, Progress, RecordedRun, RunSummary, recorded_run
from loaders.unit_codes import GminaPlacer

SOURCE: Final = "mf_pit"


async def load_mf_pit(
    engine: AsyncEngine, path: Path, *, year: int | None = None, progress: Progress | None = None
) -> RunSummary:
    """Load one statement; `year` (from the manifest) must match the year of its title."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        statement = await asyncio.to_thread(parse_mf_pit, path)
        refuse_other_year(
            statement.file, statement.year, year, says="the title says", row=1, field="tytuł"
        )

        async def publish(conn: AsyncConnection, run_id: int) -> Counts:
            return await _publish(conn, run_id, statement, run)

        return await run.publish(publish, rows_read=len(statement.rows))


async def _publish(
    conn: AsyncConnection, run_id: int, statement: PitStatement, run: RecordedRun
) -> Counts:
    placer = await GminaPlacer.from_db(conn, statement.file)
    placement = place_rows(statement, placer, await units_in_force(conn))
    for warning in placement.warnings:
        run.warn(warning)
    run.rows_skipped = placement.skipped
    published = await publish_statements(
        conn, rows=placement.rows, year=statement.year, file=statement.file, run_id=run_id
    )
    for warning in published.warnings:
        run.warn(warning)
    counts = published.counts
    if published.changed:
        await refresh_totals_and_indicators(
            conn, run, [statement.year], run_id, counts, event="mf_pit.totals"
        )
    return counts
