"""From schools to gminas: place each school's code on the register in force, then add up.

Codes of 2021-2025 are placed with `GminaPlacer`: gminas in force directly, town and rural
parts (RODZ 4, 5) rolled up to their urban-rural gmina, a gmina whose RODZ changed since under
its new code with the `code_changed` flag. Every run warns how many schools were placed which
way and lists those it could not place; more than 1 % unplaced refuses the file.

Gmina values are sums over the schools located there (additive, so powiats and voivodeships
are sums of their gminas and every mean above a gmina is a ratio of sums). Each file is the
whole list of schools where the exam was held: a gmina in force that it does not list had no
takers, stored as 0 with the `no_school_in_file` flag, so that powiat sums are complete sums
rather than "partial" ones. (The gminas created in 2025, Szczawa and Grabówka, are such zeros
in every year, 2025 included: CKE lists their schools under the gminas they were split from.)
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from loaders.cke.model import ExamSchool, ExamTable
from loaders.errors import SourceProblem
from loaders.observations import ObservationRecord
from loaders.unit_codes import CODE_CHANGED_FLAG, GminaPlacer, PlacedCode

NO_SCHOOL_FLAG: Final = "no_school_in_file"
SchoolSums = Callable[[ExamSchool], dict[str, float]]
"""One school's contribution to each gmina variable (variable code -> amount)."""


def place_schools(table: ExamTable, placer: GminaPlacer) -> dict[int, PlacedCode]:
    """RSPO -> where the school's code was placed; refuses over 1 % unplaced."""
    placed = {
        school.rspo: placer.place(
            school.code, row=school.row, field=table.code_field, sheet=table.sheet
        )
        for school in table.schools
    }
    placer.refuse_if_too_many_unplaced()
    return placed


def placement_report(table: ExamTable, placer: GminaPlacer) -> list[SourceProblem]:
    """The placement counts (one warning, with any rows set aside), then each unplaced school."""
    counts = ", ".join(f"{how} {n:,}" for how, n in placer.report().items())
    note = f"; {table.skipped_note}" if table.skipped_note else ""
    return [
        SourceProblem(
            file=table.file,
            sheet=table.sheet,
            field=table.code_field,
            code="placement_report",
            message=f"schools placed on the gminas in force: {counts}{note}",
        ),
        *placer.unplaced,
    ]


async def gminas_in_force(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(
        text("SELECT teryt FROM territorial_unit WHERE valid_to IS NULL AND level = 'gmina'")
    )
    return sorted(str(teryt) for (teryt,) in rows)


def gmina_records(
    table: ExamTable,
    placed: dict[int, PlacedCode],
    gminas: list[str],
    variables: list[str],
    sums: SchoolSums,
) -> list[ObservationRecord]:
    """One record per gmina in force and variable: the sum over its schools, or 0 flagged."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(variables, 0.0))
    first_row: dict[str, int] = {}
    changed: set[str] = set()
    for school in table.schools:
        where = placed[school.rspo]
        if where.teryt is None:
            continue
        gmina = totals[where.teryt]
        for variable, amount in sums(school).items():
            gmina[variable] += amount
        first_row.setdefault(where.teryt, school.row)
        if where.flag == CODE_CHANGED_FLAG:
            changed.add(where.teryt)
    records: list[ObservationRecord] = []
    for teryt in sorted(set(gminas) | set(totals)):
        values = totals.get(teryt)
        flag = NO_SCHOOL_FLAG if values is None else None
        if teryt in changed:
            flag = CODE_CHANGED_FLAG
        for variable in variables:
            records.append(
                ObservationRecord(
                    row=first_row.get(teryt),
                    teryt=teryt,
                    variable=variable,
                    year=table.year,
                    value=0.0 if values is None else values[variable],
                    flag=flag,
                )
            )
    return records
