"""Which variables, and which of their years, a publishing transaction changed: the engine
recomputes only the indicator-years they feed.

Loaders mark the (variable, year) pairs whose stored observations they inserted, updated or
removed; a mark without a year stands for every year. The marks live in a temporary table
that ends with the transaction, so a rolled-back load leaves nothing behind and two loads
never see each other's marks.
"""

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

ChangedYears = frozenset[int] | None
"""The years of a variable that changed; None for every year."""

_CREATE = """
CREATE TEMP TABLE IF NOT EXISTS changed_variable (variable_id int NOT NULL, year smallint)
ON COMMIT DROP
"""
_MARK = """
INSERT INTO changed_variable (variable_id, year)
SELECT * FROM unnest(CAST(:ids AS int[]), CAST(:years AS smallint[]))
"""
_MARK_SOURCE = """
INSERT INTO changed_variable (variable_id, year)
SELECT v.id, y.year FROM variable v
LEFT JOIN unnest(CAST(:years AS smallint[])) AS y(year) ON true
WHERE v.source = ANY(:sources)
"""
_EXISTS = "SELECT to_regclass('pg_temp.changed_variable') IS NOT NULL"
_READ = """
SELECT variable_id, CASE WHEN bool_or(year IS NULL) THEN NULL
                         ELSE array_agg(DISTINCT year) END
FROM changed_variable GROUP BY variable_id
"""


async def mark_changed(conn: AsyncConnection, pairs: Iterable[tuple[int, int]]) -> None:
    """Mark the (variable id, year) pairs a publish changed."""
    marks = sorted(set(pairs))
    if marks:
        await conn.execute(text(_CREATE))
        await conn.execute(
            text(_MARK), {"ids": [m[0] for m in marks], "years": [m[1] for m in marks]}
        )


async def mark_sources_changed(
    conn: AsyncConnection, sources: Iterable[str], years: Iterable[int] | None = None
) -> None:
    """Every variable of the sources, in `years` (all years when None): for removals whose
    variables were not listed one by one."""
    await conn.execute(text(_CREATE))
    await conn.execute(
        text(_MARK_SOURCE),
        {"sources": sorted(set(sources)), "years": None if years is None else sorted(set(years))},
    )


async def changed_variables(conn: AsyncConnection) -> dict[int, ChangedYears]:
    """The variables marked so far in this transaction with their years (empty when none)."""
    if not await conn.scalar(text(_EXISTS)):
        return {}
    rows = await conn.execute(text(_READ))
    return {int(id_): None if years is None else frozenset(years) for id_, years in rows}
