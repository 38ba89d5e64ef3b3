"""Publish observations read from any statistical source, in the caller's transaction.

Codes are matched to the units in force. A gmina whose code changed only in its RODZ digit
(gmina wiejska 0614052 -> miejsko-wiejska 0614053 on 2025-01-01: same territory, same name) is
mapped to its new code and flagged; any other unknown code is reported as a warning, never
dropped silently. A load replaces the values of the (variable, year) pairs it carries; sums
over gminas are then derived for powiats and voivodeships the source does not give. A value
changed or removed moves to `observation_history` with the run that published it (issue 17).
"""

from collections import Counter
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.indicators.changes import mark_changed
from domains.units.kinds import KIND_BY_RODZ, LEVEL_OF_KIND, Level
from loaders.errors import LoadRefused, SourceProblem
from loaders.observations import ObservationRecord, VariableDef
from loaders.run import Counts

GMINA_RODZ: Final = frozenset(
    rodz for rodz, kind in KIND_BY_RODZ.items() if LEVEL_OF_KIND[kind] is Level.GMINA
)
CODE_CHANGED_FLAG: Final = "code_changed"
MAX_UNKNOWN_SHARE: Final = 0.2
MAX_UNKNOWN_ALWAYS_ALLOWED: Final = 10
"""More unknown codes than this (and than 20 % of the values) refuse the file."""

# No key on the stage: keys are checked unique in Python before COPY, and an index here made
# the anti-join walk the stage in random order (401,024 temp-buffer reads for 521,760 rows).
_CREATE_STAGE = """
CREATE TEMP TABLE stage_observation (
    variable_id int, year smallint, teryt varchar(7), value float8, flag text
) ON COMMIT DROP
"""
_UPSERT_VARIABLE = """
INSERT INTO variable (source, code, name, measure_unit, additive, citation)
VALUES (:source, :code, :name, :measure_unit, :additive, :citation)
ON CONFLICT (source, code) DO UPDATE SET
    name = excluded.name, measure_unit = excluded.measure_unit,
    additive = excluded.additive, citation = excluded.citation
RETURNING id
"""
_STAGE_COLUMNS: Final = ["variable_id", "year", "teryt", "value", "flag"]
_TOUCHED = """
CREATE TEMP TABLE touched ON COMMIT DROP AS
SELECT * FROM unnest(CAST(:variables AS int[]), CAST(:years AS smallint[])) AS k(variable_id, year)
"""
_ANY_STORED = """
SELECT EXISTS (SELECT 1 FROM observation o JOIN touched k
               ON o.variable_id = k.variable_id AND o.year = k.year)
"""
# Derived sums are dropped and summed again; the old ones are kept until then, so a sum that
# comes out the same keeps the run (and release) it was published in.
_DROP_DERIVED = """
CREATE TEMP TABLE derived_old ON COMMIT DROP AS
WITH gone AS (DELETE FROM observation o USING touched k
              WHERE o.variable_id = k.variable_id AND o.year = k.year AND o.derived
              RETURNING o.*)
SELECT * FROM gone
"""
_HISTORY = """INSERT INTO observation_history
    (variable_id, year, teryt, superseded_run_id, published_run_id, value, flag, derived)"""
