"""The indicator engine: every indicator for every unit and year its inputs exist, in SQL.

Runs inside the publishing transaction of a load, so values, ranks and peer statistics change
together with the observations they come from (one data release, never half-computed). Each
indicator is one set-based INSERT ... SELECT over `observation`; ranks, medians, quartiles and
year-on-year changes are then window and ordered-set aggregates over all indicators at once.
A recompute keeps the run that published each unchanged value; a value it changes or deletes
moves to `indicator_value_history` (issue 17), so a reload that changes nothing adds nothing.
"""

import time
from typing import Any, Final

import msgspec
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.catalogue import Catalogue, Indicator, Term
from domains.indicators.changes import ChangedYears, changed_variables
from domains.indicators.peers import FEATURES, compute_neighbours, compute_typology

log = structlog.get_logger("miarka.engine")

# A value carries the flags of every input it used, numerator's and denominator's (a
# preliminary or revised denominator makes the ratio so too), each once, in the order first
# seen: the numerator's, the denominator's, then the engine's own.
_VALUES = """
WITH num AS (
    SELECT o.teryt, o.year, sum(o.value) AS v, bool_or(o.value IS NULL) AS gap,
           string_agg(DISTINCT o.flag, ';') AS flags
    FROM observation o
    WHERE o.variable_id = ANY(:num_ids){num_years}
    GROUP BY o.teryt, o.year
    HAVING count(DISTINCT o.variable_id) = :num_n
),
den AS (
    SELECT o.teryt, o.year, sum(o.value) AS v, bool_or(o.value IS NULL) AS gap,
           string_agg(DISTINCT o.flag, ';') AS flags
    FROM observation o
    WHERE o.variable_id = ANY(:den_ids){den_years}
    GROUP BY o.teryt, o.year
    HAVING count(DISTINCT o.variable_id) = :den_n
)
INSERT INTO indicator_raw
    (indicator_code, year, teryt, level, value, numerator, denominator, flags, load_run_id)
SELECT :code, num.year, u.teryt, u.level,
       CASE WHEN num.gap OR coalesce(d.gap, false) THEN NULL
            WHEN :has_den AND (d.v IS NULL OR d.v = 0) THEN NULL
            ELSE num.v / CASE WHEN :has_den THEN d.v ELSE 1 END * :multiplier END,
       num.v, d.v,
       ARRAY(SELECT f FROM unnest(
           string_to_array(num.flags, ';') || string_to_array(d.flags, ';')
           || ARRAY[
               CASE WHEN num.gap OR coalesce(d.gap, false) THEN 'missing_at_source' END,
               CASE WHEN :has_den AND d.teryt IS NULL THEN 'denominator_missing' END,
               CASE WHEN :has_den AND d.v = 0 THEN 'denominator_zero' END,
               CASE WHEN d.year IS NOT NULL AND d.year <> num.year
                    THEN 'denominator_year_' || d.year END
           ]
       ) WITH ORDINALITY AS input(f, i) WHERE f IS NOT NULL GROUP BY f ORDER BY min(i)),
       :run_id
FROM num
JOIN territorial_unit u ON u.teryt = num.teryt AND u.valid_to IS NULL AND u.level = ANY(:levels)
LEFT JOIN LATERAL (
    SELECT den.teryt, den.year, den.v, den.gap, den.flags FROM den
    WHERE den.teryt = num.teryt
      AND (den.year = num.year OR (:nearest AND abs(den.year - num.year) <= :nearest_max_years))
    ORDER BY abs(den.year - num.year), den.year DESC
    LIMIT 1
) d ON :has_den
"""

