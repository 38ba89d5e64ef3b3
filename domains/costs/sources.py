"""Reads of the stored budget reports, SIO volumes and load runs the calculator works from.

Plain async functions over an `AsyncConnection`, each one SQL statement. Which reports make a
unit's figures: its own reports (JST) when it has any for a year and kind, otherwise the sum
of its budgetary units' (JB) reports; the answer says which (`basis`). Only Q4 reports count:
Q4 is the whole year. MF statements of single income lines (`STATEMENT_SOURCE`: the shares in
PIT) are not reports of the unit: the calculator never counts a PIT share (it is never
dedicated income nor a transfer), and a statement must not pass for an Rb-27S, which would
turn "no income report" into an income of 0.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import msgspec
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.models import STATEMENT_SOURCE
from domains.costs.trail import Line
from schemas.costs import ReleaseOut

__all__ = [
    "ReportRef",
    "SioSchool",
    "chosen_reports",
    "lines_by_report",
    "lines_by_year",
    "load_runs",
    "population",
    "reports_of",
    "sio_schools",
    "years_with_reports",
]

Basis = Literal["own", "budgetary_units"]


class ReportRef(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    kind: str
    year: int
    unit_type: str
    unit_key: str
    regon: str
    unit_name: str
    load_run_id: int


class SioSchool(msgspec.Struct, frozen=True, kw_only=True):
    rspo: int
    as_of: date
    regon: str | None
    name: str
    pupils: Decimal | None
    load_run_id: int


_REPORTS = """
SELECT id, kind, year, unit_type, unit_key, regon, unit_name, load_run_id
FROM budget_report
WHERE teryt = :teryt AND period = 4 AND year = ANY(:years) AND source <> :statement
ORDER BY year, kind, unit_type, unit_name, id
"""
_LINES = """
SELECT r.year, r.kind, l.rozdzial, l.paragraf, l.p4, l.grupa,
       sum(CASE WHEN r.kind = 'rb28s' THEN l.ww ELSE l.dw END) AS amount
FROM budget_report_line l
JOIN budget_report r ON r.id = l.report_id
WHERE l.report_id = ANY(:ids) AND l.paragraf LIKE ANY(:patterns)
GROUP BY r.year, r.kind, l.rozdzial, l.paragraf, l.p4, l.grupa
HAVING sum(CASE WHEN r.kind = 'rb28s' THEN l.ww ELSE l.dw END) IS NOT NULL
ORDER BY r.year, r.kind, l.rozdzial, l.paragraf, l.p4, l.grupa
"""
_LINES_BY_REPORT = """
SELECT l.report_id, l.rozdzial, l.paragraf, l.p4, l.grupa,
       CASE WHEN r.kind = 'rb28s' THEN l.ww ELSE l.dw END AS amount
FROM budget_report_line l
JOIN budget_report r ON r.id = l.report_id
WHERE l.report_id = ANY(:ids)
  AND CASE WHEN r.kind = 'rb28s' THEN l.ww ELSE l.dw END IS NOT NULL
ORDER BY l.report_id, l.position
"""
_YEARS = """
SELECT DISTINCT year FROM budget_report
WHERE teryt = :teryt AND period = 4 AND kind = 'rb28s' ORDER BY year
"""
_SIO = """
SELECT rspo, as_of, regon, name, pupils, load_run_id FROM sio_school
WHERE governing_teryt = :teryt AND as_of = ANY(:dates) AND school_type = ANY(:types)
ORDER BY as_of, rspo
"""
_POPULATION = """
SELECT o.year, o.value, o.load_run_id FROM observation o
JOIN variable v ON v.id = o.variable_id
WHERE v.source = 'gus_bdl_export' AND v.code = 'population.total'
  AND o.teryt = :teryt AND o.value IS NOT NULL
ORDER BY abs(o.year - :year), o.year DESC
LIMIT 1
"""
_RUNS = """
SELECT id, source, coalesce(file_name, split_part(query, E'\\n', 1)) AS file,
       data_release_id, finished_at
