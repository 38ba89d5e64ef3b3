"""`miarka load bdl-export`: a BDL web export (CTAB/CREL CSV) into observations."""

from collections.abc import Collection
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.bdl.export_csv import parse_bdl_export
from loaders.errors import SourceProblem
from loaders.observation_load import ObservationBatch, load_observation_file
from loaders.observations import VariableDef
from loaders.run import Progress, RunSummary
from loaders.source_text import read_source_text

SOURCE: Final = "bdl_export"
VARIABLE_SOURCE: Final = "gus_bdl_export"
"""Exports carry no API variable ids, so their columns get Miarka codes (data/manifest.toml)."""


def read_bdl_export(
    path: Path,
    *,
    table: str,
    columns: dict[str, str],
    measure_unit: str,
    year: int | None,
    multiplier: float = 1.0,
    negative_as_missing: Collection[str] = (),
    additive: bool = True,
    zero_as_missing: bool = False,
) -> ObservationBatch:
    """`additive=False` for rates and shares: they are never summed into higher levels."""
    data = parse_bdl_export(
        read_source_text(path),
        columns=columns,
        year=year,
        multiplier=multiplier,
        negative_as_missing=negative_as_missing,
        zero_as_missing=zero_as_missing,
    )
    variables = {
        column.variable: VariableDef(
            source=VARIABLE_SOURCE,
            code=column.variable,
            name=f"{table}: {column.header}",
            measure_unit=measure_unit,
            additive=additive,
            citation=f"GUS BDL, eksport tablicy {table} ({path.name})",
        )
        for column in data.columns
    }
    skipped = [
        SourceProblem(file=data.file, row=row, field="Kod", message=words)
        for row, words in data.skipped
    ]
    return ObservationBatch(
        file=data.file, variables=list(variables.values()), records=data.records, skipped=skipped
    )


async def load_bdl_export(
    engine: AsyncEngine,
    path: Path,
    *,
    table: str,
    columns: dict[str, str],
    measure_unit: str,
    year: int | None,
    multiplier: float = 1.0,
    negative_as_missing: Collection[str] = (),
    additive: bool = True,
    zero_as_missing: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    return await load_observation_file(
        engine,
        source=SOURCE,
        path=path,
        read=lambda: read_bdl_export(
            path,
            table=table,
            columns=columns,
            measure_unit=measure_unit,
            year=year,
            multiplier=multiplier,
            negative_as_missing=negative_as_missing,
            additive=additive,
            zero_as_missing=zero_as_missing,
        ),
        progress=progress,
    )