# The difference to Poland: the unit's ratio minus the country's of the same year, where the
# country's is the ratio of the sums over every voivodeship in force (no value while any of
# them lacks one). Same-year terms only (checked by the catalogue). Numerator and denominator
# come from one scan of `observation`, grouped once: joining two grouped CTEs, each read twice,
# went to nested loops on a freshly loaded table without statistics (20 s an indicator).
_DIFFERENCE_VALUES = """
WITH terms AS (
    SELECT o.teryt, o.year,
           sum(o.value) FILTER (WHERE o.variable_id = ANY(:num_ids)) AS nv,
           bool_or(o.value IS NULL) FILTER (WHERE o.variable_id = ANY(:num_ids)) AS ngap,
           count(DISTINCT o.variable_id) FILTER (WHERE o.variable_id = ANY(:num_ids)) AS nn,
           string_agg(DISTINCT o.flag, ';') FILTER (WHERE o.variable_id = ANY(:num_ids))
               AS flags,
           sum(o.value) FILTER (WHERE o.variable_id = ANY(:den_ids)) AS dv,
           bool_or(o.value IS NULL) FILTER (WHERE o.variable_id = ANY(:den_ids)) AS dgap,
           count(DISTINCT o.variable_id) FILTER (WHERE o.variable_id = ANY(:den_ids)) AS dn,
           string_agg(DISTINCT o.flag, ';') FILTER (WHERE o.variable_id = ANY(:den_ids))
               AS dflags
    FROM observation o
    WHERE (o.variable_id = ANY(:num_ids) OR o.variable_id = ANY(:den_ids)){num_years}
    GROUP BY o.teryt, o.year
),
units AS (
    SELECT t.teryt, t.year, u.level, t.nv,
           string_to_array(t.flags, ';')
           || CASE WHEN :has_den AND t.dn = :den_n THEN string_to_array(t.dflags, ';') END
               AS flags,
           t.ngap OR (:has_den AND t.dn = :den_n AND t.dgap) AS gap,
           CASE WHEN :has_den AND t.dn = :den_n THEN t.dv END AS dv
    FROM terms t
    JOIN territorial_unit u ON u.teryt = t.teryt AND u.valid_to IS NULL
    WHERE t.nn = :num_n
),
poland AS (
    SELECT year,
           CASE WHEN count(*) = (SELECT count(*) FROM territorial_unit
                                 WHERE valid_to IS NULL AND level = 'voivodeship')
                 AND NOT bool_or(gap) AND (NOT :has_den OR sum(dv) <> 0)
                THEN sum(nv) / CASE WHEN :has_den THEN sum(dv) ELSE 1 END END AS ratio
    FROM units
    WHERE level = 'voivodeship' AND (NOT :has_den OR dv IS NOT NULL)
    GROUP BY year
)
INSERT INTO indicator_raw
    (indicator_code, year, teryt, level, value, numerator, denominator, flags, load_run_id)
SELECT :code, x.year, x.teryt, x.level,
       CASE WHEN x.gap THEN NULL
            WHEN :has_den AND (x.dv IS NULL OR x.dv = 0) THEN NULL
            ELSE (x.nv / CASE WHEN :has_den THEN x.dv ELSE 1 END - p.ratio) * :multiplier END,
       x.nv, x.dv,
       ARRAY(SELECT f FROM unnest(
           x.flags
           || ARRAY[
               CASE WHEN x.gap THEN 'missing_at_source' END,
               CASE WHEN :has_den AND x.dv IS NULL THEN 'denominator_missing' END,
               CASE WHEN :has_den AND x.dv = 0 THEN 'denominator_zero' END,
               CASE WHEN p.ratio IS NULL THEN 'poland_missing' END
           ]
       ) WITH ORDINALITY AS input(f, i) WHERE f IS NOT NULL GROUP BY f ORDER BY min(i)),
       :run_id
FROM units x
LEFT JOIN poland p ON p.year = x.year
WHERE x.level = ANY(:levels)
"""

