"""SYNTHETIC data of national scale, for benchmarks only: never presented as data.

`fill_national` gives a bench database the size Miarka has once every source is loaded:
every unit in force of the real register (gminas, powiats, voivodeships: 2,875) x
`variables` made-up variables (`synthetic.v0000`, ...) x `years` years of random values in
`observation` (2,000 x 20 = 115M rows), and made-up values of every catalogue indicator
for every unit and year in `indicator_value` (67 x 2,875 x 20 = 3.9M rows, ranked, written
in primary-key order as the engine writes them). The real units and the real shipped
observations stay; the computed values of the shipped data are replaced.

Rows are generated inside PostgreSQL (generate_series), with the observation indexes built
once at the end: the generator measures nothing, it only has to be fast.
"""

import time
from typing import Final

import asyncpg

from domains.indicators.engine import _COVERAGE

SOURCE: Final = "synthetic"
FIRST_YEAR: Final = 2005
UNITS: Final = (
    "SELECT teryt, level FROM territorial_unit WHERE valid_to IS NULL AND level <> 'gmina_part'"
)

_VARIABLES = """
INSERT INTO variable (source, code, name, measure_unit)
SELECT $1, 'synthetic.v' || lpad(n::text, 4, '0'), 'SYNTHETIC variable ' || n, '-'
FROM generate_series(0, $2 - 1) AS n
ON CONFLICT (source, code) DO NOTHING
"""
_OBSERVATIONS = f"""
INSERT INTO observation (variable_id, year, teryt, value, flag, derived, load_run_id)
SELECT v.id, y.year, u.teryt, round((random() * 100000)::numeric, 2)::float8, NULL, false, 0
FROM (SELECT id FROM variable WHERE source = $1 AND id BETWEEN $2 AND $3) v
CROSS JOIN generate_series($4::int, $5::int) AS y(year)
CROSS JOIN ({UNITS}) u
ORDER BY v.id, y.year, u.teryt
"""
_INDICATOR_VALUES = f"""
INSERT INTO indicator_value
    (indicator_code, year, teryt, level, value, numerator, denominator, flags, rank, rank_of,
     peer_group, peer_count, peer_q1, peer_median, peer_q3, national_median, yoy_change,
     load_run_id)
SELECT $1, y.year, u.teryt, u.level, s.value, s.value * 100, 100, '{{synthetic}}',
       (abs(hashtext(u.teryt || y.year)) % 2477) + 1, 2477,
       'synthetic', 100, 250, 500, 750, 500, NULL, 0
FROM generate_series($2::int, $3::int) AS y(year)
CROSS JOIN ({UNITS}) u
CROSS JOIN LATERAL (SELECT random() * 1000 + y.year * 0 AS value) s
ORDER BY y.year, u.teryt
"""
"""One indicator per statement, in key order; ranks are a hash, not a sort (nothing checks
them here, and ranking 3.9M rows by window functions took two minutes)."""


async def fill_national(url: str, *, variables: int, years: int) -> dict[str, float]:
    """Fill the bench database at `url`; returns row counts and seconds per step."""
    conn = await asyncpg.connect(url)
    figures: dict[str, float] = {}
    try:
        await conn.execute("SET maintenance_work_mem = '2GB'")
        await conn.execute("SET max_parallel_maintenance_workers = 2")
        await conn.execute("SET work_mem = '256MB'")
        transaction = conn.transaction()  # all or nothing: a failed fill leaves no half table
        await transaction.start()
        started = time.perf_counter()
        await conn.execute(_VARIABLES, SOURCE, variables)
        ids = await conn.fetch(
            "SELECT id FROM variable WHERE source = $1 ORDER BY id LIMIT $2", SOURCE, variables
        )
        await conn.execute(
            "DELETE FROM observation WHERE variable_id = ANY($1::int[])", [r["id"] for r in ids]
        )
        await conn.execute("ALTER TABLE observation DROP CONSTRAINT pk_observation")
        await conn.execute("DROP INDEX ix_observation_unit_series")
        last_year = FIRST_YEAR + years - 1
        batch = 100  # variables per statement: bounded memory for the ORDER BY
        for at in range(0, len(ids), batch):
            chunk = ids[at : at + batch]
            await conn.execute(
                _OBSERVATIONS, SOURCE, chunk[0]["id"], chunk[-1]["id"], FIRST_YEAR, last_year
            )
        figures["observation insert s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute(
            "ALTER TABLE observation ADD CONSTRAINT pk_observation "
            "PRIMARY KEY (variable_id, year, teryt)"
        )
        await conn.execute(
            "CREATE INDEX ix_observation_unit_series ON observation (teryt, variable_id, year)"
        )
        figures["observation indexes s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("DELETE FROM indicator_value")
        for code in await conn.fetch("SELECT code FROM indicator ORDER BY code"):
            await conn.execute(_INDICATOR_VALUES, code["code"], FIRST_YEAR, last_year)
        # The engine's statement, bound by name for SQLAlchemy: here every indicator, by asyncpg.
        codes = [r["code"] for r in await conn.fetch("SELECT code FROM indicator")]
        await conn.execute(_COVERAGE.replace(":codes", "$1::text[]"), codes)
        await transaction.commit()
        figures["indicator_value s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("VACUUM (ANALYZE) observation, indicator_value, indicator")
        figures["vacuum s"] = time.perf_counter() - started
        figures["observation rows"] = float(await conn.fetchval("SELECT count(*) FROM observation"))
        figures["indicator_value rows"] = float(
            await conn.fetchval("SELECT count(*) FROM indicator_value")
        )
        figures["database GB"] = (
            float(await conn.fetchval("SELECT pg_database_size(current_database())")) / 1e9
        )
    finally:
        await conn.close()
    return figures
