"""Budget totals per unit and year for the indicator engine, derived from the stored reports.

The catalogue's formulas name variables of source `mf_rb28s` (WW: expenditure spent) with codes
`dzial:801`, `rozdzial:71012`, `suma:wszystkie`, and of source `mf_rb27s` (DW: income received)
with `paragraf:031`, `dzial:756`, `suma:wszystkie`. Only Q4 reports count: Q4 is the whole
year. The values are recomputed from every stored report of the years a load touched, so a
re-load replaces them consistently, and a value whose lines disappeared is removed.

Which reports make a unit's total: its own reports (`JST`) when it has any for that year and
kind; otherwise the sum of its budgetary units' reports (`JB`), flagged
`partial_sum_of_budgetary_units` because it leaves out whatever the unit spends outside those
units. MF statements of single income lines (`STATEMENT_SOURCE`, the shares in PIT of
`miarka load mf-pit`) fill their paragraf where the unit has no Rb-27S of its own: paragraf
001 then comes from the statement, the same figure whichever file brought it. A powiat's
budget is not the sum of its gminas', so the variables are not additive (no roll-up to
parents).
"""

from collections.abc import Iterable
from typing import Final

import msgspec
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.models import STATEMENT_SOURCE
from domains.indicators.changes import mark_sources_changed
from loaders.observation_load import recompute_indicators
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import Counts, RecordedRun
from loaders.unit_codes import CODE_CHANGED_FLAG

log = structlog.get_logger("miarka.loaders.mf_rb")

__all__ = ["PARTIAL_FLAG", "REVISED_FLAG", "VARIABLE_SOURCES", "refresh_aggregates"]

VARIABLE_SOURCES: Final = {"rb28s": "mf_rb28s", "rb27s": "mf_rb27s"}
PARTIAL_FLAG: Final = "partial_sum_of_budgetary_units"
REVISED_FLAG: Final = "revised_at_source"
"""A total with a report of `Naglowek/Wersja` above 0 (a corrected re-submission; the first
submission is version 0): its figures are the corrected ones, a publication status (issue 17)."""
_CITATION: Final = (
    "Sprawozdania {form} jednostek samorządu terytorialnego (Ministerstwo Finansów), kolumna "
    "{column}, okres IV kwartał (= rok); klasyfikacja budżetowa: rozporządzenie Ministra "
    "Finansów z 2 marca 2010 r. (Dz.U. 2010 nr 38 poz. 207, z późn. zm.)."
)
# One row per (kind, teryt, year, variable code); the chosen reports per (kind, teryt, year)
# are the unit's own if it has any, else its budgetary units' and MF statements (which give
# single lines, so they make paragraf totals only, never a dział or the whole budget). A report
# filed under a gmina code other than the one it is stored under (its RODZ changed since) makes
# its totals `code_changed`; one of a version above 0 (corrected at source) makes them
# `revised_at_source`.
_TOTALS = """
WITH rep AS (
    SELECT r.id, r.kind, r.teryt, r.year, r.unit_type, r.source = :statement AS statement,
           length(r.teryt) = 7 AND r.wk || r.pk || r.gk || r.gt ~ '^[0-9]{7}$'
               AND r.wk || r.pk || r.gk || r.gt <> r.teryt AS code_changed,
           coalesce(r.version, 0) > 0 AS revised,
           bool_or(r.unit_type = 'JST' AND r.source <> :statement)
               OVER (PARTITION BY r.kind, r.teryt, r.year) AS has_own
    FROM budget_report r
    WHERE r.period = 4 AND r.year = ANY(:years)
),
chosen AS (SELECT * FROM rep WHERE (unit_type = 'JST' AND NOT statement) OR NOT has_own),
line AS (
    SELECT c.kind, c.teryt, c.year, c.unit_type, c.statement, c.code_changed, c.revised,
           l.dzial, l.rozdzial, l.paragraf,
           CASE c.kind WHEN 'rb28s' THEN l.ww ELSE l.dw END AS amount
    FROM chosen c JOIN budget_report_line l ON l.report_id = c.id
)
SELECT kind, teryt, year, 'dzial:' || dzial AS code, sum(amount) AS total,
       bool_or(unit_type = 'JB') AS partial, bool_or(code_changed) AS code_changed,
       bool_or(revised) AS revised
FROM line WHERE NOT statement GROUP BY kind, teryt, year, dzial
UNION ALL
SELECT kind, teryt, year, 'rozdzial:' || rozdzial, sum(amount), bool_or(unit_type = 'JB'),
       bool_or(code_changed), bool_or(revised)
FROM line WHERE kind = 'rb28s' AND NOT statement GROUP BY kind, teryt, year, rozdzial
UNION ALL
SELECT kind, teryt, year, 'paragraf:' || paragraf, sum(amount), bool_or(unit_type = 'JB'),
       bool_or(code_changed), bool_or(revised)
FROM line WHERE kind = 'rb27s' GROUP BY kind, teryt, year, paragraf
UNION ALL
SELECT kind, teryt, year, 'suma:wszystkie', sum(amount), bool_or(unit_type = 'JB'),
       bool_or(code_changed), bool_or(revised)
FROM line WHERE NOT statement GROUP BY kind, teryt, year
"""
_REMOVE_STALE = """
DELETE FROM observation o USING variable v
WHERE o.variable_id = v.id AND v.source = ANY(:sources) AND o.year = ANY(:years)
  AND NOT EXISTS (SELECT 1 FROM stage_observation s WHERE s.variable_id = o.variable_id
                  AND s.year = o.year AND s.teryt = o.teryt)
"""


