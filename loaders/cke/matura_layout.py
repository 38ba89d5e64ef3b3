"""The layout of CKE's matura results per school ("EM<formula>_<year>.xlsx", 2023).

Sheet `SAS`: three header rows (kind of exam, block, statistic), `ID OKE` first on the third;
school identification in the first columns, then the block "dla całego egzaminu dojrzałości":
`Otrzymali świadectwo dojrzałości - liczba`, `Liczba zdających, którzy przystąpili do
wszystkich egzaminów wymaganych`, `zdawalność (%)`; then one block per exam, each suffixed
with the formula's mark: "(M)" in the new formula 2023 file, "(E)" in the formula 2015 one.
The exam boards' own rows (`OKRĘGOWA KOMISJA EGZAMINACYJNA ...`, one per type of school,
external candidates) are not schools.
"""

import re
from typing import Final

from loaders.cke.identity import id_headers

COL_RSPO: Final = "RSPO szkoły"
COL_TYPE: Final = "typ placówki"
ID_COLUMNS: Final = (*id_headers(COL_RSPO), COL_TYPE)

WHOLE_EXAM: Final = "dla całego egzaminu dojrzałości"
COL_CERTIFICATES: Final = "Otrzymali świadectwo dojrzałości - liczba"
COL_TAKERS: Final = "Liczba zdających, którzy przystąpili do wszystkich egzaminów wymaganych"
COL_PASS_RATE: Final = "zdawalność (%)"  # noqa: S105 - a header, not a password
WHOLE_EXAM_COLUMNS: Final = {
    COL_CERTIFICATES: "certificates",
    COL_TAKERS: "takers",
    COL_PASS_RATE: "pass_rate",
}
PASS_RATE_TOLERANCE: Final = 0.01
"""Percentage points the published rate may differ from 100 x certificates / takers."""

EXAM_BOARD_PREFIX: Final = "OKRĘGOWA KOMISJA EGZAMINACYJNA"

SCHOOL_TYPES: Final[dict[str, str]] = {
    "liceum": "Liceum ogólnokształcące",
    "technikum": "Technikum",
    "branzowa": "Branżowa szkoła II stopnia",
    "branżowa": "Branżowa szkoła II stopnia",
}
"""`typ placówki` as CKE writes it -> RSPO's type name (the only kinds whose pupils take the
matura; branżowa schools in these files are all named "... II STOPNIA")."""

FORMULA_MARKS: Final[dict[str, int]] = {"(M)": 2023, "(E)": 2015}
FORMULAS: Final = (2023, 2015)
_NAME: Final = re.compile(r"EM(2015|2023)_(\d{4})(?!\d)", re.IGNORECASE)
_MARK: Final = re.compile(r"\((M|E)\)\s*$")


def measure(formula: int, statistic: str) -> str:
    return f"matura.f{formula}.{statistic}"


def measures(formula: int) -> list[str]:
    return [measure(formula, statistic) for statistic in WHOLE_EXAM_COLUMNS.values()]


def name_says(name: str) -> tuple[int | None, int | None]:
    """(formula, year) from a name like `EM2023_2023.xlsx`."""
    found = _NAME.search(name)
    return (int(found.group(1)), int(found.group(2))) if found else (None, None)


def formula_mark(label: str) -> int | None:
    found = _MARK.search(label)
    return FORMULA_MARKS[f"({found.group(1)})"] if found else None