_CREATE_RAW = """
CREATE TEMP TABLE indicator_raw (
    indicator_code text, year smallint, teryt varchar(7), level varchar(16), value float8,
    numerator float8, denominator float8, flags text[], load_run_id bigint,
    context boolean NOT NULL DEFAULT false
) ON COMMIT DROP
"""
# One pass from the raw values to the published rows: rank by polarity, national median,
# peer-group quartiles and the change on the previous year, all set-based. Written in primary
# key order, so the heap is clustered by (indicator, year): a cross-section reads a few
# consecutive pages instead of one page per unit.
_PUBLISH = """
INSERT INTO indicator_value
    (indicator_code, year, teryt, level, value, numerator, denominator, flags, rank, rank_of,
     peer_group, peer_count, peer_q1, peer_median, peer_q3, national_median, yoy_change,
     load_run_id)
-- Polarity read once per indicator: the definition is a toasted document of several kB, and
-- reading it per row made this statement take 8.4 s instead of 3.7 s for 89,125 values.
WITH polarity AS MATERIALIZED (
    SELECT code, definition->>'polarity' AS polarity FROM indicator
),
ranked AS (
    SELECT r.*, t.peer_group,
           CASE WHEN r.value IS NOT NULL THEN rank() OVER (
               PARTITION BY r.indicator_code, r.year, r.level, r.value IS NULL
               ORDER BY CASE WHEN i.polarity = 'lower_better'
                             THEN r.value ELSE -r.value END) END AS rank,
           count(r.value) OVER (PARTITION BY r.indicator_code, r.year, r.level) AS rank_of,
           lag(r.year) OVER by_unit AS prev_year,
           lag(r.value) OVER by_unit AS prev_value
    FROM indicator_raw r
    JOIN polarity i ON i.code = r.indicator_code
    LEFT JOIN unit_typology t ON t.teryt = r.teryt
    WINDOW by_unit AS (PARTITION BY r.indicator_code, r.teryt ORDER BY r.year)
),
national AS (
    SELECT indicator_code, year, level,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
    FROM indicator_raw WHERE value IS NOT NULL GROUP BY indicator_code, year, level
),
peers AS (
    SELECT r.indicator_code, r.year, t.peer_group, count(r.value) AS n,
           percentile_cont(0.25) WITHIN GROUP (ORDER BY r.value) AS q1,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.value) AS q2,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY r.value) AS q3
    FROM indicator_raw r JOIN unit_typology t ON t.teryt = r.teryt
    WHERE r.value IS NOT NULL
    GROUP BY r.indicator_code, r.year, t.peer_group
)
SELECT k.indicator_code, k.year, k.teryt, k.level, k.value, k.numerator, k.denominator, k.flags,
       k.rank, CASE WHEN k.value IS NOT NULL THEN k.rank_of END,
       k.peer_group, p.n, p.q1, p.q2, p.q3, n.median,
       CASE WHEN k.prev_year = k.year - 1 AND k.prev_value <> 0
            THEN (k.value - k.prev_value) / abs(k.prev_value) * 100 END,
       -- An unchanged value keeps the run that published it: the release it dates from.
       CASE WHEN o.teryt IS NOT NULL AND (o.value, o.flags) IS NOT DISTINCT FROM (k.value, k.flags)
            THEN o.load_run_id ELSE k.load_run_id END
FROM ranked k
LEFT JOIN national n USING (indicator_code, year, level)
LEFT JOIN peers p ON p.indicator_code = k.indicator_code AND p.year = k.year
                 AND p.peer_group = k.peer_group
LEFT JOIN indicator_old o
  ON o.indicator_code = k.indicator_code AND o.year = k.year AND o.teryt = k.teryt
WHERE NOT k.context
ORDER BY k.indicator_code, k.year, k.teryt
"""
# The rows a recompute replaces, kept until it is done: the versions it may supersede.
_TAKE_OLD = """
CREATE TEMP TABLE indicator_old ON COMMIT DROP AS
WITH gone AS (DELETE FROM indicator_value WHERE {where}
              RETURNING indicator_code, year, teryt, level, value, numerator, denominator, flags,
                        load_run_id)
SELECT * FROM gone
"""
_HISTORY_COLUMNS = """indicator_value_history (indicator_code, year, teryt, superseded_run_id,
    published_run_id, level, value, numerator, denominator, flags)"""
