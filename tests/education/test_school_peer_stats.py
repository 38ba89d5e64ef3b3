"""A school's peers read from `school_peer_stat` (filled at load time) are exactly what the
page computed per request before (the query below, kept only to compare), for schools of
several kinds: primary schools with exam results, a liceum with matura results, a Warsaw school,
and a preschool the register places on no gmina in force (in Ostrowice, dissolved on
2019-01-01).
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domains.schools.queries import get_school
from tests.plugin import engine_for

SCHOOLS = (20957, 131628, 90611, 2883, 124897)

OLD_FIGURES = text(  # the query of commit f8d2c92, before school_peer_stat
    """
WITH mine AS (
    SELECT f.* FROM school_figure f
    WHERE f.rspo = :rspo AND (CAST(:measures AS text[]) IS NULL OR f.measure = ANY(:measures))
),
peers AS (
    SELECT f.measure, f.year, f.value, s.location_teryt = :location AS local
    FROM school_figure f
    JOIN mine m ON m.measure = f.measure AND m.year = f.year
    JOIN school s ON s.rspo = f.rspo AND s.type_name = :type_name
    WHERE f.value IS NOT NULL
      AND (CAST(:measures AS text[]) IS NULL OR f.measure = ANY(:measures))
),
stats AS (
    SELECT measure, year,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FILTER (WHERE local)
               AS gmina_median,
           count(*) FILTER (WHERE local) AS gmina_count,
           percentile_cont(0.25) WITHIN GROUP (ORDER BY value) AS national_q1,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS national_median,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS national_q3,
           count(*) AS national_count
    FROM peers GROUP BY measure, year
)
SELECT m.measure, m.year, m.value, m.flag, m.source, m.source_file, m.source_row, m.load_run_id,
       st.gmina_median, coalesce(st.gmina_count, 0) AS gmina_count,
       st.national_q1, st.national_median, st.national_q3,
       coalesce(st.national_count, 0) AS national_count
FROM mine m
LEFT JOIN stats st ON st.measure = m.measure AND st.year = m.year
ORDER BY m.measure, m.year
"""
)


@pytest.fixture(scope="module")
async def engine(loaded_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(loaded_db_url)
    yield engine
    await engine.dispose()


@pytest.mark.parametrize("rspo", SCHOOLS)
async def test_the_stored_peers_equal_the_per_request_computation(engine, rspo):
    async with engine.connect() as conn:
        school = await get_school(conn, rspo)
        params = {
            "rspo": rspo,
            "type_name": school.type_name,
            "location": school.location_teryt,
            "measures": None,
        }
        old = [dict(row) for row in (await conn.execute(OLD_FIGURES, params)).mappings()]
    new = [{field: getattr(figure, field) for field in old[0]} for figure in school.figures]
    assert old
    assert new == old
    assert any(f["national_count"] > 1 for f in old)


async def test_a_school_on_no_gmina_in_force_has_no_gmina_peers(engine):
    async with engine.connect() as conn:
        school = await get_school(conn, 124897)  # Ostrowice, a gmina dissolved in 2019
    assert school.location_teryt is None
    assert {(f.gmina_median, f.gmina_count) for f in school.figures} == {(None, 0)}
