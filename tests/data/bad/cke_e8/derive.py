"""Re-create the broken variants of the CKE eighth-grade exam workbook in this folder.

Run from the repository root: `python tests/data/bad/cke_e8/derive.py` (after
tests/data/cke/derive.py). Each file is one deliberate breakage of the DERIVED slice
tests/data/cke/E8_2023_slice_derived.xlsx, named for what it breaks; none is published data.
Rows and columns below are the slice's (Excel numbering): column F is `Kod teryt gminy`,
R and S are mathematics' `liczba zdających` and `wynik średni (%)`, T and U its deviation and
median; row 45 is a school of 2 takers, without statistics.
"""

import sys
from pathlib import Path

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "cke" / "E8_2023_slice_derived.xlsx"


def _rename_sas(sheet: Worksheet) -> None:
    sheet.title = "Arkusz1"


def _drop_legend(book: Workbook) -> None:
    book.remove(book["Legenda"])


def _statistics_for_two(sheet: Worksheet) -> None:
    """Row 45: 2 takers of mathematics given a mean, deviation and median (CKE: from 5 on)."""
    for column, value in ((19, 50.0), (20, 10.0), (21, 50.0)):
        sheet.cell(row=45, column=column, value=value)


def _recode(sheet: Worksheet) -> None:
    """Every code moved to powiat 99, which voivodeship 04 does not have."""
    for (cell,) in sheet.iter_rows(min_row=3, min_col=6, max_col=6):
        cell.value = str(cell.value)[:2] + "99" + str(cell.value)[4:]


def main() -> None:
    copies = BrokenCopies(SLICE, HERE, sheet="SAS")
    copies.truncated()
    copies.html()
    copies.edit("missing_sheet.xlsx", _rename_sas)
    copies.book("no_legend.xlsx", _drop_legend)
    copies.cell("missing_header.xlsx", 2, 6, "Kod")
    copies.cell("non_numeric_count.xlsx", 5, 18, "b.d.")
    copies.cell("bad_code.xlsx", 4, 6, "04010111")
    copies.edit("statistics_below_threshold.xlsx", _statistics_for_two)
    copies.edit("unknown_codes.xlsx", _recode)


if __name__ == "__main__":
    main()