# A replaced row whose run the new row did not keep was changed or deleted; a version published
# and replaced within one run was never visible, so it has no history.
_KEEP_SUPERSEDED = f"""
INSERT INTO {_HISTORY_COLUMNS}
SELECT o.indicator_code, o.year, o.teryt, :run_id, o.load_run_id, o.level, o.value,
       o.numerator, o.denominator, o.flags
FROM indicator_old o
WHERE o.load_run_id IS DISTINCT FROM :run_id
  AND NOT EXISTS (SELECT 1 FROM indicator_value n
                  WHERE n.indicator_code = o.indicator_code AND n.year = o.year
                    AND n.teryt = o.teryt AND n.load_run_id IS NOT DISTINCT FROM o.load_run_id)
"""  # noqa: S608 - constant column list
_DROP_RETIRED = f"""
WITH gone AS (DELETE FROM indicator_value WHERE indicator_code = ANY(:retired) RETURNING *)
INSERT INTO {_HISTORY_COLUMNS}
SELECT indicator_code, year, teryt, :run_id, load_run_id, level, value, numerator, denominator,
       flags
FROM gone WHERE load_run_id IS DISTINCT FROM :run_id
"""  # noqa: S608 - constant column list
# What the run changed, counted again from the tables (a run may recompute more than once).
_COUNT_CHANGES = """
UPDATE load_run SET
    values_added = (SELECT count(*) FROM indicator_value n WHERE n.load_run_id = :run_id
                    AND NOT EXISTS (SELECT 1 FROM indicator_value_history h
                                    WHERE h.superseded_run_id = :run_id
                                      AND h.indicator_code = n.indicator_code
                                      AND h.year = n.year AND h.teryt = n.teryt)),
    values_changed = (SELECT count(*) FROM indicator_value_history h
                      JOIN indicator_value n ON n.indicator_code = h.indicator_code
                       AND n.year = h.year AND n.teryt = h.teryt
                      WHERE h.superseded_run_id = :run_id),
    values_deleted = (SELECT count(*) FROM indicator_value_history h
                      WHERE h.superseded_run_id = :run_id
                        AND NOT EXISTS (SELECT 1 FROM indicator_value n
                                        WHERE n.indicator_code = h.indicator_code
                                          AND n.year = h.year AND n.teryt = h.teryt))
WHERE id = :run_id
"""
# Years and coverage kept beside each indicator, so catalogue reads never scan the values.
_COVERAGE = """
UPDATE indicator i SET
    years = coalesce((SELECT array_agg(DISTINCT v.year ORDER BY v.year) FROM indicator_value v
                      WHERE v.indicator_code = i.code AND v.value IS NOT NULL), '{}'),
    coverage = coalesce((
        SELECT jsonb_agg(jsonb_build_object('level', c.level, 'year', c.year,
                                            'values', c.values, 'missing', c.missing)
                         ORDER BY c.year, c.level)
        FROM (SELECT level, year, count(value) AS values, count(*) - count(value) AS missing
              FROM indicator_value v WHERE v.indicator_code = i.code GROUP BY level, year) c
    ), '[]')
WHERE i.code = ANY(:codes)
"""
_SYNC_INDICATOR = """
INSERT INTO indicator (code, version, domain, definition, computed_at)
VALUES (:code, :version, :domain, CAST(:definition AS jsonb), now())
ON CONFLICT (code) DO UPDATE SET version = excluded.version, domain = excluded.domain,
    definition = excluded.definition, computed_at = excluded.computed_at
"""
# The typology holds one row per unit in force (see peers._TYPOLOGY); any difference means the
# register changed since the engine last ran in full.
_TYPOLOGY_STALE = """
SELECT NOT EXISTS (SELECT 1 FROM unit_typology)
    OR EXISTS (SELECT teryt FROM territorial_unit
               WHERE valid_to IS NULL AND level IN ('gmina', 'powiat', 'voivodeship')
               EXCEPT SELECT teryt FROM unit_typology)
    OR EXISTS (SELECT teryt FROM unit_typology
               EXCEPT SELECT teryt FROM territorial_unit WHERE valid_to IS NULL)
"""
POPULATION_INDICATOR: Final = "kontekst.ludnosc"
PEER_INDICATORS: Final = frozenset({POPULATION_INDICATOR, *FEATURES.values()})
"""Indicators the typology and the neighbours are built from: a change to one redoes them all."""
UNBOUNDED_YEARS: Final = 10_000
"""A `nearest` term without `max_years` may come from any year."""


