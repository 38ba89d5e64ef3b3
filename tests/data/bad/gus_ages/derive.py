"""Re-create the broken variants of GUS table 12 in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/gus_ages/derive.py` (after
tests/data/gus_ages/derive.py). Each file is one deliberate breakage of
tests/data/gus_ages/tabela12_slice_derived.xlsx, named for what it breaks; none is published
data. Rows named below are Excel rows of the slice.
"""

import gzip
import sys
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "gus_ages" / "tabela12_slice_derived.xlsx"


def _recode(sheet: Worksheet) -> None:
    """Every code of the sheet moved to powiat 99, which voivodeship 10 does not have."""
    for (cell,) in sheet.iter_rows(min_row=9, min_col=2, max_col=2):
        if isinstance(cell.value, int):
            cell.value = int(str(cell.value)[:2] + "99" + str(cell.value)[4:])


def main() -> None:
    copies = BrokenCopies(SLICE, HERE, sheet="Dolnośląskie")
    copies.truncated()
    (HERE / "truncated_gzip.xls.gz").write_bytes(gzip.compress(SLICE.read_bytes(), mtime=0)[:5000])
    copies.html("is_html.xls")
    # row 6: the header; "Kod" instead of "Identyfikator terytorialny"
    copies.cell("missing_header.xlsx", 6, 2, "Kod", sheet="Łódzkie")
    # row 6 of Dolnośląskie deleted: the sheet has no header at all
    copies.edit("header_row_removed.xlsx", lambda s: s.delete_rows(6))
    # row 84: Ciepłowody, age 2, Ogółem
    copies.cell("non_numeric_count.xlsx", 84, 3, "b.d.")
    # row 9: Jelenia Góra's code with an eighth digit
    copies.cell("bad_code.xlsx", 9, 2, "02610111")
    # row 144: Ciepłowody, "3- 6 lat" one more than ages 3 + 4 + 5 + 6
    copies.cell("inconsistent_3_6.xlsx", 144, 3, 118)
    copies.edit("unknown_codes.xlsx", _recode, sheet="Łódzkie")


if __name__ == "__main__":
    main()
