"""`miarka load bdl-export`: a BDL web export (CTAB/CREL CSV) into observations."""

from collections.abc import Collection
from pathlib import Path
from typing import Final, Required, TypedDict, Unpack

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


class ExportOptions(TypedDict, total=False):
    """How to read one export: its table, `columns` (header -> Miarka variable), the unit."""

    table: Required[str]
    columns: Required[dict[str, str]]
    measure_unit: Required[str]
    year: Required[int | None]
    multiplier: float
    negative_as_missing: Collection[str]
    additive: bool
    """False for rates and shares: they are never summed into higher levels."""
    zero_as_missing: bool


def read_bdl_export(path: Path, **options: Unpack[ExportOptions]) -> ObservationBatch:
    table, measure_unit = options["table"], options["measure_unit"]
    data = parse_bdl_export(
        read_source_text(path),
        columns=options["columns"],
        year=options["year"],
        multiplier=options.get("multiplier", 1.0),
        negative_as_missing=options.get("negative_as_missing", ()),
        zero_as_missing=options.get("zero_as_missing", False),
    )
    variables = {
        column.variable: VariableDef(
            source=VARIABLE_SOURCE,
            code=column.variable,
            name=f"{table}: {column.header}",
            measure_unit=measure_unit,
            additive=options.get("additive", True),
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
    progress: Progress | None = None,
    **options: Unpack[ExportOptions],
) -> RunSummary:
    return await load_observation_file(
        engine,
        source=SOURCE,
        path=path,
        read=lambda: read_bdl_export(path, **options),
        progress=progress,
    )
