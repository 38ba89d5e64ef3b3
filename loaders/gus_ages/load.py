"""`miarka load gus-ages`: GUS table 12 (persons by single year of age) into observations.

Codes of the 2020 division are placed on the register in force with `GminaPlacer`: a gmina
in force is stored under its code; a gmina whose RODZ digit changed since (76 gminas became
miejsko-wiejskie by 2025) under its new code with the `code_changed` flag. The file has no
town or rural parts (RODZ 4, 5), but it has Warsaw's dzielnice and the delegatury of Łódź,
Poznań and Wrocław (RODZ 8, 9) beside their cities' own rows: those are stored as units of
their own (level `gmina_part`) when the register has them, never rolled up into the city,
which would count them twice. The file has no powiat or voivodeship rows: their values are
sums of their gminas (`sum_of_gmina`), which take only level `gmina` children.

Every run warns how many units were placed which way and lists any it could not place; more
than 1 % unplaced refuses the file.
"""

import asyncio
from pathlib import Path
from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.errors import SourceProblem, refuse_other_year
from loaders.gus_ages.layout import VARIABLE_NAMES
from loaders.gus_ages.parse import COL_CODE, AgesTable, UnitAges, parse_gus_ages
from loaders.observation_load import recompute_indicators
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import Counts, Progress, RunSummary, recorded_run
from loaders.unit_codes import GminaPlacer

SOURCE: Final = "gus_ages"
VARIABLE_SOURCE: Final = "gus_ages"
MISSING_FLAG: Final = "missing_at_source"
CITATION: Final = (
    "GUS, „Ludność. Stan i struktura ludności oraz ruch naturalny w przekroju terytorialnym”, "
    "tabl. 12 „Ludność w gminach według płci i wieku” (stan 30 VI), kolumna Ogółem; "
    "data/PROVENANCE.md"
)
_PART_RODZ: Final = frozenset("4589")
_SHOWN_ABSENT: Final = 12


def variables() -> list[VariableDef]:
    return [
        VariableDef(
            source=VARIABLE_SOURCE,
            code=code,
            name=name,
            measure_unit="osoba",
            additive=True,
            citation=CITATION,
        )
        for code, name in VARIABLE_NAMES.items()
    ]


class Placed(msgspec.Struct, frozen=True, kw_only=True):
    records: list[ObservationRecord]
    warnings: list[SourceProblem]
    skipped_units: int


def place_units(table: AgesTable, placer: GminaPlacer, in_force: dict[str, str]) -> Placed:
    """Records under codes in force; a warning with the placement counts, and one per unit
    not stored. `in_force`: code -> level of every unit in force."""
    records: list[ObservationRecord] = []
    warnings: list[SourceProblem] = []
    own_parts = skipped = 0
    stored: set[str] = set()
    for unit in table.units:
        if unit.code[6] in _PART_RODZ:
            if in_force.get(unit.code) != "gmina_part":
                skipped += 1
                warnings.append(_not_stored(table.file, unit))
                continue
            own_parts += 1
            teryt, flag = unit.code, None
        else:
            placed = placer.place(unit.code, row=unit.row, field=COL_CODE, sheet=unit.sheet)
            if placed.teryt is None:
                skipped += 1
                continue
            teryt, flag = placed.teryt, placed.flag
        stored.add(teryt)
        records.extend(_records(table.year, unit, teryt, flag))
    placer.refuse_if_too_many_unplaced()
    warnings[:0] = [
        _report(table.file, placer, own_parts, skipped),
        *_absent(table.file, in_force, stored),
        *placer.unplaced,
    ]
    return Placed(records=records, warnings=warnings, skipped_units=skipped)


def _records(year: int, unit: UnitAges, teryt: str, flag: str | None) -> list[ObservationRecord]:
    return [
        ObservationRecord(
            row=unit.rows[variable],
            teryt=teryt,
            variable=variable,
            year=year,
            value=None if value is None else float(value),
            flag=_flags(flag, MISSING_FLAG if value is None else None),
        )
        for variable, value in unit.values.items()
    ]


def _flags(*flags: str | None) -> str | None:
    present = [flag for flag in flags if flag]
    return ";".join(present) if present else None


def _report(file: str, placer: GminaPlacer, own_parts: int, skipped: int) -> SourceProblem:
    counts = ", ".join(f"{how} {n:,}" for how, n in placer.report().items())
    return SourceProblem(
        file=file,
        field=COL_CODE,
        code="placement_report",
        message=f"units placed on the register in force: {counts}; dzielnice and delegatury "
        f"stored as units of their own {own_parts:,}; units not stored {skipped:,}",
    )


def _not_stored(file: str, unit: UnitAges) -> SourceProblem:
    return SourceProblem(
        file=file,
        sheet=unit.sheet,
        row=unit.row,
        field=COL_CODE,
        code="unknown_unit",
        message=f"{unit.name} ({unit.code}) is not a part of a gmina in the register in force; "
        "not stored (its city has its own row, so nothing is lost)",
    )


def _absent(file: str, in_force: dict[str, str], stored: set[str]) -> list[SourceProblem]:
    """Gminas in force the file has no row for (created since 2020, or a sheet missing)."""
    absent = sorted(
        code for code, level in in_force.items() if level == "gmina" and code not in stored
    )
    if not absent:
        return []
    shown = ", ".join(absent[:_SHOWN_ABSENT]) + (" ..." if len(absent) > _SHOWN_ABSENT else "")
    return [
        SourceProblem(
            file=file,
            field=COL_CODE,
            code="unknown_unit",
            message=f"{len(absent):,} gmina(s) in force have no row in the file and get no "
            f"values: {shown}",
        )
    ]


async def load_gus_ages(
    engine: AsyncEngine, path: Path, *, year: int | None = None, progress: Progress | None = None
) -> RunSummary:
    """Load table 12; `year` (from the manifest) must match the year in the sheets' titles."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        table = await asyncio.to_thread(parse_gus_ages, path)
        refuse_other_year(table.file, table.year, year, says="the titles say", row=1)

        async def publish(conn: AsyncConnection, run_id: int) -> Counts:
            placer = await GminaPlacer.from_db(conn, table.file)
            placed = place_units(table, placer, await _levels_in_force(conn))
            for warning in placed.warnings:
                run.warn(warning)
            run.rows_skipped = placed.skipped_units
            return await publish_observations(
                conn,
                run_id=run_id,
                variables=variables(),
                records=placed.records,
                file=table.file,
            )

        rows = len(table.units) * len(VARIABLE_NAMES)
        return await run.publish(publish, rows_read=rows, after_publish=recompute_indicators)


async def _levels_in_force(conn: AsyncConnection) -> dict[str, str]:
    rows = await conn.execute(
        text("SELECT teryt, level FROM territorial_unit WHERE valid_to IS NULL")
    )
    return {str(teryt): str(level) for teryt, level in rows}
