"""Re-create the broken variants of the school register in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/schools/derive.py` (after
tests/data/schools/derive.py). Each file is one deliberate breakage of
tests/data/schools/schoolsData_boleslawiecki_derived.xlsx, named for what it breaks; none is
published data. Rows named below are Excel rows of the slice (header row 1, empty row 2).
"""

import sys
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "schools" / "schoolsData_boleslawiecki_derived.xlsx"


def _column(sheet: Worksheet, name: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == name)


def _rename_sheet(sheet: Worksheet) -> None:
    sheet.title = "Arkusz1"


def main() -> None:
    copies = BrokenCopies(SLICE, HERE, sheet="Identyfikacja")
    copies.truncated(keep=2)
    copies.edit("missing_sheet.xlsx", _rename_sheet)
    copies.edit("missing_column.xlsx", lambda s: s.delete_cols(_column(s, "Oddziały")))
    # row 5: a school's pupils
    copies.edit(
        "non_numeric_count.xlsx",
        lambda s: s.cell(5, _column(s, "Uczniowie, wychow., słuchacze"), value="b.d."),
    )
    copies.edit(
        "negative_count.xlsx",
        lambda s: s.cell(5, _column(s, "Nauczyciele pełnozatrudnieni"), value=-3),
    )
    # row 4: the gmina part of the location code is not two digits
    copies.edit("bad_code.xlsx", lambda s: s.cell(4, _column(s, "gm"), value="1X"))


if __name__ == "__main__":
    main()