def _variable(kind: str, code: str) -> VariableDef:
    what, _, number = code.partition(":")
    form, column = ("Rb-28S", "WW") if kind == "rb28s" else ("Rb-27S", "DW")
    label = {
        "dzial": f"dział {number}",
        "rozdzial": f"rozdział {number}",
        "paragraf": f"paragraf {number} (trzy cyfry, bez czwartej)",
        "suma": "wszystkie działy",
    }[what]
    verb = "Wydatki wykonane" if kind == "rb28s" else "Dochody wykonane"
    return VariableDef(
        source=VARIABLE_SOURCES[kind],
        code=code,
        name=f"{verb} ({form}, {column}): {label}",
        measure_unit="zł",
        additive=False,
        citation=_CITATION.format(form=form, column=column),
    )


def _flag(*, partial: bool, code_changed: bool, revised: bool) -> str | None:
    flags = [PARTIAL_FLAG] if partial else []
    flags += [CODE_CHANGED_FLAG] if code_changed else []
    flags += [REVISED_FLAG] if revised else []
    return ";".join(flags) or None


async def refresh_aggregates(conn: AsyncConnection, years: Iterable[int], run_id: int) -> Counts:
    """Recompute the yearly totals of `years` for every unit and publish them to `observation`.

    An omitted amount column is counted as nothing executed (the reporting software leaves
    empty columns out), so a rozdział with a plan but no WW has a total of 0.
    """
    year_list = sorted(set(years))
    if not year_list:
        return Counts()
    params = {"years": year_list, "statement": STATEMENT_SOURCE}
    rows = (await conn.execute(text(_TOTALS), params)).all()
    variables: dict[str, dict[str, VariableDef]] = {kind: {} for kind in VARIABLE_SOURCES}
    records: dict[str, list[ObservationRecord]] = {kind: [] for kind in VARIABLE_SOURCES}
    for kind, teryt, year, code, total, partial, code_changed, revised in rows:
        variables[kind].setdefault(code, _variable(kind, code))
        records[kind].append(
            ObservationRecord(
                row=None,
                teryt=teryt,
                variable=code,
                year=year,
                value=float(total) if total is not None else 0.0,
                flag=_flag(partial=partial, code_changed=code_changed, revised=revised),
            )
        )
    counts = Counts()
    for kind, source in VARIABLE_SOURCES.items():
        part = await publish_observations(
            conn,
            run_id=run_id,
            variables=list(variables[kind].values()),
            records=records[kind],
            keep_stage=True,  # _REMOVE_STALE compares against it
        )
        removed = (
            await conn.execute(text(_REMOVE_STALE), {"sources": [source], "years": year_list})
        ).rowcount
        if removed:
            await mark_sources_changed(conn, [source], year_list)
        counts.add(part)
        counts.rows_closed += removed
    return counts


async def refresh_totals_and_indicators(
    conn: AsyncConnection,
    run: RecordedRun,
    years: Iterable[int],
    run_id: int,
    counts: Counts,
    *,
    event: str,
) -> None:
    """After budget lines changed: refresh the yearly totals of `years` and, when those
    changed, the indicators; the totals' rows are counted in `counts`. `event` names the
    source's log line of the totals (`mf_rb.totals`)."""
    run.progress.step("refresh yearly totals")
    totals = await refresh_aggregates(conn, years, run_id)
    log.info(event, run_id=run_id, **msgspec.structs.asdict(totals))
    if totals.changed:
        run.progress.step("compute indicators")
        await recompute_indicators(conn, run_id)
    counts.add(totals)
