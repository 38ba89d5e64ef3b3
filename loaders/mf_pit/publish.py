"""Store placed PIT statement rows as budget lines, in the caller's transaction.

Each row becomes an Rb-27S-shaped report of source `STATEMENT_SOURCE` (kind `rb27s`, period
4 = the year, `period_type` "Rok") with one line: dział 756, its rozdział, paragraf 001, P4 0,
and the amounts in the columns an Rb-27S line has (na, dw, no, nz, np). The unit's codes are
kept as published (`-` included), the sheet and row in `source_report_id`. A statement is
keyed by unit, year and `unit_key` = `mf_pit|<series>|<rozdział>`: a file holds all of its
series for its year, so loading it again changes nothing, a changed row replaces the stored
one, and a statement of the series the file no longer has is removed.
"""

import hashlib
from typing import Any, Final

import msgspec
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.models import STATEMENT_SOURCE, BudgetReport
from loaders.errors import SourceProblem
from loaders.mf_pit.place import PlacedRow
from loaders.mf_rb.publish import LINE_COLUMNS
from loaders.run import Counts

PERIOD_TYPE: Final = "Rok"
_REPORT_CONSTANTS: Final[dict[str, Any]] = {
    "kind": "rb27s",
    "unit_type": "JST",
    "regon": "",
    "pt": None,
    "period": 4,
    "version": None,
    "report_date": None,
}
"""An MF statement has no REGON, version or report date: it is MF's account of the unit."""
_EXISTING = """
SELECT id, teryt, unit_key, content_sha256 FROM budget_report
WHERE source = :source AND kind = 'rb27s' AND year = :year AND period = 4
  AND split_part(unit_key, '|', 2) = ANY(:series)
"""
_UPDATE = """
UPDATE budget_report SET unit_name = :unit_name, wk = :wk, pk = :pk, gk = :gk, gt = :gt,
    source_report_id = :source_report_id, content_sha256 = :content_sha256,
    source_file = :source_file, load_run_id = :load_run_id
WHERE id = :id
"""
# Statements that stand beside the unit's own Rb-27S report: the report's figure is the one
# used (aggregates), so a difference is worth a warning.
_AGAINST_OWN = """
SELECT s.teryt, sl.rozdzial, sl.dw AS statement, sum(l.dw) AS report
FROM budget_report s
JOIN budget_report_line sl ON sl.report_id = s.id
JOIN budget_report r ON r.teryt = s.teryt AND r.year = s.year AND r.kind = 'rb27s'
 AND r.period = 4 AND r.unit_type = 'JST' AND r.source <> :source
JOIN budget_report_line l ON l.report_id = r.id AND l.rozdzial = sl.rozdzial
 AND l.paragraf = sl.paragraf
WHERE s.source = :source AND s.year = :year AND s.id = ANY(:ids)
GROUP BY s.teryt, sl.rozdzial, sl.dw
ORDER BY s.teryt, sl.rozdzial
"""


class PublishedStatements(msgspec.Struct, kw_only=True):
    counts: Counts
    warnings: list[SourceProblem]

    @property
    def changed(self) -> bool:
        return self.counts.changed


def unit_key(item: PlacedRow) -> str:
    return f"{STATEMENT_SOURCE}|{item.series}|{item.row.rozdzial}"


def _values(item: PlacedRow, year: int, file: str, run_id: int) -> dict[str, Any]:
    row = item.row
    values: dict[str, Any] = {
        "teryt": item.teryt,
        "unit_key": unit_key(item),
        "unit_name": row.name,
        "wk": row.wk,
        "pk": row.pk,
        "gk": row.gk,
        "gt": row.gt,
        "year": year,
        "period_type": PERIOD_TYPE,
        "source_report_id": f"{row.sheet}!A{row.row}",
        "source": STATEMENT_SOURCE,
        "source_file": file,
        "load_run_id": run_id,
    }
    values["content_sha256"] = _digest(item, values)
    return values