FROM load_run WHERE id = ANY(:ids) ORDER BY id
"""


async def years_with_reports(conn: AsyncConnection, teryt: str) -> list[int]:
    """Years with a Q4 Rb-28S report of the unit (own or of its budgetary units)."""
    return [row[0] for row in await conn.execute(text(_YEARS), {"teryt": teryt})]


async def reports_of(conn: AsyncConnection, teryt: str, years: Sequence[int]) -> list[ReportRef]:
    params = {"teryt": teryt, "years": list(years), "statement": STATEMENT_SOURCE}
    rows = await conn.execute(text(_REPORTS), params)
    return [ReportRef(**row._asdict()) for row in rows]


def chosen_reports(reports: Sequence[ReportRef]) -> tuple[list[ReportRef], dict[int, Basis]]:
    """The reports that make the unit's figures per (year, kind), and the basis of each year."""
    grouped: dict[tuple[int, str], list[ReportRef]] = defaultdict(list)
    for report in reports:
        grouped[(report.year, report.kind)].append(report)
    chosen: list[ReportRef] = []
    basis: dict[int, Basis] = {}
    for (year, kind), group in sorted(grouped.items()):
        own = [r for r in group if r.unit_type == "JST"]
        chosen.extend(own or group)
        if kind == "rb28s":
            basis[year] = "own" if own else "budgetary_units"
    return chosen, basis


async def lines_by_year(
    conn: AsyncConnection,
    reports: Sequence[ReportRef],
    *,
    paragraph_prefixes: Sequence[str] = ("",),
) -> dict[tuple[int, str], list[Line]]:
    """Executed amounts summed over the given reports, per (year, kind) and line."""
    params = {
        "ids": [r.id for r in reports],
        "patterns": [f"{prefix}%" for prefix in paragraph_prefixes],
    }
    found: dict[tuple[int, str], list[Line]] = defaultdict(list)
    for row in await conn.execute(text(_LINES), params):
        found[(row.year, row.kind)].append(_line(row))
    return dict(found)


async def lines_by_report(
    conn: AsyncConnection, report_ids: Sequence[int]
) -> dict[int, list[Line]]:
    found: dict[int, list[Line]] = defaultdict(list)
    for row in await conn.execute(text(_LINES_BY_REPORT), {"ids": list(report_ids)}):
        found[row.report_id].append(_line(row))
    return dict(found)


def _line(row: Row[Any]) -> Line:
    return Line(
        rozdzial=row.rozdzial, paragraf=row.paragraf, p4=row.p4, grupa=row.grupa, amount=row.amount
    )


async def sio_schools(
    conn: AsyncConnection, teryt: str, dates: Sequence[date], school_types: Sequence[str]
) -> list[SioSchool]:
    """Schools of the given types the unit runs, as of the given 30 Septembers."""
    params = {"teryt": teryt, "dates": list(dates), "types": list(school_types)}
    return [SioSchool(**row._asdict()) for row in await conn.execute(text(_SIO), params)]


async def population(
    conn: AsyncConnection, teryt: str, year: int
) -> tuple[int, Decimal, int] | None:
    """The unit's population of the year nearest to `year` (GUS, as loaded), with its run."""
    row = (await conn.execute(text(_POPULATION), {"teryt": teryt, "year": year})).first()
    if row is None:
        return None
    return row.year, Decimal(repr(row.value)), row.load_run_id


async def load_runs(conn: AsyncConnection, run_ids: Sequence[int]) -> list[ReleaseOut]:
    rows = await conn.execute(text(_RUNS), {"ids": sorted(set(run_ids))})
    return [
        ReleaseOut(
            load_run_id=row.id,
            source=row.source,
            file=row.file,
            data_release_id=row.data_release_id,
            finished_at=row.finished_at,
        )
        for row in rows
    ]
