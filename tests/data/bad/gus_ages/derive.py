"""Re-create the broken variants of GUS table 12 in this folder from the DERIVED slice.

Run from the repository root: `python tests/data/bad/gus_ages/derive.py` (after
tests/data/gus_ages/derive.py). Each file is one deliberate breakage of
tests/data/gus_ages/tabela12_slice_derived.xlsx, named for what it breaks; none is published
data. Rows named below are Excel rows of the slice.
"""

import gzip
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SLICE = REPO / "tests" / "data" / "gus_ages" / "tabela12_slice_derived.xlsx"
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


def _edit(name: str, sheet: str, edit: Callable[[Worksheet], None]) -> None:
    book = openpyxl.load_workbook(BytesIO(SLICE.read_bytes()))
    edit(book[sheet])
    book.save(HERE / name)


def _recode(sheet: Worksheet) -> None:
    """Every code of the sheet moved to powiat 99, which voivodeship 10 does not have."""
    for (cell,) in sheet.iter_rows(min_row=9, min_col=2, max_col=2):
        if isinstance(cell.value, int):
            cell.value = int(str(cell.value)[:2] + "99" + str(cell.value)[4:])


def main() -> None:
    raw = SLICE.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(raw[: len(raw) // 3])
    (HERE / "truncated_gzip.xls.gz").write_bytes(gzip.compress(raw, mtime=0)[:5000])
    (HERE / "is_html.xls").write_bytes(HTML)
    # row 6: the header; "Kod" instead of "Identyfikator terytorialny"
    _edit("missing_header.xlsx", "Łódzkie", lambda s: s.cell(row=6, column=2, value="Kod"))
    # row 6 of Dolnośląskie deleted: the sheet has no header at all
    _edit("header_row_removed.xlsx", "Dolnośląskie", lambda s: s.delete_rows(6))
    # row 84: Ciepłowody, age 2, Ogółem
    _edit("non_numeric_count.xlsx", "Dolnośląskie", lambda s: s.cell(84, 3, value="b.d."))
    # row 9: Jelenia Góra's code with an eighth digit
    _edit("bad_code.xlsx", "Dolnośląskie", lambda s: s.cell(row=9, column=2, value="02610111"))
    # row 144: Ciepłowody, "3- 6 lat" one more than ages 3 + 4 + 5 + 6
    _edit("inconsistent_3_6.xlsx", "Dolnośląskie", lambda s: s.cell(144, 3, value=118))
    _edit("unknown_codes.xlsx", "Łódzkie", _recode)


if __name__ == "__main__":
    main()