# A version published and replaced within one run was never visible: it has no history.
_REMOVE_VANISHED = f"""
WITH gone AS (
    DELETE FROM observation o USING touched k
    WHERE o.variable_id = k.variable_id AND o.year = k.year AND NOT o.derived
      AND NOT EXISTS (SELECT 1 FROM stage_observation s WHERE s.variable_id = o.variable_id
                      AND s.year = o.year AND s.teryt = o.teryt)
    RETURNING o.*
), kept AS (
    {_HISTORY}
    SELECT variable_id, year, teryt, :run_id, load_run_id, value, flag, derived
    FROM gone WHERE load_run_id <> :run_id
)
SELECT count(*) FROM gone
"""  # noqa: S608 - constant column list
_KEEP_CHANGED = f"""
{_HISTORY}
SELECT o.variable_id, o.year, o.teryt, :run_id, o.load_run_id, o.value, o.flag, o.derived
FROM observation o JOIN stage_observation s
  ON o.variable_id = s.variable_id AND o.year = s.year AND o.teryt = s.teryt
WHERE (o.value, o.flag) IS DISTINCT FROM (s.value, s.flag) AND o.load_run_id <> :run_id
"""  # noqa: S608 - constant column list
_KEEP_DERIVED_GONE = f"""
{_HISTORY}
SELECT d.variable_id, d.year, d.teryt, :run_id, d.load_run_id, d.value, d.flag, true
FROM derived_old d
WHERE d.load_run_id <> :run_id
  AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.variable_id = d.variable_id
                  AND o.year = d.year AND o.teryt = d.teryt AND o.load_run_id = d.load_run_id)
"""  # noqa: S608 - constant column list
# Two plain statements, not one INSERT ... ON CONFLICT: the speculative insertion of an
# upsert cost 4.5 s for 300,000 new rows against 1.2 s for this pair (loads are serialised
# by the publish lock, so nothing can slip in between them).
_UPDATE_CHANGED = """
UPDATE observation o
SET value = s.value, flag = s.flag, derived = false, load_run_id = :run_id
FROM stage_observation s
WHERE o.variable_id = s.variable_id AND o.year = s.year AND o.teryt = s.teryt
  AND (o.value, o.flag) IS DISTINCT FROM (s.value, s.flag)
"""
_INSERT_NEW = """
INSERT INTO observation (variable_id, year, teryt, value, flag, derived, load_run_id)
SELECT s.variable_id, s.year, s.teryt, s.value, s.flag, false, :run_id
FROM stage_observation s
WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE o.variable_id = s.variable_id
                  AND o.year = s.year AND o.teryt = s.teryt)
ORDER BY s.variable_id, s.year, s.teryt  -- index order: far fewer page splits and random writes
"""
# Sums of the level below, only where the source gave no value of its own; partial when some
# children in force have no value.
# A sum equal to the old one but for rounding (the order rows are summed in may differ) is
# the old one: same value, same run.
_ROLL_UP = """
INSERT INTO observation (variable_id, year, teryt, value, flag, derived, load_run_id)
SELECT g.variable_id, g.year, g.teryt,
       CASE WHEN same THEN d.value ELSE g.value END, g.flag, true,
       CASE WHEN same THEN d.load_run_id ELSE :run_id END
FROM (
SELECT o.variable_id, o.year, child.parent_teryt AS teryt, sum(o.value) AS value,
       CASE WHEN count(o.value) < max(kids.n) THEN 'partial_sum_of_' || :child_level
            ELSE 'sum_of_' || :child_level END AS flag
FROM observation o
JOIN touched k ON k.variable_id = o.variable_id AND k.year = o.year
JOIN variable v ON v.id = o.variable_id AND v.additive
JOIN territorial_unit child
  ON child.teryt = o.teryt AND child.valid_to IS NULL AND child.level = :child_level
JOIN (SELECT parent_teryt, count(*) AS n FROM territorial_unit
      WHERE valid_to IS NULL AND level = :child_level GROUP BY parent_teryt) kids
  ON kids.parent_teryt = child.parent_teryt
WHERE o.value IS NOT NULL
GROUP BY o.variable_id, o.year, child.parent_teryt
) g
LEFT JOIN derived_old d ON d.variable_id = g.variable_id AND d.year = g.year AND d.teryt = g.teryt
CROSS JOIN LATERAL (
    SELECT d.teryt IS NOT NULL AND d.flag = g.flag
           AND abs(d.value - g.value) <= 1e-9 * greatest(abs(d.value), abs(g.value)) AS same
) m
ON CONFLICT (variable_id, year, teryt) DO NOTHING
"""
_DROP_TEMPORARY = "DROP TABLE IF EXISTS touched, stage_observation, derived_old"
_NO_DERIVED_OLD = """
CREATE TEMP TABLE derived_old ON COMMIT DROP AS SELECT * FROM observation WITH NO DATA
"""


