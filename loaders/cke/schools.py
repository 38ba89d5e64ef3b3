"""Write a CKE file's schools: a minimal `school` row where the register has none yet, and
every published figure into `school_figure`, traced to its file and row.

The national register loader (`loaders/schools/`) owns `school` and overwrites these rows;
a CKE load only adds the schools it does not know yet (ON CONFLICT DO NOTHING), so it never
undoes the register. Figures are replaced per source, year and the measures the file can
carry: a file no longer giving a figure removes it, the other formula's matura file and other
years stay as they are, and the same file again changes nothing.
"""

from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.schools.peer_stats import refresh_school_peer_stats
from loaders.cke.model import ExamTable
from loaders.run import Counts
from loaders.unit_codes import PlacedCode

SCHOOL_SOURCE: Final = "cke"
"""`school.source` of the rows a CKE file adds (the register loader names its own)."""

_CREATE_SCHOOL_STAGE = """
CREATE TEMP TABLE stage_cke_school (
    rspo int, name text, type_name text, public boolean, locality text, address text,
    location_teryt varchar(7), location_source_code varchar(7), location_placement varchar(24)
) ON COMMIT DROP
"""
_SCHOOL_COLUMNS: Final = [
    "rspo",
    "name",
    "type_name",
    "public",
    "locality",
    "address",
    "location_teryt",
    "location_source_code",
    "location_placement",
]
_INSERT_SCHOOLS = """
INSERT INTO school (rspo, name, type_name, public, locality, address, location_teryt,
                    location_source_code, location_placement, source, load_run_id)
SELECT rspo, name, type_name, public, locality, address, location_teryt,
       location_source_code, location_placement, :source, :run_id
FROM stage_cke_school
ORDER BY rspo
ON CONFLICT (rspo) DO NOTHING
"""
_CREATE_FIGURE_STAGE = """
CREATE TEMP TABLE stage_cke_figure (
    measure varchar(64), year smallint, rspo int, value float8, flag text, source_row int
) ON COMMIT DROP
"""
_FIGURE_COLUMNS: Final = ["measure", "year", "rspo", "value", "flag", "source_row"]
_ANY_STORED = """
SELECT EXISTS (SELECT 1 FROM school_figure WHERE year = :year AND measure = ANY(:measures))
"""
"""None of the year's figures stored, of any source: every figure is new, copied straight in."""
_REMOVE_VANISHED = """
DELETE FROM school_figure f
WHERE f.source = :source AND f.year = :year AND f.measure = ANY(:measures)
  AND NOT EXISTS (SELECT 1 FROM stage_cke_figure s
                  WHERE s.measure = f.measure AND s.year = f.year AND s.rspo = f.rspo)
"""
_UPDATE_CHANGED = """
UPDATE school_figure f
SET value = s.value, flag = s.flag, source_file = :file, source_row = s.source_row,
    load_run_id = :run_id
FROM stage_cke_figure s
WHERE f.measure = s.measure AND f.year = s.year AND f.rspo = s.rspo AND f.source = :source
  AND (f.value, f.flag, f.source_file, f.source_row)
      IS DISTINCT FROM (s.value, s.flag, :file, s.source_row)
"""
_INSERT_NEW = """
INSERT INTO school_figure (measure, year, rspo, value, flag, source, source_file, source_row,
                           load_run_id)
SELECT s.measure, s.year, s.rspo, s.value, s.flag, :source, :file, s.source_row, :run_id
FROM stage_cke_figure s
WHERE NOT EXISTS (SELECT 1 FROM school_figure f
                  WHERE f.measure = s.measure AND f.year = s.year AND f.rspo = s.rspo)
ORDER BY s.measure, s.year, s.rspo
"""


async def publish_schools(
    conn: AsyncConnection,
    table: ExamTable,
    placed: dict[int, PlacedCode],
    *,
    source: str,
    run_id: int,
) -> Counts:
    """Stage with COPY, add unknown schools, replace the file's figures; the counts of both."""
    driver = (await conn.get_raw_connection()).driver_connection
    await conn.execute(text(_CREATE_SCHOOL_STAGE))
    await driver.copy_records_to_table(  # type: ignore[union-attr]
        "stage_cke_school",
        records=[
            (
                school.rspo,
                school.name,
                school.type_name,
                school.public,
                school.locality,
                school.address,
                placed[school.rspo].teryt,
                school.code,
                placed[school.rspo].how,
            )
            for school in table.schools
        ],
        columns=_SCHOOL_COLUMNS,
    )
    params = {"source": SCHOOL_SOURCE, "run_id": run_id}
    schools_added = (await conn.execute(text(_INSERT_SCHOOLS), params)).rowcount
    figures = [
        (measure, table.year, school.rspo, value, school.flags.get(measure), school.row)
        for school in table.schools
        for measure, value in school.figures.items()
    ]
    scope = {
        "source": source,
        "year": table.year,
        "measures": table.measures,
        "file": table.file,
        "run_id": run_id,
    }
    removed = updated = 0
    if not await conn.scalar(text(_ANY_STORED), scope):  # the year's first load: all new
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            "school_figure",
            records=[(*figure, source, table.file, run_id) for figure in figures],
            columns=[*_FIGURE_COLUMNS, "source", "source_file", "load_run_id"],
        )
        inserted = len(figures)
    else:
        await conn.execute(text(_CREATE_FIGURE_STAGE))
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            "stage_cke_figure", records=figures, columns=_FIGURE_COLUMNS
        )
        await conn.execute(text("ANALYZE stage_cke_figure"))
        removed = (await conn.execute(text(_REMOVE_VANISHED), scope)).rowcount
        updated = (await conn.execute(text(_UPDATE_CHANGED), scope)).rowcount
        inserted = (await conn.execute(text(_INSERT_NEW), scope)).rowcount
    if removed or updated or inserted or schools_added:
        await refresh_school_peer_stats(conn, [table.year])
    return Counts(
        rows_inserted=inserted + schools_added,
        rows_updated=updated,
        rows_closed=removed,
        rows_unchanged=len(figures) - inserted - updated,
    )
