"""Store schools and their figures in the publishing transaction, counting what changed.

Both tables are replaced per source: a reload of the same file changes nothing (`unchanged`),
a school or figure the new file no longer has is removed. The register owns the `school` rows
it describes; another source (the exam boards) may add a school the register lacks, which the
register overwrites when it describes it.
"""

from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from loaders.run import Counts


class SchoolRecord(msgspec.Struct, frozen=True, kw_only=True):
    rspo: int
    name: str
    type_code: int | None
    type_name: str
    public: bool | None
    locality: str | None
    address: str | None
    location_teryt: str | None
    location_source_code: str | None
    location_placement: str | None
    governing_kind: str | None
    governing_teryt: str | None
    reporting_rspo: int | None


class FigureRecord(msgspec.Struct, frozen=True, kw_only=True):
    measure: str
    year: int
    rspo: int
    value: float | None
    flag: str | None
    source_row: int | None


SCHOOL_COLUMNS: Final = (
    "rspo", "name", "type_code", "type_name", "public", "locality", "address", "location_teryt",
    "location_source_code", "location_placement", "governing_kind", "governing_teryt",
    "reporting_rspo",
)  # fmt: skip
_DESCRIBED = " OR ".join(f"s.{c} IS DISTINCT FROM t.{c}" for c in SCHOOL_COLUMNS[1:])
_UPDATE_SCHOOLS: Final = f"""WITH changed AS (
    UPDATE school s SET {", ".join(f"{c} = t.{c}" for c in SCHOOL_COLUMNS[1:])},
           source = t.source, load_run_id = t.load_run_id
    FROM stage_school t
    WHERE s.rspo = t.rspo AND (s.source <> t.source OR {_DESCRIBED})
    RETURNING 1)
SELECT count(*) FROM changed"""  # noqa: S608 - column names are constants of this module


async def publish_schools(
    conn: AsyncConnection, *, run_id: int, source: str, schools: list[SchoolRecord]
) -> Counts:
    """Replace the schools `source` describes (rows of other sources it describes are taken
    over; rows of other sources it does not describe are left alone)."""
    await conn.execute(
        text("CREATE TEMP TABLE stage_school (LIKE school INCLUDING DEFAULTS) ON COMMIT DROP")
    )
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        "stage_school",
        records=[(*msgspec.structs.astuple(s), source, run_id) for s in schools],
        columns=[*SCHOOL_COLUMNS, "source", "load_run_id"],
    )
    stored = await conn.scalar(
        text("SELECT count(*) FROM school WHERE source = :source"), {"source": source}
    )
    updated = await conn.scalar(text(_UPDATE_SCHOOLS))
    inserted = await conn.scalar(
        text(
            """WITH added AS (
                INSERT INTO school SELECT * FROM stage_school ON CONFLICT (rspo) DO NOTHING
                RETURNING 1)
            SELECT count(*) FROM added"""
        )
    )
    closed = await conn.scalar(
        text(
            """WITH gone AS (
                DELETE FROM school s WHERE s.source = :source
                AND NOT EXISTS (SELECT 1 FROM stage_school t WHERE t.rspo = s.rspo)
                RETURNING 1)
            SELECT count(*) FROM gone"""
        ),
        {"source": source},
    )
    return Counts(
        rows_read=len(schools),
        rows_inserted=int(inserted or 0),
        rows_updated=int(updated or 0),
        rows_closed=int(closed or 0),
        rows_unchanged=max(0, int(stored or 0) - int(updated or 0) - int(closed or 0)),
    )


_FIGURE_COLUMNS: Final = [
    "measure", "year", "rspo", "value", "flag", "source", "source_file", "source_row",
    "load_run_id",
]  # fmt: skip
_ANY_OF_THE_YEARS: Final = "SELECT EXISTS (SELECT 1 FROM school_figure WHERE year = ANY(:years))"


async def publish_school_figures(
    conn: AsyncConnection,
    *,
    run_id: int,
    source: str,
    source_file: str,
    years: list[int],
    figures: list[FigureRecord],
) -> Counts:
    """Replace every figure of `source` for `years` with `figures`.

    When nothing of those years is stored yet (the first load), every figure is new and goes
    straight into the table; otherwise through a stage, upserted and the vanished removed.
    """
    records = [
        (f.measure, f.year, f.rspo, f.value, f.flag, source, source_file, f.source_row, run_id)
        for f in figures
    ]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    params = {"source": source, "years": years}
    if not await conn.scalar(text(_ANY_OF_THE_YEARS), params):
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            "school_figure", records=records, columns=_FIGURE_COLUMNS
        )
        return Counts(rows_read=len(figures), rows_inserted=len(figures))
    await conn.execute(
        text(
            "CREATE TEMP TABLE stage_school_figure (LIKE school_figure INCLUDING DEFAULTS) "
            "ON COMMIT DROP"
        )
    )
    await driver.copy_records_to_table(  # type: ignore[union-attr]
        "stage_school_figure", records=records, columns=_FIGURE_COLUMNS
    )
    counts = (
        await conn.execute(
            text(
                """WITH gone AS (
                    DELETE FROM school_figure f
                    WHERE f.source = :source AND f.year = ANY(:years)
                    AND NOT EXISTS (SELECT 1 FROM stage_school_figure t
                        WHERE (t.measure, t.year, t.rspo) = (f.measure, f.year, f.rspo))
                    RETURNING 1),
                upserted AS (
                    INSERT INTO school_figure AS f SELECT * FROM stage_school_figure
                    ON CONFLICT (measure, year, rspo) DO UPDATE SET
                        value = excluded.value, flag = excluded.flag, source = excluded.source,
                        source_file = excluded.source_file, source_row = excluded.source_row,
                        load_run_id = excluded.load_run_id
                    WHERE (f.value, f.flag, f.source, f.source_file, f.source_row)
                        IS DISTINCT FROM (excluded.value, excluded.flag, excluded.source,
                                          excluded.source_file, excluded.source_row)
                    RETURNING (xmax = 0) AS inserted)
                SELECT (SELECT count(*) FROM gone),
                       count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
                FROM upserted"""
            ),
            params,
        )
    ).one()
    closed, inserted, updated = (int(n) for n in counts)
    return Counts(
        rows_read=len(figures),
        rows_inserted=inserted,
        rows_updated=updated,
        rows_closed=closed,
        rows_unchanged=len(figures) - inserted - updated,
    )
