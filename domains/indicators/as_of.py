"""Indicator values as they were at a past data release: `?as_of=<release or ISO date>`.

Current rows carry the run that published them and superseded ones live in
`indicator_value_history` (see the engine); runs map to releases through `load_run`. The
answer as of release R is the current rows published by a run of release <= R, plus the
history rows published at or before R and superseded after it. A date means the last release
published before the end of that day in Poland (a council session's date).
"""

from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter
from domains.hot_reads import fetch
from domains.indicators.typology import (
    POPULATION_INDICATOR,
    TYPOLOGY_LEVELS_SQL,
    peer_group_sql,
)

POLAND: Final = ZoneInfo("Europe/Warsaw")


class AsOf(msgspec.Struct, frozen=True, kw_only=True):
    release: int
    published_at: datetime
    runs: list[int]
    """Runs of releases <= `release`, and 0 for rows of no run (older than run tracking)."""


def parse_as_of(raw: str) -> int | date:
    """A release number or an ISO date; anything else is a 400 naming `as_of`."""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(
            "as_of", f"a data release number or an ISO date (YYYY-MM-DD), not {raw!r}"
        ) from None


def frozen_as_of(raw: str, current_release: int, today: date | None = None) -> str | None:
    """A key for an answer that can never change again, or None while it still may.

    A past release is final, and so is a date that is over in Poland: no release can be
    published before it any more. Used by the response cache (long max-age, own ETag).
    """
    try:
        parsed = parse_as_of(raw)
    except InvalidParameter:
        return None
    if isinstance(parsed, int):
        return f"r{parsed}" if 1 <= parsed <= current_release else None
    today = today or datetime.now(POLAND).date()
    return f"d{parsed.isoformat()}" if parsed < today else None


_BY_NUMBER = "SELECT id, published_at FROM data_release WHERE id = :r"
_BY_DATE = """
SELECT id, published_at FROM data_release
WHERE published_at < CAST(CAST(:d AS date) + 1 AS timestamp) AT TIME ZONE 'Europe/Warsaw'
ORDER BY id DESC LIMIT 1
"""
_RUNS = "SELECT id FROM load_run WHERE data_release_id <= :r ORDER BY id"
_FIRST = "SELECT min(id), min(published_at), max(id) FROM data_release"


async def resolve_as_of(conn: AsyncConnection, raw: str) -> AsOf:
    """The release `raw` names, with its runs; a 400 when there is none (before the first)."""
    parsed = parse_as_of(raw)
    found = (
        await conn.execute(
            text(_BY_NUMBER if isinstance(parsed, int) else _BY_DATE),
            {"r": parsed} if isinstance(parsed, int) else {"d": parsed},
        )
    ).first()
    if found is None:
        first, first_at, last = (await conn.execute(text(_FIRST))).one()
        if first is None:
            raise InvalidParameter("as_of", "no data release has been published yet")
        if isinstance(parsed, int) and parsed > last:
            raise InvalidParameter("as_of", f"release {parsed} does not exist (latest: {last})")
        raise InvalidParameter(
            "as_of",
            f"before the first data release ({first}, published "
            f"{first_at.astimezone(POLAND).date().isoformat()})",
        )
    release, published_at = int(found[0]), found[1]
    runs = list((await conn.execute(text(_RUNS), {"r": release})).scalars())
    return AsOf(release=release, published_at=published_at, runs=[0, *runs])


async def fetch_then(conn: AsyncConnection, sql: str, *args: object) -> list[Any]:
    """Rows of an as-of statement, with PostgreSQL's JIT off for the transaction.

    The planner cannot estimate the partitions a later run touched and guesses hundreds of
    thousands of rows, which is past `jit_above_cost`: compiling took 150 ms of a 200 ms
    cross-section (shipped data), for a statement that then reads a few thousand rows."""
    await conn.execute(text("SET LOCAL jit = off"))
    return await fetch(conn, sql, *args)


def versions(where: str, runs: str) -> str:
    """SQL of the indicator values as of the runs in parameter `runs` ($n), filtered by `where`
    (over alias v); columns: indicator_code, year, teryt, level, value, numerator, denominator,
    flags, run_id."""
    columns = "v.indicator_code, v.year, v.teryt, v.level, v.value, v.numerator, v.denominator"
    return f"""
    SELECT {columns}, v.flags, v.load_run_id AS run_id FROM indicator_value v
    WHERE {where} AND coalesce(v.load_run_id, 0) = ANY({runs}::bigint[])
    UNION ALL
    SELECT {columns}, v.flags, v.published_run_id FROM indicator_value_history v
    WHERE {where} AND coalesce(v.published_run_id, 0) = ANY({runs}::bigint[])
      AND NOT v.superseded_run_id = ANY({runs}::bigint[])
    """  # noqa: S608 - fragments are constants of this package


