"""Store budget reports in the caller's transaction: upsert by unit and period, lines by COPY.

A report is identified by kind, TERC, unit key (REGON and name), year and period. Loading an
identical report again changes nothing (same content digest); a different one replaces the
stored report and all its lines; an older version (a lower `Wersja`) than the stored one is not
applied and is listed in the warnings. Every unit must be a unit of the TERYT register in
force, or the whole batch is refused naming the unit's element and codes.
"""

from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domains.costs.models import BudgetReport
from loaders.errors import LoadRefused, SourceProblem
from loaders.mf_rb.records import AMOUNTS, BudgetReportRecord, ReportBatch
from loaders.publish_observations import units_in_force
from loaders.run import Counts

__all__ = ["LINE_COLUMNS", "PublishedReports", "publish_reports"]

LINE_COLUMNS = [
    "report_id",
    "position",
    "dzial",
    "rozdzial",
    "paragraf",
    "p4",
    "grupa",
    *sorted({column for columns in AMOUNTS.values() for column in columns}),
]
_EXISTING = """
SELECT r.id, r.kind, r.teryt, r.unit_key, r.year, r.period_type, r.period, r.version,
       r.content_sha256
FROM budget_report r
JOIN unnest(CAST(:kinds AS text[]), CAST(:teryts AS text[]), CAST(:keys AS text[]),
            CAST(:years AS int[]), CAST(:period_types AS text[]), CAST(:periods AS int[]))
     AS k(kind, teryt, unit_key, year, period_type, period)
  ON r.kind = k.kind AND r.teryt = k.teryt AND r.unit_key = k.unit_key AND r.year = k.year
 AND r.period_type = k.period_type AND r.period = k.period
"""


class PublishedReports:
    """What a publish did: counts of report lines and the years whose Q4 reports changed."""

    def __init__(self) -> None:
        self.counts = Counts()
        self.changed_years: set[int] = set()
        self.warnings: list[SourceProblem] = []


def unit_element(report: BudgetReportRecord) -> str:
    """The element of the unit's codes: `Jednostka[3]` for a package, the URL for the API."""
    return report.element.split("/Sprawozdania", 1)[0]


async def _check_units(conn: AsyncConnection, batch: ReportBatch) -> None:
    known = await units_in_force(conn)
    if not known:
        raise LoadRefused.one(
            batch.file,
            "no territorial units loaded yet: run `miarka load teryt`",
            code="unknown_unit",
        )
    problems: dict[str, SourceProblem] = {}
    for report in batch.reports:
        unit = report.unit
        if unit.teryt in known:
            continue
        where = unit_element(report)
        problems.setdefault(
            where,
            SourceProblem(
                file=batch.file,
                field=f"{where}/WK+PK+GK+GT" if report.source == "xml" else "jednostka",
                message=(
                    f"unit {unit.name!r} (WK {unit.wk}, PK {unit.pk}, GK {unit.gk}, GT {unit.gt})"
                    f" maps to TERC {unit.teryt}, which is not in the TERYT register in force"
                ),
                code="unknown_unit",
            ),
        )
    if problems:
        raise LoadRefused(list(problems.values()))


def _report_values(report: BudgetReportRecord, run_id: int) -> dict[str, Any]:
    unit = report.unit
    return {
        "kind": report.kind,
        "teryt": unit.teryt,
        "unit_type": unit.unit_type,
        "unit_key": unit.key,
        "regon": unit.regon,
        "unit_name": unit.name,
        "wk": unit.wk,
        "pk": unit.pk,
        "gk": unit.gk,
        "gt": unit.gt,
        "pt": unit.pt,
        "year": report.year,
        "period_type": report.period_type,
        "period": report.period,
        "version": report.version,
        "report_date": report.report_date,
        "source_report_id": report.source_report_id,
        "content_sha256": report.digest(),
        "source": report.source,
        "source_file": report.source_file,
        "load_run_id": run_id,
    }


def _line_records(report_id: int, report: BudgetReportRecord) -> list[tuple[object, ...]]:
    amount_columns = LINE_COLUMNS[7:]
    return [
        (
            report_id,
            line.position,
            line.dzial,
            line.rozdzial,
            line.paragraf,
            line.p4,
            line.grupa,
            *(line.amounts.get(column) for column in amount_columns),
        )
        for line in report.lines
    ]


async def _existing(
    conn: AsyncConnection, reports: list[BudgetReportRecord]
) -> dict[tuple[str, str, str, int, str, int], tuple[int, int | None, str]]:
    params = {
        "kinds": [r.kind for r in reports],
        "teryts": [r.unit.teryt for r in reports],
        "keys": [r.unit.key for r in reports],
        "years": [r.year for r in reports],
        "period_types": [r.period_type for r in reports],
        "periods": [r.period for r in reports],
    }
    rows = await conn.execute(text(_EXISTING), params)
    return {
        (row.kind, row.teryt, row.unit_key, row.year, row.period_type, row.period): (
            row.id,
            row.version,
            row.content_sha256,
        )
        for row in rows
    }


async def publish_reports(
    conn: AsyncConnection, batch: ReportBatch, run_id: int
) -> PublishedReports:
    """Insert new reports, replace changed ones, keep identical ones; lines go in by COPY."""
    await _check_units(conn, batch)
    result = PublishedReports()
    existing = await _existing(conn, batch.reports)
    fresh: list[BudgetReportRecord] = []
    replaced: list[tuple[int, BudgetReportRecord]] = []
    for report in batch.reports:
        found = existing.get(report.key)
        if found is None:
            fresh.append(report)
            continue
        report_id, stored_version, stored_digest = found
        if stored_digest == report.digest():
            result.counts.rows_unchanged += len(report.lines)
        elif (stored_version or 0) > (report.version or 0):
            result.counts.rows_unchanged += len(report.lines)
            result.warnings.append(
                SourceProblem(
                    file=batch.file,
                    field=report.element,
                    message=f"version {report.version} is older than the stored version "
                    f"{stored_version}; the stored report is kept",
                )
            )
        else:
            replaced.append((report_id, report))
    records: list[tuple[object, ...]] = []
    if replaced:
        ids = [report_id for report_id, _ in replaced]
        await conn.execute(
            text("DELETE FROM budget_report_line WHERE report_id = ANY(:ids)"), {"ids": ids}
        )
        for report_id, report in replaced:
            await conn.execute(
                update(BudgetReport)
                .where(BudgetReport.id == report_id)
                .values(**_report_values(report, run_id))
            )
            records.extend(_line_records(report_id, report))
            result.counts.rows_updated += len(report.lines)
    if fresh:
        rows = await conn.execute(
            insert(BudgetReport).returning(BudgetReport.id, sort_by_parameter_order=True),
            [_report_values(report, run_id) for report in fresh],
        )
        for report_id, report in zip(rows.scalars(), fresh, strict=True):
            records.extend(_line_records(report_id, report))
            result.counts.rows_inserted += len(report.lines)
    if records:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            "budget_report_line", records=records, columns=LINE_COLUMNS
        )
    result.changed_years = {r.year for _, r in replaced if r.period == 4} | {  # noqa: PLR2004
        r.year
        for r in fresh
        if r.period == 4  # noqa: PLR2004
    }
    return result
