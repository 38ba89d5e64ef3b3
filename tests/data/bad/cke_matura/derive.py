"""Re-create the broken variants of the CKE matura workbook in this folder.

Run from the repository root: `python tests/data/bad/cke_matura/derive.py` (after
tests/data/cke/derive.py). Each file is one deliberate breakage of the DERIVED slice
tests/data/cke/EM2023_2023_slice_derived.xlsx, named for what it breaks; none is published
data. Rows and columns below are the slice's (Excel numbering): column F is `Kod teryt gminy`,
N, O and P the whole exam's certificates, takers and pass rate; row 5 is a liceum of 91 takers
and 89 certificates (97.8 %).
"""

import sys
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "cke" / "EM2023_2023_slice_derived.xlsx"


def _rename_sas(sheet: Worksheet) -> None:
    sheet.title = "Wyniki"


def main() -> None:
    copies = BrokenCopies(SLICE, HERE, sheet="SAS")
    copies.truncated(keep=2)
    copies.edit("missing_sheet.xlsx", _rename_sas)
    copies.cell("missing_header.xlsx", 3, 15, "* Liczba zdających")
    copies.cell("non_numeric_count.xlsx", 5, 14, "brak")
    copies.cell("bad_code.xlsx", 4, 6, "X401011")
    copies.cell("certificates_over_takers.xlsx", 5, 14, 95)
    copies.cell("pass_rate_mismatch.xlsx", 5, 16, 70.0)


if __name__ == "__main__":
    main()