def typology(runs: str) -> str:
    """SQL of the peer group of every unit as the engine assigned it at the release of the runs
    in `runs`: its kind and its latest population then (see `domains.indicators.typology`);
    columns: teryt, peer_group."""
    population = versions(
        f"v.indicator_code = '{POPULATION_INDICATOR}' AND v.value IS NOT NULL", runs
    )
    return f"""
    SELECT u.teryt, {peer_group_sql("u", "p.value")} AS peer_group
    FROM (SELECT DISTINCT ON (teryt) teryt, level, kind FROM territorial_unit
          WHERE level IN {TYPOLOGY_LEVELS_SQL} ORDER BY teryt, valid_from DESC) u
    LEFT JOIN (SELECT DISTINCT ON (teryt) teryt, value FROM ({population}) p
               ORDER BY teryt, year DESC) p ON p.teryt = u.teryt
    """  # noqa: S608 - fragments are constants of this package


_LATER: Final = "ARRAY(SELECT id FROM load_run WHERE NOT id = ANY({runs}::bigint[]))"
"""The runs after the release, each looked up in the run index on its own: the planner
estimates an average run's rows for all of them and, for a subquery or `= ANY`, scanned the
whole table."""
_STORED: Final = """v.indicator_code, v.year, v.teryt, v.level, v.value, v.numerator,
    v.denominator, v.flags, v.rank, v.rank_of, v.peer_group, v.peer_median, v.peer_q1, v.peer_q3,
    v.national_median, v.yoy_change"""
_IN_DIRTY: Final = """EXISTS (SELECT 1 FROM dirty d WHERE d.indicator_code = v.indicator_code
    AND d.year = v.year)"""
_NEEDED: Final = """EXISTS (SELECT 1 FROM dirty d WHERE d.indicator_code = v.indicator_code
    AND d.year IN (v.year, v.year + 1))"""


def ranked(where: str, runs: str, keep: str = "true") -> str:
    """`indicator_value`'s columns as of the runs in `runs`, with every published statistic as
    the engine computed it at that release: the rank by polarity and its count within
    (indicator, year, level), the peer group then and its quartiles, the national median and
    the change on the year before. Rows of `where` (over alias v) that `keep` also matches.

    An indicator-year that no later run touched at any level, holding no unit whose peer
    group has changed since, and whose year before is as untouched, has the same statistics
    now as then: its stored rows are the answer (read off the run index, so the cost follows
    what changed since the release). Only the other partitions are recomputed, the
    way the engine computes them, which needs whole partitions: `where` must select whole
    (indicator, year, level) partitions and the year before each one a caller wants. Every step
    is MATERIALIZED: the planner cannot estimate `run = ANY(...)` and, guessing one row, ran
    the statistics once per unit (2.7 s for every gmina; bench/revisions.py)."""
    return f"""
    WITH typology AS MATERIALIZED ({typology(runs)}),

    regrouped AS MATERIALIZED (
        SELECT teryt FROM typology t FULL JOIN unit_typology n USING (teryt)
        WHERE t.peer_group IS DISTINCT FROM n.peer_group
    ),
    changed AS MATERIALIZED (
        SELECT x.indicator_code, x.year
        FROM unnest({_LATER.format(runs=runs)}) r(id)
        CROSS JOIN LATERAL (SELECT indicator_code, year FROM indicator_value
                            WHERE load_run_id = r.id) x
        UNION SELECT indicator_code, year FROM indicator_value_history
        WHERE superseded_run_id = ANY({_LATER.format(runs=runs)})
        UNION SELECT indicator_code, year FROM indicator_value
        WHERE teryt = ANY(ARRAY(SELECT teryt FROM regrouped))
    ),
    dirty AS MATERIALIZED (
        SELECT indicator_code, year FROM changed
        UNION SELECT indicator_code, year + 1 FROM changed
    ),
    polarity AS MATERIALIZED (
        SELECT code, definition->>'polarity' = 'lower_better' AS lower_better FROM indicator
    ),
    base AS MATERIALIZED (
        SELECT x.*, t.peer_group, i.lower_better,
               lag(x.year) OVER by_unit AS prev_year, lag(x.value) OVER by_unit AS prev_value
        FROM ({versions(f"EXISTS (SELECT FROM dirty) AND {where} AND {_NEEDED}", runs)}) x
        JOIN polarity i ON i.code = x.indicator_code
        LEFT JOIN typology t ON t.teryt = x.teryt
        WINDOW by_unit AS (PARTITION BY x.indicator_code, x.teryt ORDER BY x.year)
    ),
    national AS MATERIALIZED (
        SELECT indicator_code, year, level,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
        FROM base WHERE value IS NOT NULL GROUP BY indicator_code, year, level
    ),
    peers AS MATERIALIZED (
        SELECT indicator_code, year, peer_group,
               percentile_cont(0.25) WITHIN GROUP (ORDER BY value) AS q1,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS q2,
               percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS q3
        FROM base WHERE value IS NOT NULL AND peer_group IS NOT NULL
        GROUP BY indicator_code, year, peer_group
    ),
    recomputed AS MATERIALIZED (
        SELECT b.indicator_code, b.year, b.teryt, b.level, b.value, b.numerator,
               b.denominator, b.flags,
               CASE WHEN b.value IS NOT NULL THEN rank() OVER (
                   PARTITION BY b.indicator_code, b.year, b.level, b.value IS NULL
                   ORDER BY CASE WHEN b.lower_better THEN b.value ELSE -b.value END) END::int
                   AS rank,
               CASE WHEN b.value IS NOT NULL THEN count(b.value) OVER (
                   PARTITION BY b.indicator_code, b.year, b.level) END::int AS rank_of,
               b.peer_group, p.q2 AS peer_median, p.q1 AS peer_q1, p.q3 AS peer_q3,
               n.median AS national_median,
               CASE WHEN b.prev_year = b.year - 1 AND b.prev_value <> 0
                    THEN (b.value - b.prev_value) / abs(b.prev_value) * 100 END AS yoy_change
        FROM base b
        LEFT JOIN national n USING (indicator_code, year, level)
        LEFT JOIN peers p ON p.indicator_code = b.indicator_code AND p.year = b.year
                         AND p.peer_group = b.peer_group
    )
    SELECT {_STORED} FROM indicator_value v WHERE {where} AND {keep} AND NOT {_IN_DIRTY}
    UNION ALL
    SELECT {_STORED} FROM recomputed v WHERE {keep} AND {_IN_DIRTY}
    """  # noqa: S608 - fragments are constants of this package


