"""Re-create the broken variants of the derived BDL copies in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/bdl_derived/derive.py` (after
tests/data/bdl_derived/derive.py). Each file is one deliberate breakage of
tests/data/bdl_derived/Number of unemployed_slice_derived.xlsx, named for what it breaks; none
is published data. Rows named below are Excel rows of the slice (header = row 1).
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SLICE = REPO / "tests" / "data" / "bdl_derived" / "Number of unemployed_slice_derived.xlsx"
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


def _edit(name: str, edit: Callable[[Worksheet], None]) -> None:
    book = openpyxl.load_workbook(BytesIO(SLICE.read_bytes()))
    edit(book.worksheets[0])
    book.save(HERE / name)


def main() -> None:
    raw = SLICE.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(raw[: len(raw) // 3])
    (HERE / "is_html.xlsx").write_bytes(HTML)
    # row 1, column D: the value column's header written otherwise
    _edit("missing_column.xlsx", lambda s: s.cell(row=1, column=4, value="Unemployed"))
    # row 7, column D: bocheński 2007 as text
    _edit("non_numeric_count.xlsx", lambda s: s.cell(row=7, column=4, value="b.d."))
    # row 9, column A: a code with a letter
    _edit("bad_code.xlsx", lambda s: s.cell(row=9, column=1, value="11212A01000"))
    # row 30, column B: krakowski's code named as another powiat
    _edit(
        "name_of_another_powiat.xlsx", lambda s: s.cell(row=30, column=2, value="Powiat tatrzański")
    )


if __name__ == "__main__":
    main()
