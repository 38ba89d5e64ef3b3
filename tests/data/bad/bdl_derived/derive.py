"""Re-create the broken variants of the derived BDL copies in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/bdl_derived/derive.py` (after
tests/data/bdl_derived/derive.py). Each file is one deliberate breakage of
tests/data/bdl_derived/Number of unemployed_slice_derived.xlsx, named for what it breaks; none
is published data. Rows named below are Excel rows of the slice (header = row 1).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(HERE.parent))
from broken_copies import BrokenCopies  # noqa: E402 - a script: its folder's parent on sys.path

SLICE = REPO / "tests" / "data" / "bdl_derived" / "Number of unemployed_slice_derived.xlsx"


def main() -> None:
    copies = BrokenCopies(SLICE, HERE)
    copies.truncated()
    copies.html()
    # row 1, column D: the value column's header written otherwise
    copies.cell("missing_column.xlsx", 1, 4, "Unemployed")
    # row 7, column D: bocheński 2007 as text
    copies.cell("non_numeric_count.xlsx", 7, 4, "b.d.")
    # row 9, column A: a code with a letter
    copies.cell("bad_code.xlsx", 9, 1, "11212A01000")
    # row 30, column B: krakowski's code named as another powiat
    copies.cell("name_of_another_powiat.xlsx", 30, 2, "Powiat tatrzański")


if __name__ == "__main__":
    main()
