"""Read a long table a third party made from BDL powiat series: `Code, County, Year, <value>`.

Not BDL's own layout (data/PROVENANCE.md, derived/): one header row, one row per powiat and
year, BDL's `-` for a missing value kept. Codes come in two styles, both with the leading zero
lost: the 12-digit BDL unit id (`11212161000` -> `011212161000`: voivodeship in digits 3-4,
powiat in 8-9 -> TERC 1261) or `WWPP000` (`201000` -> 0201). Names repeated in two
voivodeships carry the voivodeship after an underscore (`Powiat bielski_Slaskie`).
"""

import re
from pathlib import Path
from typing import Final

import msgspec
import pandas as pd

from loaders.errors import LoadRefused, ProblemCollector

CODE_COLUMN: Final = "Code"
NAME_COLUMN: Final = "County"
YEAR_COLUMN: Final = "Year"
MISSING: Final = frozenset({"-", ""})
DERIVED_FLAG: Final = "derived_copy"
_BDL_ID: Final = re.compile(r"^\d{11,12}$")
_WWPP000: Final = re.compile(r"^\d{6,7}$")
_YEAR: Final = re.compile(r"^(19[5-9]\d|20\d\d)$")
_NUMBER: Final = re.compile(r"^-?\d+(\.\d+)?$")
# "Powiat m. Wałbrzych od 2013": the years a city powiat existed are not part of its name.
_NAME: Final = re.compile(
    r"^Powiat\s+(?:m\.\s*(?:st\.\s*)?)?(?P<name>[^_]+?)(?:\s+(?:od|do)\s+\d{4})?\s*"
    r"(?:_(?P<region>\S+))?$"
)


class DerivedRow(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    teryt: str
    name: str
    """The powiat's name without "Powiat" / "Powiat m." and the voivodeship suffix."""
    region: str | None
    """The voivodeship suffix of a name two voivodeships share (`Slaskie`), else None."""
    year: int
    value: float | None


class DerivedTable(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    value_column: str
    rows: list[DerivedRow]


def powiat_code(raw: str) -> str | None:
    """TERC of a powiat from either code style; None for anything else."""
    if _BDL_ID.match(raw):
        padded = raw.zfill(12)
        return padded[2:4] + padded[7:9]
    if _WWPP000.match(raw):
        padded = raw.zfill(7)
        return padded[:4] if padded.endswith("000") else None
    return None


def parse_bdl_derived(path: Path, *, value_column: str) -> DerivedTable:
    try:
        frame = pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
    except Exception as exc:
        raise LoadRefused.one(path.name, f"not a readable workbook: {exc}",
                              code="unreadable_file") from exc  # fmt: skip
    header = [str(column).strip() for column in frame.columns]
    for column in (CODE_COLUMN, NAME_COLUMN, YEAR_COLUMN, value_column):
        if column not in header:
            raise LoadRefused.one(
                path.name, f"column missing (header has: {', '.join(header)})", row=1,
                field=column, code="missing_column",
            )  # fmt: skip
    frame.columns = header
    problems = ProblemCollector(path.name)
    rows: list[DerivedRow] = []
    for offset, (code, name, year, value) in enumerate(
        frame[[CODE_COLUMN, NAME_COLUMN, YEAR_COLUMN, value_column]].itertuples(index=False)
    ):
        row = offset + 2  # the header is row 1
        teryt = powiat_code(str(code).strip())
        named = _NAME.match(str(name).strip())
        raw_value = str(value).strip()
        if teryt is None:
            problems.add(f"not a powiat code: {code!r}", row=row, field=CODE_COLUMN,
                         code="bad_code")  # fmt: skip
        elif named is None:
            problems.add(f"not a powiat name: {name!r}", row=row, field=NAME_COLUMN,
                         code="invalid_value")  # fmt: skip
        elif not _YEAR.match(str(year).strip()):
            problems.add(f"not a year: {year!r}", row=row, field=YEAR_COLUMN,
                         code="out_of_range")  # fmt: skip
        elif raw_value not in MISSING and not _NUMBER.match(raw_value):
            problems.add(f"not a number: {value!r}", row=row, field=value_column,
                         code="not_a_number")  # fmt: skip
        else:
            rows.append(
                DerivedRow(
                    row=row, teryt=teryt, name=named["name"], region=named["region"],
                    year=int(str(year).strip()),
                    value=None if raw_value in MISSING else float(raw_value),
                )
            )  # fmt: skip
        if problems.full:
            break
    problems.raise_if_any()
    if not rows:
        raise LoadRefused.one(path.name, "the file holds no values", row=2)
    return DerivedTable(file=path.name, value_column=value_column, rows=rows)