class EngineSummary(msgspec.Struct, frozen=True, kw_only=True):
    full: bool
    """True when every indicator, the typology and the neighbours were recomputed."""
    indicators: int
    with_values: int
    values: int
    seconds: float
    years_limited: int = 0
    """Indicators recomputed for some of their years only (those a load changed)."""


class Scope(msgspec.Struct, frozen=True):
    """An indicator to recompute, and the years whose published values may change (None: all).

    A value's year-on-year change reads the year before, so the years after the changed ones
    are published again too, and the years before them are computed as context only.
    """

    indicator: Indicator
    years: frozenset[int] | None = None

    @property
    def published_years(self) -> frozenset[int] | None:
        if self.years is None:
            return None
        return self.years | {year + 1 for year in self.years}

    @property
    def computed_years(self) -> frozenset[int] | None:
        published = self.published_years
        if published is None or self.years is None:
            return None
        return published | {year - 1 for year in self.years}


async def _variable_ids(conn: AsyncConnection, terms: list[Term]) -> list[int] | None:
    """Ids of the terms' variables; None when any is not loaded (the indicator has no data)."""
    ids: list[int] = []
    for term in terms:
        found = await conn.scalar(
            text("SELECT id FROM variable WHERE source = :source AND code = :code"),
            {"source": term.source, "code": term.code},
        )
        if found is None:
            return None
        ids.append(int(found))
    return ids


async def compute_indicator(conn: AsyncConnection, scope: Scope, run_id: int) -> int:
    """Insert the scope's raw values into `indicator_raw`; returns how many it will publish."""
    indicator = scope.indicator
    formula = indicator.formula
    num_ids = await _variable_ids(conn, formula.numerator)
    den_ids = await _variable_ids(conn, formula.denominator) if formula.denominator else []
    if num_ids is None or den_ids is None:
        return 0
    nearest = any(term.year == "nearest" for term in formula.denominator)
    years = scope.computed_years
    params: dict[str, Any] = {
        "code": indicator.code,
        "num_ids": num_ids,
        "num_n": len(num_ids),
        "den_ids": den_ids,
        "den_n": len(den_ids),
        "has_den": bool(den_ids),
        "nearest": nearest,
        "nearest_max_years": min(
            (term.max_years for term in formula.denominator if term.max_years is not None),
            default=UNBOUNDED_YEARS,
        ),
        "multiplier": formula.multiplier,
        "levels": list(indicator.levels),
        "run_id": run_id,
    }
    # Written into the statement, not an `OR :all_years` term, so the planner keeps the year
    # in its index condition on `observation`.
    year_filter = "" if years is None else " AND o.year = ANY(:years)"
    if years is not None:
        params["years"] = sorted(years)
    statement = _VALUES if formula.difference_to is None else _DIFFERENCE_VALUES
    sql = statement.format(num_years=year_filter, den_years="" if nearest else year_filter)
    inserted = (await conn.execute(text(sql), params)).rowcount
    published = scope.published_years
    if published is None:
        return inserted
    context = await conn.execute(
        text(
            "UPDATE indicator_raw SET context = true "
            "WHERE indicator_code = :code AND NOT year = ANY(:published)"
        ),
        {"code": indicator.code, "published": sorted(published)},
    )
    return inserted - context.rowcount