def _digest(item: PlacedRow, values: dict[str, Any]) -> str:
    """Of everything stored but the file name and run: equal digests, an identical re-load."""
    row = item.row
    stored = [values[k] for k in ("unit_name", "wk", "pk", "gk", "gt", "source_report_id")]
    line = [row.dzial, row.rozdzial, row.paragraf, row.p4, sorted(row.amounts.items())]
    return hashlib.sha256(msgspec.json.encode([stored, line])).hexdigest()


def _line(report_id: int, item: PlacedRow) -> tuple[object, ...]:
    row = item.row
    fixed = {
        "report_id": report_id,
        "position": 1,
        "dzial": row.dzial,
        "rozdzial": row.rozdzial,
        "paragraf": row.paragraf,
        "p4": row.p4,
        "grupa": None,
    }
    return tuple(fixed[c] if c in fixed else row.amounts.get(c) for c in LINE_COLUMNS)


async def publish_statements(
    conn: AsyncConnection, *, rows: list[PlacedRow], year: int, file: str, run_id: int
) -> PublishedStatements:
    """Insert new statements, replace changed ones, remove vanished ones; lines by COPY."""
    series = sorted({item.series for item in rows})
    found = await conn.execute(
        text(_EXISTING), {"source": STATEMENT_SOURCE, "year": year, "series": series}
    )
    existing = {(r.teryt, r.unit_key): (r.id, r.content_sha256) for r in found}
    counts = Counts()
    fresh: list[tuple[PlacedRow, dict[str, Any]]] = []
    changed: list[tuple[int, PlacedRow, dict[str, Any]]] = []
    for item in rows:
        values = _values(item, year, file, run_id)
        stored = existing.pop((item.teryt, values["unit_key"]), None)
        if stored is None:
            fresh.append((item, values))
        elif stored[1] == values["content_sha256"]:
            counts.rows_unchanged += 1
        else:
            changed.append((stored[0], item, values))
    lines: list[tuple[object, ...]] = []
    touched: list[int] = []
    if changed:
        ids = [report_id for report_id, _, _ in changed]
        await conn.execute(text(_UPDATE), [{**v, "id": i} for i, _, v in changed])
        await conn.execute(
            text("DELETE FROM budget_report_line WHERE report_id = ANY(:ids)"), {"ids": ids}
        )
        lines += [_line(report_id, item) for report_id, item, _ in changed]
        touched += ids
        counts.rows_updated += len(changed)
    if fresh:
        inserted = await conn.execute(
            insert(BudgetReport).returning(BudgetReport.id, sort_by_parameter_order=True),
            [{**_REPORT_CONSTANTS, **values} for _, values in fresh],
        )
        ids = list(inserted.scalars())
        lines += [_line(report_id, item) for report_id, (item, _) in zip(ids, fresh, strict=True)]
        touched += ids
        counts.rows_inserted += len(fresh)
    if existing:
        vanished = [report_id for report_id, _ in existing.values()]
        await conn.execute(
            text("DELETE FROM budget_report WHERE id = ANY(:ids)"), {"ids": vanished}
        )
        counts.rows_closed += len(vanished)
    if lines:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "budget_report_line", records=lines, columns=LINE_COLUMNS
        )
    warnings = await _against_own_reports(conn, touched, year, file)
    return PublishedStatements(counts=counts, warnings=warnings)


async def _against_own_reports(
    conn: AsyncConnection, ids: list[int], year: int, file: str
) -> list[SourceProblem]:
    if not ids:
        return []
    params = {"source": STATEMENT_SOURCE, "year": year, "ids": ids}
    rows = (await conn.execute(text(_AGAINST_OWN), params)).all()
    warnings = []
    differ = [r for r in rows if r.statement != r.report]
    if rows:
        warnings.append(
            SourceProblem(
                file=file,
                code="inconsistent" if differ else "placement_report",
                message=f"{len(rows):,} unit(s) have an Rb-27S report of their own for {year}: "
                f"its figure is used, not the statement's; {len(differ):,} differ",
            )
        )
    warnings += [
        SourceProblem(
            file=file,
            code="inconsistent",
            message=f"unit {r.teryt}, rozdział {r.rozdzial}: the statement gives {r.statement} "
            f"zł, the unit's own Rb-27S {r.report} zł (the report's figure is used)",
        )
        for r in differ
    ]
    return warnings
