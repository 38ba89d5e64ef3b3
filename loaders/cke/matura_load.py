"""`miarka load cke-matura`: CKE's matura results per school, one formula per file.

Per school (`school_figure`, source `cke_matura`): takers, certificates and the pass rate of
the whole exam, as published, under `matura.f<formula>.*`. Per gmina (observations, source
`cke_matura`): takers and certificates of that formula, so the share with a certificate over
both formulas and any set of gminas is Σ certificates / Σ takers. The two files of a year are
two loads that leave each other's figures alone.
"""

from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from loaders.cke.gminas import SchoolSums
from loaders.cke.matura_layout import FORMULAS, measure
from loaders.cke.matura_parse import MaturaTable, parse_cke_matura
from loaders.cke.model import ExamSchool
from loaders.cke.publish import ExamRead, load_exam
from loaders.observations import VariableDef
from loaders.read_ahead import Read, read_file
from loaders.run import Progress, RunSummary

SOURCE: Final = "cke_matura"
CITATION: Final = (
    "Centralna Komisja Egzaminacyjna, wyniki egzaminu maturalnego w szkołach (pliki "
    "EM<formuła>_<rok>.xlsx, arkusz SAS, blok „dla całego egzaminu dojrzałości”: Otrzymali "
    "świadectwo dojrzałości - liczba, Liczba zdających, którzy przystąpili do wszystkich "
    "egzaminów wymaganych); data/PROVENANCE.md"
)
STATISTICS: Final = ("takers", "certificates")


def variables(formula: int) -> list[VariableDef]:
    names = {
        "takers": "zdający, którzy przystąpili do wszystkich egzaminów wymaganych",
        "certificates": "zdający, którzy otrzymali świadectwo dojrzałości",
    }
    return [
        VariableDef(
            source=SOURCE,
            code=f"f{formula}.{statistic}",
            name=f"Matura w formule {formula}: {names[statistic]} (szkoły położone w jednostce)",
            measure_unit="osoba",
            citation=CITATION,
        )
        for statistic in STATISTICS
    ]


def formula_sums(formula: int) -> SchoolSums:
    """A school's takers and certificates of one formula, as the gmina variables name them."""

    def sums(school: ExamSchool) -> dict[str, float]:
        return {
            f"f{formula}.{statistic}": value
            for statistic in STATISTICS
            if (value := school.figures.get(measure(formula, statistic))) is not None
        }

    return sums


def matura_read(path: Path, year: int | None, formula: int | None) -> Read[MaturaTable]:
    """The workbook's read and check, the heavy part (read ahead by `load_shipped`)."""
    return Read(parse_cke_matura, (path,), {"year": year, "formula": formula})


async def load_cke_matura(
    engine: AsyncEngine,
    path: Path,
    *,
    year: int | None = None,
    formula: int | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Load one matura workbook; `year` and `formula` must agree with its name and headers."""
    if formula is not None and formula not in FORMULAS:
        formulas = ", ".join(map(str, FORMULAS))
        raise ValueError(f"formula {formula}: not one of {formulas}")

    async def read() -> ExamRead:
        parsed = await read_file(matura_read(path, year, formula))
        return parsed.table, variables(parsed.formula), formula_sums(parsed.formula)

    return await load_exam(engine, path, SOURCE, read, progress)