async def _sync_definitions(
    conn: AsyncConnection, catalogue: Catalogue, indicators: list[Indicator], run_id: int
) -> None:
    """Store the definitions of `indicators`; drop indicators the catalogue no longer has."""
    for indicator in indicators:
        await conn.execute(
            text(_SYNC_INDICATOR),
            {
                "code": indicator.code,
                "version": indicator.version,
                "domain": indicator.domain,
                "definition": msgspec.json.encode(indicator).decode(),
            },
        )
    codes = [indicator.code for indicator in catalogue.indicators]
    # Looked up in the small `indicator` table first: a DELETE by `NOT code = ANY` would scan
    # every published value at every load.
    retired = list(
        (
            await conn.execute(
                text("DELETE FROM indicator WHERE NOT code = ANY(:codes) RETURNING code"),
                {"codes": codes},
            )
        ).scalars()
    )
    if retired:
        await conn.execute(text(_DROP_RETIRED), {"retired": retired, "run_id": run_id})


_CREATE_SCOPE = """
CREATE TEMP TABLE indicator_scope ON COMMIT DROP AS
SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:years AS smallint[])) AS s(indicator_code, year)
"""
_TAKE_MORE_OLD = """
WITH gone AS (DELETE FROM indicator_value v USING indicator_scope s
              WHERE v.indicator_code = s.indicator_code AND v.year = s.year
              RETURNING v.indicator_code, v.year, v.teryt, v.level, v.value, v.numerator,
                        v.denominator, v.flags, v.load_run_id)
INSERT INTO indicator_old SELECT * FROM gone
"""


async def _take_old(conn: AsyncConnection, scopes: list[Scope], *, full: bool) -> None:
    """Move the published rows the recompute replaces into `indicator_old`."""
    if full:
        await conn.execute(text(_TAKE_OLD.format(where="true")))
        return
    # Whole indicators by their key prefix, single years through a small analysed table: one
    # statement with an OR of the two read every published value (0.4 s at 1.7M rows).
    every_year = [scope.indicator.code for scope in scopes if scope.published_years is None]
    await conn.execute(
        text(_TAKE_OLD.format(where="indicator_code = ANY(:codes)")), {"codes": every_year}
    )
    pairs = [
        (scope.indicator.code, year)
        for scope in scopes
        if scope.published_years is not None
        for year in sorted(scope.published_years)
    ]
    if pairs:
        await conn.execute(
            text(_CREATE_SCOPE), {"codes": [p[0] for p in pairs], "years": [p[1] for p in pairs]}
        )
        await conn.execute(text("ANALYZE indicator_scope"))
        await conn.execute(text(_TAKE_MORE_OLD))
        await conn.execute(text("DROP TABLE indicator_scope"))


async def _compute(
    conn: AsyncConnection, catalogue: Catalogue, scopes: list[Scope], run_id: int
) -> EngineSummary:
    """Recompute the scopes (all of them with the typology and neighbours when `full`)."""
    started = time.perf_counter()
    indicators = [scope.indicator for scope in scopes]
    limited = sum(1 for scope in scopes if scope.years is not None)
    full = len(indicators) == len(catalogue.indicators) and not limited
    codes = [indicator.code for indicator in indicators]
    await _sync_definitions(conn, catalogue, indicators, run_id)
    if not indicators:
        return EngineSummary(full=False, indicators=0, with_values=0, values=0, seconds=0.0)
    await conn.execute(text(_CREATE_RAW))
    counts = {}
    for scope in scopes:
        counts[scope.indicator.code] = await compute_indicator(conn, scope, run_id)
    await conn.execute(text("CREATE INDEX ON indicator_raw (indicator_code, teryt, year)"))
    await conn.execute(text("ANALYZE indicator_raw"))
    if full:
        await compute_typology(conn, POPULATION_INDICATOR)
        await compute_neighbours(conn)
    await _take_old(conn, scopes, full=full)
    await conn.execute(text("ANALYZE indicator_old"))
    await conn.execute(text(_PUBLISH))
    await conn.execute(text(_KEEP_SUPERSEDED), {"run_id": run_id})
    await conn.execute(text(_COUNT_CHANGES), {"run_id": run_id})
    await conn.execute(text(_COVERAGE), {"codes": codes})
    await conn.execute(text("DROP TABLE indicator_raw, indicator_old"))
    summary = EngineSummary(
        full=full,
        indicators=len(counts),
        with_values=sum(1 for n in counts.values() if n),
        values=sum(counts.values()),
        seconds=time.perf_counter() - started,
        years_limited=limited,
    )
    log.info("engine.computed", **msgspec.structs.asdict(summary))
    return summary