async def units_in_force(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(text("SELECT teryt FROM territorial_unit WHERE valid_to IS NULL"))
    return {row[0] for row in rows}


def match_units(
    file: str, records: list[ObservationRecord], known: set[str]
) -> tuple[list[ObservationRecord], list[SourceProblem]]:
    """Records with codes of units in force, and a warning for every record left out."""
    if not known:
        raise LoadRefused.one(
            file, "no territorial units loaded yet: run `miarka load teryt`", code="unknown_unit"
        )
    gminas_by_prefix: dict[str, list[str]] = {}
    for code in known:
        if len(code) == 7 and code[6] in GMINA_RODZ:  # noqa: PLR2004
            gminas_by_prefix.setdefault(code[:6], []).append(code)
    # A gmina listed under its old and its new code (BDL lists both, each with values only in
    # its own years): a value under either code fills the year, an empty cell never hides one.
    direct = {(r.variable, r.year, r.teryt) for r in records if r.teryt in known}
    direct_valued = {
        (r.variable, r.year, r.teryt) for r in records if r.teryt in known and r.value is not None
    }
    matched: list[ObservationRecord] = []
    filled_from_old_code: set[tuple[str, int | None, str]] = set()
    unknown: Counter[tuple[str, int | None]] = Counter()
    for record in records:
        if record.teryt in known:
            matched.append(record)
            continue
        candidates = (
            gminas_by_prefix.get(record.teryt[:6], []) if record.teryt[6:] in GMINA_RODZ else []
        )
        key = (record.variable, record.year, candidates[0]) if len(candidates) == 1 else None
        if key is not None and record.value is None and key in direct:
            continue  # an empty cell of the old code where the code in force has the year
        if key is not None and key not in direct_valued:
            flag = (
                CODE_CHANGED_FLAG if record.flag is None else f"{record.flag};{CODE_CHANGED_FLAG}"
            )
            matched.append(_with(record, teryt=key[2], flag=flag))
            if key in direct:
                filled_from_old_code.add(key)
        else:
            unknown[(record.teryt, record.row)] += 1
    if filled_from_old_code:
        matched = [
            r
            for r in matched
            if r.value is not None or (r.variable, r.year, r.teryt) not in filled_from_old_code
        ]
    unknown_values = sum(unknown.values())
    if unknown_values > max(MAX_UNKNOWN_ALWAYS_ALLOWED, len(records) * MAX_UNKNOWN_SHARE):
        (code, row), _ = next(iter(sorted(unknown.items(), key=lambda i: i[0][1] or 0)))
        raise LoadRefused.one(
            file,
            f"{unknown_values:,} of {len(records):,} values are for codes not in the register "
            f"in force (first: {code}); a file for another register or mis-coded?",
            row=row,
            field="code",
            code="bad_code",
        )
    warnings = [
        SourceProblem(
            file=file,
            row=row,
            field="code",
            message=f"unit {code} is not in the register in force; {n} value(s) not stored",
            code="unknown_unit",
        )
        for (code, row), n in sorted(unknown.items(), key=lambda item: item[0][1] or 0)
    ]
    return matched, warnings


def _with(record: ObservationRecord, *, teryt: str, flag: str) -> ObservationRecord:
    return ObservationRecord(
        row=record.row,
        teryt=teryt,
        variable=record.variable,
        year=record.year,
        value=record.value,
        flag=flag,
    )


async def publish_observations(
    conn: AsyncConnection,
    *,
    run_id: int,
    variables: list[VariableDef],
    records: list[ObservationRecord],
    file: str = "the loaded file",
    keep_stage: bool = False,
) -> Counts:
    """Stage with COPY and upsert; returns counts (closed = values the new load no longer has).

    `keep_stage=True` always fills `stage_observation` (callers that compare against it
    afterwards in the same transaction); otherwise pairs with nothing stored skip the stage.
    """
    refuse_duplicate_keys(file, records)
    # The temporary tables live until commit: a second publish in the same transaction (one
    # per kind of budget figure, one per BeSTi@ report) stages afresh.
    await conn.execute(text(_DROP_TEMPORARY))
    ids: dict[str, int] = {}
    for variable in variables:
        ids[variable.code] = (
            await conn.execute(text(_UPSERT_VARIABLE), msgspec_dict(variable))
        ).scalar_one()
    rows = [(ids[r.variable], r.year, r.teryt, r.value, r.flag) for r in records]
    pairs = sorted({(row[0], row[1]) for row in rows})
    await conn.execute(
        text(_TOUCHED),
        {"variables": [p[0] for p in pairs], "years": [p[1] for p in pairs]},
    )
    # Without statistics the planner guessed a large `touched` and summed by scanning the
    # whole observation table (115M rows at national scale) instead of its index ranges.
    await conn.execute(text("ANALYZE touched"))
    driver = (await conn.get_raw_connection()).driver_connection
    if not keep_stage and not await conn.scalar(text(_ANY_STORED)):
        # Nothing stored yet for these (variable, year) pairs, the common case of a bulk load:
        # COPY straight into the table, nothing to compare, update or remove.
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            "observation",
            records=[(*row, False, run_id) for row in rows],
            columns=[*_STAGE_COLUMNS, "derived", "load_run_id"],
        )
        inserted, updated, removed = len(rows), 0, 0
        await conn.execute(text(_NO_DERIVED_OLD))
    else:
        await conn.execute(text(_CREATE_STAGE))
        await driver.copy_records_to_table(  # type: ignore[union-attr]
            "stage_observation", records=rows, columns=_STAGE_COLUMNS
        )
        await conn.execute(text("ANALYZE stage_observation"))
        removed = int(await conn.scalar(text(_REMOVE_VANISHED), {"run_id": run_id}) or 0)
        await conn.execute(text(_KEEP_CHANGED), {"run_id": run_id})
        updated = (await conn.execute(text(_UPDATE_CHANGED), {"run_id": run_id})).rowcount
        inserted = (await conn.execute(text(_INSERT_NEW), {"run_id": run_id})).rowcount
        if not (removed or updated or inserted):
            # The same values again: the sums derived from them stand as they are.
            return Counts(rows_unchanged=len(rows))
        await conn.execute(text(_DROP_DERIVED))
        await conn.execute(text("ANALYZE derived_old"))
    for child_level in ("gmina", "powiat"):
        await conn.execute(text(_ROLL_UP), {"run_id": run_id, "child_level": child_level})
    await conn.execute(text(_KEEP_DERIVED_GONE), {"run_id": run_id})
    await mark_changed(conn, pairs)
    return Counts(
        rows_inserted=inserted,
        rows_updated=updated,
        rows_closed=removed,
        rows_unchanged=len(rows) - inserted - updated,
    )


def refuse_duplicate_keys(file: str, records: list[ObservationRecord]) -> None:
    """Two values for one (variable, year, unit) would make the load ambiguous: refuse it."""
    first_row: dict[tuple[str, int, str], int | None] = {}
    for record in records:
        key = (record.variable, record.year, record.teryt)
        if key in first_row:
            raise LoadRefused.one(
                file,
                f"a second value for {record.variable}, {record.year}, unit {record.teryt}"
                f" (first at row {first_row[key]})",
                row=record.row,
                field="code",
                code="duplicate_key",
            )
        first_row[key] = record.row


def msgspec_dict(variable: VariableDef) -> dict[str, object]:
    return {
        "source": variable.source,
        "code": variable.code,
        "name": variable.name,
        "measure_unit": variable.measure_unit,
        "additive": variable.additive,
        "citation": variable.citation,
    }
