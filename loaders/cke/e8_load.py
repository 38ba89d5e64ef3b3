"""`miarka load cke-e8`: one year of CKE's eighth-grade exam results per school.

Per school (`school_figure`, source `cke_e8`): takers, mean, standard deviation and median of
every subject, as published. Per gmina (observations, source `cke_e8`), for each subject:
all takers, the takers of the schools whose mean CKE publishes (from 5 takers on; from 10 in
2021), and the sum of those schools' mean x takers, so that a mean over any set of gminas is
Σ mean·takers / Σ takers with a mean (the mean of its pupils, as CKE's own means are).
"""

from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.cke.e8_layout import SUBJECTS, TAKERS, measure
from loaders.cke.e8_parse import parse_cke_e8
from loaders.cke.model import ExamSchool, ExamTable
from loaders.cke.publish import ExamRead, load_exam
from loaders.observations import VariableDef
from loaders.read_ahead import Read, read_file
from loaders.run import Progress, RunSummary

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
SUMS: Final = (
    (TAKERS_ALL, "zdający w szkołach położonych w jednostce", "osoba"),
    (TAKERS_WITH_MEAN, "zdający w szkołach, dla których CKE podaje wynik średni", "osoba"),
    (MEAN_X_TAKERS, "suma iloczynów wyniku średniego szkoły (%) i liczby zdających", "% · osoba"),
)
"""Each subject's gmina variables: code suffix, what it counts, measure unit."""


def variables() -> list[VariableDef]:
    return [
        VariableDef(
            source=SOURCE,
            code=f"{subject}.{suffix}",
            name=f"Egzamin ósmoklasisty, {name}: {counts}",
            measure_unit=unit,
            citation=CITATION,
        )
        for subject, name in SUBJECT_NAMES.items()
        for suffix, counts, unit in SUMS
    ]


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


def e8_read(path: Path, year: int | None) -> Read[ExamTable]:
    """The workbook's read and check, the heavy part (read ahead by `load_shipped`)."""
    return Read(parse_cke_e8, (path,), {"year": year})


async def load_cke_e8(
    engine: AsyncEngine, path: Path, *, year: int | None = None, progress: Progress | None = None
) -> RunSummary:
    """Load one E8 workbook; `year` (from the manifest) must match the year in its name."""

    async def read() -> ExamRead:
        return await read_file(e8_read(path, year)), variables(), school_sums

    return await load_exam(engine, path, SOURCE, read, progress)
