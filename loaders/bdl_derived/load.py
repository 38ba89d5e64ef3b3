"""`miarka load bdl-derived`: a third party's copy of a BDL powiat series into observations.

The values passed through someone else's hands (data/PROVENANCE.md), so every one is stored
with the `derived_copy` flag, which the API and web client show beside the value. Each row's
name is checked against the register: a code that names another powiat refuses the file. A
voivodeship suffix that contradicts the code (the unemployment copy labels the two grodziski
powiats the wrong way round, while its values follow the codes: PROVENANCE) is warned about;
a powiat not in force (Wałbrzych's city powiat of 2002) is skipped with a warning.
"""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domains.units.search import fold
from loaders.bdl_derived.parse import (
    CODE_COLUMN,
    DERIVED_FLAG,
    NAME_COLUMN,
    DerivedTable,
    parse_bdl_derived,
)
from loaders.errors import LoadRefused, ProblemCollector, SourceProblem
from loaders.observation_load import recompute_indicators
from loaders.observations import ObservationRecord, VariableDef
from loaders.publish_observations import publish_observations
from loaders.run import Counts, Progress, RunSummary, recorded_run

SOURCE: Final = "bdl_derived"
VARIABLE_SOURCE: Final = "gus_bdl_derived"
MISSING_FLAG: Final = "missing_at_source"
ZERO_FLAG: Final = "zero_at_source"
"""A 0 of a quantity that cannot be 0 (a wage), stored as missing."""
_UNITS = """
SELECT u.teryt, u.name, v.name AS voivodeship FROM territorial_unit u
JOIN territorial_unit v ON v.teryt = left(u.teryt, 2) AND v.valid_to IS NULL
WHERE u.level = 'powiat' AND u.valid_to IS NULL
"""


def _records(
    table: DerivedTable,
    variable: str,
    units: dict[str, tuple[str, str]],
    *,
    zero_as_missing: bool = False,
) -> tuple[list[ObservationRecord], list[SourceProblem]]:
    """Records of the powiats in force, and warnings; refuses a code naming another powiat."""
    problems = ProblemCollector(table.file)
    warnings: dict[tuple[str, str], SourceProblem] = {}
    records: list[ObservationRecord] = []
    for row in table.rows:
        unit = units.get(row.teryt)
        if unit is None:
            warnings.setdefault((row.teryt, "absent"), SourceProblem(
                file=table.file, row=row.row, field=CODE_COLUMN, code="unknown_unit",
                message=f"{row.teryt} ({row.name}) is no powiat in force: its rows are skipped",
            ))  # fmt: skip
            continue
        name, voivodeship = unit
        if fold(row.name) != fold(name):
            problems.add(
                f"code {row.teryt} is powiat {name!r} in the register, the row says {row.name!r}",
                row=row.row, field=NAME_COLUMN, code="inconsistent",
            )  # fmt: skip
            continue
        if row.region is not None and fold(row.region) != fold(voivodeship):
            warnings.setdefault((row.teryt, "region"), SourceProblem(
                file=table.file, row=row.row, field=NAME_COLUMN, code="inconsistent",
                message=f"code {row.teryt} is in {voivodeship}, the name says {row.region}: "
                "stored under the code",
            ))  # fmt: skip
        if row.value is not None and row.value < 0:
            problems.add(f"negative value {row.value}", row=row.row, field=table.value_column,
                         code="negative_count")  # fmt: skip
            continue
        value, flag = row.value, DERIVED_FLAG
        if value is None:
            flag = f"{MISSING_FLAG};{DERIVED_FLAG}"
        elif value == 0 and zero_as_missing:
            value, flag = None, f"{ZERO_FLAG};{DERIVED_FLAG}"
            warnings[row.teryt, f"zero{row.year}"] = SourceProblem(
                file=table.file, row=row.row, field=table.value_column, code="out_of_range",
                message=f"{name} ({row.teryt}) {row.year}: 0, which this quantity cannot be; "
                "stored as missing (zero_at_source)",
            )  # fmt: skip
        records.append(ObservationRecord(
            row=row.row, teryt=row.teryt, variable=variable, year=row.year, value=value,
            flag=flag,
        ))  # fmt: skip
        if problems.full:
            break
    problems.raise_if_any()
    return records, list(warnings.values())


async def load_bdl_derived(
    engine: AsyncEngine,
    path: Path,
    *,
    value_column: str,
    variable: str,
    measure_unit: str,
    additive: bool,
    description: str,
    zero_as_missing: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Load the `value_column` of the file as Miarka variable `variable` (powiats only);
    `zero_as_missing` for a quantity that cannot be 0 (see ZERO_FLAG)."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        table = await asyncio.to_thread(parse_bdl_derived, path, value_column=value_column)
        definition = VariableDef(
            source=VARIABLE_SOURCE,
            code=variable,
            name=f"{value_column} (kopia pochodna BDL: {path.name})",
            measure_unit=measure_unit,
            additive=additive,
            citation=f"GUS BDL, kopia pochodna (przekształcona przez osobę trzecią): {description}",
        )

        async def publish(conn: AsyncConnection, run_id: int) -> Counts:
            rows = await conn.execute(text(_UNITS))
            units = {teryt: (name, voivodeship) for teryt, name, voivodeship in rows}
            records, warnings = _records(table, variable, units, zero_as_missing=zero_as_missing)
            for warning in warnings:
                run.warn(warning)
            run.rows_skipped = len(table.rows) - len(records)
            if not records:
                raise LoadRefused.one(table.file, "no row names a powiat in force", row=2)
            return await publish_observations(
                conn, run_id=run_id, variables=[definition], records=records, file=table.file
            )

        return await run.publish(
            publish, rows_read=len(table.rows), after_publish=recompute_indicators
        )
