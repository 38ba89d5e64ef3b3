"""`miarka load sio`: a SIO school file into `sio_school`, in one recorded run.

Rows are keyed by RSPO number and reference date (30 September). Each layout sets only the
columns it has: a pupils file never erases teacher FTEs loaded from another file, and the
other way round. Files without unit codes (the `pupils` and `fte` layouts) take a school's
governing unit from the rows already stored for the same RSPO; a school that has none stays
without a governing unit and is listed in the warnings. Schools absent from a new file are
kept: the known files are filtered extracts, not the whole register.
"""

import asyncio
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.runs.models import LoadRun
from loaders.errors import LoadRefused, SourceProblem
from loaders.publish_observations import units_in_force
from loaders.run import Counts, Progress, RunSummary, recorded_run
from loaders.sio.parse import Layout, SioBatch, parse_sio

__all__ = ["SOURCE", "load_sio", "publish_sio"]

SOURCE: Final = "sio"
_CREATE_STAGE = """
CREATE TEMP TABLE stage_sio (
    rspo int PRIMARY KEY, regon varchar(14), name text, school_type text, governing_type text,
    governing_teryt varchar(7), registering_teryt varchar(7), pupils numeric,
    teacher_fte numeric
) ON COMMIT DROP
"""
_STAGE_COLUMNS: Final = [
    "rspo",
    "regon",
    "name",
    "school_type",
    "governing_type",
    "governing_teryt",
    "registering_teryt",
    "pupils",
    "teacher_fte",
]
# Codes of files without them: from the newest stored row of the same school.
_FILL_CODES = """
UPDATE stage_sio s SET governing_teryt = k.governing_teryt,
                       registering_teryt = k.registering_teryt
FROM (SELECT DISTINCT ON (rspo) rspo, governing_teryt, registering_teryt
      FROM sio_school WHERE registering_teryt IS NOT NULL
      ORDER BY rspo, as_of DESC) k
WHERE k.rspo = s.rspo
"""
_UPDATED_COLUMNS: Final[dict[Layout, tuple[str, ...]]] = {
    "schools": tuple(c for c in _STAGE_COLUMNS if c not in {"rspo", "teacher_fte"}),
    "pupils": ("regon", "name", "school_type", "governing_type", "pupils"),
    "fte": ("teacher_fte",),
}


def _upsert(layout: Layout) -> str:
    columns = _UPDATED_COLUMNS[layout]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in columns)
    current = ", ".join(f"sio_school.{c}" for c in columns)
    incoming = ", ".join(f"excluded.{c}" for c in columns)
    # Codes of a code-less layout are set on insert only (from _FILL_CODES) and never erased.
    return f"""
WITH written AS (
    INSERT INTO sio_school (rspo, as_of, regon, name, school_type, governing_type,
                            governing_teryt, registering_teryt, pupils, teacher_fte,
                            source_file, load_run_id)
    SELECT rspo, :as_of, regon, name, school_type, governing_type, governing_teryt,
           registering_teryt, pupils, teacher_fte, :file, :run_id
    FROM stage_sio
    ON CONFLICT (rspo, as_of) DO UPDATE SET {assignments},
        source_file = excluded.source_file, load_run_id = excluded.load_run_id
    WHERE ({current}) IS DISTINCT FROM ({incoming})
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
"""  # noqa: S608 - column names come from the constant above, values are bound


async def publish_sio(
    conn: AsyncConnection, batch: SioBatch, run_id: int
) -> tuple[Counts, list[SourceProblem]]:
    """Stage with COPY and upsert in the caller's transaction; returns counts and warnings."""
    warnings = [SourceProblem(file=batch.file, message=w) for w in batch.warnings]
    known = await units_in_force(conn)
    for school in batch.schools:
        for field, code in (
            ("governing", school.governing_teryt),
            ("registering", school.registering_teryt),
        ):
            if code is not None and code not in known:
                warnings.append(
                    SourceProblem(
                        file=batch.file,
                        row=school.row,
                        field="Woj/Pow/Gmi/Typ gminy",
                        message=f"{field} unit {code} is not in the TERYT register in force",
                        code="unknown_unit",
                    )
                )
    await conn.execute(text(_CREATE_STAGE))
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        "stage_sio",
        records=[
            (
                s.rspo,
                s.regon,
                s.name,
                s.school_type,
                s.governing_type,
                s.governing_teryt,
                s.registering_teryt,
                s.pupils,
                s.teacher_fte,
            )
            for s in batch.schools
        ],
        columns=_STAGE_COLUMNS,
    )
    if batch.layout != "schools":
        await conn.execute(text(_FILL_CODES))
        orphans = await conn.execute(
            text("SELECT rspo FROM stage_sio WHERE registering_teryt IS NULL ORDER BY rspo")
        )
        warnings.extend(
            SourceProblem(
                file=batch.file,
                field="Numer RSPO",
                message=f"RSPO {rspo}: no stored row with unit codes, so no governing unit "
                "(load a SIO file with codes first)",
                code="unknown_unit",
            )
            for (rspo,) in orphans
        )
    params = {"as_of": batch.as_of, "file": batch.file, "run_id": run_id}
    inserted, updated = (await conn.execute(text(_upsert(batch.layout)), params)).one()
    return (
        Counts(
            rows_inserted=inserted,
            rows_updated=updated,
            rows_unchanged=len(batch.schools) - inserted - updated,
        ),
        warnings,
    )


async def load_sio(
    engine: AsyncEngine,
    path: Path,
    *,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Load one SIO file; `as_of` (30 September) when its name does not carry the date."""
    async with recorded_run(engine, SOURCE, file_name=path.name, progress=progress) as run:
        if not await asyncio.to_thread(path.is_file):
            raise LoadRefused.one(path.name, "no such file", code="missing_file")
        run.progress.step("read and validate")
        batch = await asyncio.to_thread(parse_sio, path, as_of=as_of)

        async def publish(conn: AsyncConnection, run_id: int) -> Counts:
            counts, found = await publish_sio(conn, batch, run_id)
            for warning in found:
                run.warn(warning)
            await conn.execute(
                update(LoadRun).where(LoadRun.id == run_id).values(sha256=batch.sha256)
            )
            return counts

        return await run.publish(publish, rows_read=len(batch.schools))
