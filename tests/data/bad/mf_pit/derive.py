"""Re-create the broken variants of the MF PIT statements in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/mf_pit/derive.py` (after
tests/data/mf_pit/derive.py). Each file is one deliberate breakage of
tests/data/mf_pit/Miasta_NPP_2020_slice_derived.xlsx, named for what it breaks; none is
published data. Rows named below are Excel rows of the slice.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "mf_pit" / "Miasta_NPP_2020_slice_derived.xlsx"


def main() -> None:
    copies = BrokenCopies(SLICE, HERE)
    copies.truncated()
    copies.html()
    # row 5, column I: "ROZDZIAŁ" of the header's second row written otherwise
    copies.cell("missing_header.xlsx", 5, 9, "Rozdz.")
    # row 4 deleted: the header's first row (WK, PK, GK, GT, ...) is gone
    copies.edit("header_row_removed.xlsx", lambda s: s.delete_rows(4))
    # row 10, column L: Legnica's gmina share, Dochody wykonane
    copies.cell("non_numeric_amount.xlsx", 10, 12, "b.d.")
    # row 12, column B: Wrocław's PK with a letter
    copies.cell("bad_code.xlsx", 12, 2, "6A")
    # row 14, column B: Wałbrzych moved to powiat 99, which voivodeship 02 does not have
    copies.cell("unknown_codes.xlsx", 14, 2, "99")
    # row 9, column K: Jelenia Góra's powiat share, Należności negative
    copies.cell("negative_amount.xlsx", 9, 11, -21975498)
    # row 16, column M: Bydgoszcz, 5 zł left to pay although należności = dochody wykonane
    copies.cell("inconsistent_balance.xlsx", 16, 13, 5)


if __name__ == "__main__":
    main()