_VALUED: Final = "v.indicator_code = $1 AND v.level = $2 AND v.value IS NOT NULL"
LATEST_YEAR: Final = f"""
SELECT max(year) FROM ({versions(_VALUED, "$3")}) v
"""  # noqa: S608 - constant fragments
"""The latest year with a value of an indicator at a level as of a release (None: no value)."""


def unit_level(teryt: str) -> str:
    """SQL of the level of the unit in parameter `teryt` (a code keeps its level for life)."""
    return f"(SELECT level FROM territorial_unit WHERE teryt = {teryt} LIMIT 1)"  # noqa: S608


_LATEST_PARTITIONS: Final = """EXISTS (
    SELECT 1 FROM latest l WHERE l.indicator_code = v.indicator_code AND l.level = v.level
    AND v.year IN (l.year, l.year - 1))"""
# The latest year with a value of each indicator (or the latest row, flags saying why), with
# the statistics of that year's cross-section of the unit's level as they were.
DASHBOARD_AS_OF: Final = f"""
WITH latest AS MATERIALIZED (
    SELECT DISTINCT ON (indicator_code) indicator_code, year, level
    FROM ({versions("v.teryt = $1", "$3")}) v WHERE ($2::int IS NULL OR year = $2)
    ORDER BY indicator_code, value IS NULL, year DESC
),
r AS MATERIALIZED (
    SELECT * FROM ({ranked(_LATEST_PARTITIONS, "$3", keep="v.teryt = $1")}) v
)
SELECT i.code, i.years, u.name, u.level, t.peer_group,
       r.indicator_code, r.teryt, u.name, r.level, r.year, r.value, r.flags, r.numerator,
       r.denominator, r.rank, r.rank_of, r.peer_group, r.peer_median, r.peer_q1, r.peer_q3,
       r.national_median, r.yoy_change
FROM territorial_unit u
LEFT JOIN ({typology("$3")}) t ON t.teryt = u.teryt
CROSS JOIN indicator i
LEFT JOIN latest l ON l.indicator_code = i.code
LEFT JOIN r ON r.indicator_code = l.indicator_code AND r.year = l.year
WHERE u.teryt = $1 AND u.valid_to IS NULL
"""  # noqa: S608 - constant fragments

SERIES_AS_OF: Final = f"""
SELECT year, value, flags, rank, rank_of, peer_median, national_median
FROM ({ranked(f"v.indicator_code = $2 AND v.level = {unit_level('$1')}", "$3", "v.teryt = $1")}) v
ORDER BY year
"""  # noqa: S608 - constant fragments
