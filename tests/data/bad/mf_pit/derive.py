"""Re-create the broken variants of the MF PIT statements in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/mf_pit/derive.py` (after
tests/data/mf_pit/derive.py). Each file is one deliberate breakage of
tests/data/mf_pit/Miasta_NPP_2020_slice_derived.xlsx, named for what it breaks; none is
published data. Rows named below are Excel rows of the slice.
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SLICE = REPO / "tests" / "data" / "mf_pit" / "Miasta_NPP_2020_slice_derived.xlsx"
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


def _edit(name: str, edit: Callable[[Worksheet], None]) -> None:
    book = openpyxl.load_workbook(BytesIO(SLICE.read_bytes()))
    edit(book.worksheets[0])
    book.save(HERE / name)


def main() -> None:
    raw = SLICE.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(raw[: len(raw) // 3])
    (HERE / "is_html.xlsx").write_bytes(HTML)
    # row 5, column I: "ROZDZIAŁ" of the header's second row written otherwise
    _edit("missing_header.xlsx", lambda s: s.cell(row=5, column=9, value="Rozdz."))
    # row 4 deleted: the header's first row (WK, PK, GK, GT, ...) is gone
    _edit("header_row_removed.xlsx", lambda s: s.delete_rows(4))
    # row 10, column L: Legnica's gmina share, Dochody wykonane
    _edit("non_numeric_amount.xlsx", lambda s: s.cell(row=10, column=12, value="b.d."))
    # row 12, column B: Wrocław's PK with a letter
    _edit("bad_code.xlsx", lambda s: s.cell(row=12, column=2, value="6A"))
    # row 14, column B: Wałbrzych moved to powiat 99, which voivodeship 02 does not have
    _edit("unknown_codes.xlsx", lambda s: s.cell(row=14, column=2, value="99"))
    # row 9, column K: Jelenia Góra's powiat share, Należności negative
    _edit("negative_amount.xlsx", lambda s: s.cell(row=9, column=11, value=-21975498))
    # row 16, column M: Bydgoszcz, 5 zł left to pay although należności = dochody wykonane
    _edit("inconsistent_balance.xlsx", lambda s: s.cell(row=16, column=13, value=5))


if __name__ == "__main__":
    main()
