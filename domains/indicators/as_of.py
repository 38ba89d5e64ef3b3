"""Indicator values as they were at a past data release: `?as_of=<release or ISO date>`.

Current rows carry the run that published them and superseded ones live in
`indicator_value_history` (see the engine); runs map to releases through `load_run`. The
answer as of release R is the current rows published by a run of release <= R, plus the
history rows published at or before R and superseded after it. A date means the last release
published before the end of that day in Poland (a council session's date).
"""

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.errors import InvalidParameter

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


def unranked(where: str, runs: str) -> str:
    """`indicator_value`'s columns as of the runs in `runs`, for reads that span many indicators,
    years and levels (POST /query, the bulk exports): values and flags as they were, the peer
    group as it is now, and ranks and medians null (they belong to that release's
    cross-section, which `CROSS_SECTION_AS_OF` recomputes)."""
    return f"""
    SELECT v.indicator_code, v.year, v.teryt, v.level, v.value, v.numerator, v.denominator,
           v.flags, NULL::int AS rank, NULL::int AS rank_of,
           ty.peer_group,
           NULL::float8 AS peer_median, NULL::float8 AS peer_q1, NULL::float8 AS peer_q3,
           NULL::float8 AS national_median, NULL::float8 AS yoy_change
    FROM ({versions(where, runs)}) v LEFT JOIN unit_typology ty ON ty.teryt = v.teryt
    """  # noqa: S608 - fragments are constants of this package


# The engine's statistics again, over the values as they were: rank by polarity, national
# median, peer-group quartiles (peer groups as they are now) and the change on the year before
# (`lag` over the two years read). The statistics are MATERIALIZED and there is no self-join:
# the planner cannot estimate `run = ANY(...)` and, guessing one row, ran them once per unit
# (2.7 s for every gmina; bench/revisions.py).
CROSS_SECTION_AS_OF: Final = f"""
WITH v AS ({versions("v.indicator_code = $1 AND v.year IN ($2, $2 - 1) AND v.level = $3", "$4")}),
t AS (
    SELECT v.*, ty.peer_group,
           lag(v.value) OVER (PARTITION BY v.teryt ORDER BY v.year) AS previous
    FROM v LEFT JOIN unit_typology ty ON ty.teryt = v.teryt
),
cur AS MATERIALIZED (SELECT * FROM t WHERE year = $2),
national AS MATERIALIZED (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
    FROM cur WHERE value IS NOT NULL
),
peers AS MATERIALIZED (
    SELECT peer_group, count(value) AS n,
           percentile_cont(0.25) WITHIN GROUP (ORDER BY value) AS q1,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS q2,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS q3
    FROM cur WHERE value IS NOT NULL GROUP BY peer_group
),
ranked AS (
    SELECT c.indicator_code AS indicator, c.teryt, u.name, c.level, c.year, c.value, c.flags,
           c.numerator, c.denominator,
           CASE WHEN c.value IS NOT NULL THEN rank() OVER (
               PARTITION BY c.value IS NULL
               ORDER BY CASE WHEN $5 THEN c.value ELSE -c.value END) END::int AS rank,
           CASE WHEN c.value IS NOT NULL THEN count(c.value) OVER () END::int AS rank_of,
           c.peer_group, p.q2 AS peer_median, p.q1 AS peer_q1, p.q3 AS peer_q3,
           n.median AS national_median,
           CASE WHEN c.previous <> 0 THEN (c.value - c.previous) / abs(c.previous) * 100 END
               AS yoy_change,
           u.parent_teryt
    FROM cur c
    JOIN territorial_unit u ON u.teryt = c.teryt AND u.valid_to IS NULL
    CROSS JOIN national n
    LEFT JOIN peers p ON p.peer_group = c.peer_group
)
SELECT indicator, teryt, name, level, year, value, flags, numerator, denominator, rank, rank_of,
       peer_group, peer_median, peer_q1, peer_q3, national_median, yoy_change
FROM ranked v
WHERE true {{filters}}
ORDER BY rank NULLS LAST, teryt
"""  # noqa: S608 - constant fragments
"""Parameters: code, year, level, runs, lower_better, then the filters' (`as_of_filters`)."""


def as_of_filters(*, parent: bool, members: bool) -> str:
    filters = ["AND (v.parent_teryt = $6 OR left(v.teryt, length($6)) = $6)"] if parent else []
    if members:
        filters.append(f"AND v.teryt = ANY(${7 if parent else 6}::text[])")
    return CROSS_SECTION_AS_OF.format(filters=" ".join(filters))


# The latest year with a value of each indicator (or the latest row, flags saying why); ranks
# and peer statistics of a past release belong to its cross-section, so they are null here.
DASHBOARD_AS_OF: Final = f"""
WITH v AS ({versions("v.teryt = $1", "$3")}),
latest AS (
    SELECT DISTINCT ON (indicator_code) * FROM v WHERE ($2::int IS NULL OR year = $2)
    ORDER BY indicator_code, value IS NULL, year DESC
)
SELECT i.code, i.years, u.name, u.level, t.peer_group,
       l.indicator_code, l.teryt, u.name, l.level, l.year, l.value, l.flags, l.numerator,
       l.denominator, NULL::int, NULL::int, CASE WHEN l.teryt IS NOT NULL THEN t.peer_group END,
       NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8
FROM territorial_unit u
LEFT JOIN unit_typology t ON t.teryt = u.teryt
CROSS JOIN indicator i
LEFT JOIN latest l ON l.indicator_code = i.code
WHERE u.teryt = $1 AND u.valid_to IS NULL
"""  # noqa: S608 - constant fragments

SERIES_AS_OF: Final = f"""
SELECT year, value, flags, NULL::int, NULL::int, NULL::float8, NULL::float8
FROM ({versions("v.teryt = $1 AND v.indicator_code = $2", "$3")}) v ORDER BY year
"""  # noqa: S608 - constant fragments
