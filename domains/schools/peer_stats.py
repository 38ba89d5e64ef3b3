"""The peers of every school figure, computed once per load instead of on every school page.

A school's page shows each figure beside the median of the schools of its type in its gmina
and the quartiles of the schools of its type in Poland, for the same measure and year. Those
are percentiles over up to 1.2 million figures: computed per request they cost the page about
0.27 s. `school_peer_stat` keeps them per type, measure, year and gmina (`location_teryt` ''
for Poland), refilled by every load that writes schools or their figures, in its publishing
transaction, so a page reads a few rows by primary key.
"""

from collections.abc import Sequence
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

POLAND: Final = ""
"""`location_teryt` of the national row (a key column cannot be null)."""

REFRESH_SQL: Final = """
INSERT INTO school_peer_stat
    (type_name, measure, year, location_teryt, q1, median, q3, count)
SELECT s.type_name, f.measure, f.year, coalesce(s.location_teryt, ''),
       CASE WHEN GROUPING(s.location_teryt) = 1
            THEN percentile_cont(0.25) WITHIN GROUP (ORDER BY f.value) END,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value),
       CASE WHEN GROUPING(s.location_teryt) = 1
            THEN percentile_cont(0.75) WITHIN GROUP (ORDER BY f.value) END,
       count(*)
FROM school_figure f
JOIN school s ON s.rspo = f.rspo
WHERE f.value IS NOT NULL AND (CAST(:years AS int[]) IS NULL OR f.year = ANY(:years))
GROUP BY GROUPING SETS ((s.type_name, f.measure, f.year),
                        (s.type_name, f.measure, f.year, s.location_teryt))
HAVING GROUPING(s.location_teryt) = 1 OR s.location_teryt IS NOT NULL
"""
"""Every (type, measure, year) over Poland, and over each gmina; a school with no gmina in
force counts in Poland only."""


async def refresh_school_peer_stats(conn: AsyncConnection, years: Sequence[int] | None) -> None:
    """Recompute the rows of `years` (None: every row, 3.6 s for the shipped files; one exam
    year about 0.5 s)."""
    params = {"years": None if years is None else list(years)}
    await conn.execute(
        text(
            "DELETE FROM school_peer_stat WHERE CAST(:years AS int[]) IS NULL OR year = ANY(:years)"
        ),
        params,
    )
    await conn.execute(text(REFRESH_SQL), params)