async def compute_all(conn: AsyncConnection, catalogue: Catalogue, run_id: int) -> EngineSummary:
    """Recompute every indicator of the catalogue from the observations in the database."""
    return await _compute(conn, catalogue, [Scope(ind) for ind in catalogue.indicators], run_id)


def _changed_years(
    indicator: Indicator, variable_ids: dict[tuple[str, str], int], changed: dict[int, ChangedYears]
) -> tuple[bool, ChangedYears]:
    """Whether a changed variable feeds the indicator, and the years of its values that the
    changes reach (None: all). A denominator taken from the nearest year reaches every
    numerator year within its `max_years`."""
    terms = [(t, False) for t in indicator.formula.numerator]
    terms += [(t, True) for t in indicator.formula.denominator]
    touched, years = False, set[int]()
    for term, in_denominator in terms:
        variable = variable_ids.get((term.source, term.code))
        if variable is None or variable not in changed:
            continue
        touched, changed_years = True, changed[variable]
        if changed_years is None:
            return True, None
        if in_denominator and term.year == "nearest":
            if term.max_years is None:
                return True, None
            reach = range(-term.max_years, term.max_years + 1)
            years |= {year + step for year in changed_years for step in reach}
        else:
            years |= changed_years
    return touched, frozenset(years)


# Each stored definition, and whether the indicator has any published row (its coverage).
_STORED = """
SELECT code, version, CAST(definition AS text), coverage <> '[]'::jsonb FROM indicator
"""


async def _stale_scopes(conn: AsyncConnection, catalogue: Catalogue) -> list[Scope]:
    """Indicators fed by a variable changed in this transaction (for the years it changed),
    or defined anew (every year)."""
    changed = await changed_variables(conn)
    variable_ids = {
        (source, code): int(id_)
        for id_, source, code in await conn.execute(text("SELECT id, source, code FROM variable"))
    }
    stored = {
        code: (version, msgspec.json.decode(definition), bool(published))
        for code, version, definition, published in await conn.execute(text(_STORED))
    }
    stale: list[Scope] = []
    for indicator in catalogue.indicators:
        defined = (indicator.version, msgspec.json.decode(msgspec.json.encode(indicator)))
        version, definition, published = stored.get(indicator.code, (None, None, False))
        if (version, definition) != defined:
            stale.append(Scope(indicator))
            continue
        touched, years = _changed_years(indicator, variable_ids, changed)
        if touched:
            # With nothing published yet (a term's variable was not loaded), a year's change
            # says nothing about the other years: all of them get their first values.
            stale.append(Scope(indicator, years if published else None))
    return stale


async def compute_changed(
    conn: AsyncConnection, catalogue: Catalogue, run_id: int
) -> EngineSummary:
    """Recompute only the indicator-years this transaction's changes reach; the same result as
    `compute_all`, in a fraction of the time when a load feeds a few indicators or one year.

    Everything is recomputed when a peer indicator (population, density, age shares) is among
    them, or when the typology is not the register's in force (none yet, or a new register was
    loaded since): the peer groups and neighbours of every unit follow.
    """
    stale = await _stale_scopes(conn, catalogue)
    register_changed = await conn.scalar(text(_TYPOLOGY_STALE))
    if register_changed or any(scope.indicator.code in PEER_INDICATORS for scope in stale):
        return await compute_all(conn, catalogue, run_id)
    return await _compute(conn, catalogue, stale, run_id)
