"""`miarka load cke-e8`: one year of CKE's eighth-grade exam results per school.

Per school (`school_figure`, source `cke_e8`): takers, mean, standard deviation and median of
every subject, as published. Per gmina (observations, source `cke_e8`), for each subject:
all takers, the takers of the schools whose mean CKE publishes (from 5 takers on; from 10 in
2021), and the sum of those schools' mean x takers, so that a mean over any set of gminas is
Σ mean·takers / Σ takers with a mean (the mean of its pupils, as CKE's own means are).
"""

import asyncio
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from loaders.cke.e8_layout import SUBJECTS, TAKERS, measure
from loaders.cke.e8_parse import parse_cke_e8
from loaders.cke.model import ExamSchool
from loaders.cke.publish import publish_exam
from loaders.observation_load import recompute_indicators
from loaders.observations import VariableDef
from loaders.run import Counts, Progress, RunSummary, recorded_run

SOURCE: Final = "cke_e8"
CITATION: Final = (
    "Centralna Komisja Egzaminacyjna, „Wyniki egzaminu ósmoklasisty w szkołach” (pliki "
    "E8_<rok>.xlsx, arkusz SAS: Kod teryt gminy, RSPO, liczba zdających, wynik średni (%) "
    "w bloku przedmiotu); sesja główna, arkusze standardowe; data/PROVENANCE.md"
)
SUBJECT_NAMES: Final = {code: name for name, code in SUBJECTS.items()}
TAKERS_ALL: Final = "takers"
TAKERS_WITH_MEAN: Final = "takers_with_mean"
MEAN_X_TAKERS: Final = "mean_x_takers"


def variables() -> list[VariableDef]:
    defs = []
    for subject, name in SUBJECT_NAMES.items():
        prefix = f"Egzamin ósmoklasisty, {name}"
        defs += [
            VariableDef(
                source=SOURCE,
                code=f"{subject}.{TAKERS_ALL}",
                name=f"{prefix}: zdający w szkołach położonych w jednostce",
                measure_unit="osoba",
                citation=CITATION,
            ),
            VariableDef(
                source=SOURCE,
                code=f"{subject}.{TAKERS_WITH_MEAN}",
                name=f"{prefix}: zdający w szkołach, dla których CKE podaje wynik średni",
                measure_unit="osoba",
                citation=CITATION,
            ),
            VariableDef(
                source=SOURCE,
                code=f"{subject}.{MEAN_X_TAKERS}",
                name=f"{prefix}: suma iloczynów wyniku średniego szkoły (%) i liczby zdających",
                measure_unit="% · osoba",
                citation=CITATION,
            ),
        ]
    return defs


def school_sums(school: ExamSchool) -> dict[str, float]:
    """A school's takers of every subject, and mean x takers where CKE gives the mean."""
    sums: dict[str, float] = {}
    for subject in SUBJECT_NAMES:
        takers = school.figures.get(measure(subject, TAKERS))
        if takers is None:
            continue
        sums[f"{subject}.{TAKERS_ALL}"] = takers
        mean = school.figures.get(measure(subject, "mean"))
        if mean is not None:
            sums[f"{subject}.{TAKERS_WITH_MEAN}"] = takers
            sums[f"{subject}.{MEAN_X_TAKERS}"] = mean * takers
    return sums


async def load_cke_e8(
    engine: AsyncEngine, path: Path, *, year: int | None = None, progress: Progress | None = None
) -> RunSummary:
    """Load one E8 workbook; `year` (from the manifest) must match the year in its name."""
    async with recorded_run(engine, SOURCE, path=path, progress=progress) as run:
        run.progress.step("read and validate")
        table = await asyncio.to_thread(parse_cke_e8, path, year=year)

        async def publish(conn: AsyncConnection, _run_id: int) -> Counts:
            return await publish_exam(conn, run, table, variables=variables(), sums=school_sums)

        return await run.publish(
            publish, rows_read=len(table.schools), after_publish=recompute_indicators
        )
