"""`miarka load area`: the GUGiK list of areas into observations (`area_ha`, `area_km2`)."""

from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.area.parse import VARIABLE_HA, VARIABLE_KM2, parse_area_workbook
from loaders.errors import SourceProblem
from loaders.observation_load import ObservationBatch, load_observation_file
from loaders.observations import VariableDef
from loaders.run import Progress, RunSummary

SOURCE: Final = "area"
VARIABLE_SOURCE: Final = "gugik_prg"
CITATION: Final = "GUGiK, Wykaz powierzchni jednostek podziału terytorialnego (PRG)"


def read_area(path: Path, as_of: date | None = None) -> ObservationBatch:
    register = parse_area_workbook(path, as_of)
    variables = [
        VariableDef(
            source=VARIABLE_SOURCE,
            code=VARIABLE_HA,
            name="Powierzchnia [ha]",
            measure_unit="ha",
            citation=CITATION,
        ),
        VariableDef(
            source=VARIABLE_SOURCE,
            code=VARIABLE_KM2,
            name="Powierzchnia [km²] (zaokrąglona z ha)",
            measure_unit="km²",
            citation=CITATION,
        ),
    ]
    skipped = [
        SourceProblem(file=register.file, row=s.row, field="TERYT", message=f"{s.name}: {s.reason}")
        for s in register.skipped
    ]
    return ObservationBatch(
        file=register.file, variables=variables, records=register.records, skipped=skipped
    )


async def load_area(
    engine: AsyncEngine, path: Path, *, as_of: date | None = None, progress: Progress | None = None
) -> RunSummary:
    return await load_observation_file(
        engine, source=SOURCE, path=path, read=lambda: read_area(path, as_of), progress=progress
    )
