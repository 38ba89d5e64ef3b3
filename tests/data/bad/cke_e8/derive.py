"""Re-create the broken variants of the CKE eighth-grade exam workbook in this folder.

Run from the repository root: `python tests/data/bad/cke_e8/derive.py` (after
tests/data/cke/derive.py). Each file is one deliberate breakage of the DERIVED slice
tests/data/cke/E8_2023_slice_derived.xlsx, named for what it breaks; none is published data.
Rows and columns below are the slice's (Excel numbering): column F is `Kod teryt gminy`,
R and S are mathematics' `liczba zdających` and `wynik średni (%)`, T and U its deviation and
median; row 45 is a school of 2 takers, without statistics.
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SLICE = REPO / "tests" / "data" / "cke" / "E8_2023_slice_derived.xlsx"
HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"


def _edit(name: str, edit: Callable[[Workbook], None]) -> None:
    book = openpyxl.load_workbook(BytesIO(SLICE.read_bytes()))
    edit(book)
    book.save(HERE / name)


def _set(sheet: str, row: int, column: int, value: object) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        book[sheet].cell(row=row, column=column, value=value)

    return edit


def _rename_sas(book: Workbook) -> None:
    book["SAS"].title = "Arkusz1"


def _drop_legend(book: Workbook) -> None:
    book.remove(book["Legenda"])


def _statistics_for_two(book: Workbook) -> None:
    """Row 45: 2 takers of mathematics given a mean, deviation and median (CKE: from 5 on)."""
    for column, value in ((19, 50.0), (20, 10.0), (21, 50.0)):
        book["SAS"].cell(row=45, column=column, value=value)


def _recode(book: Workbook) -> None:
    """Every code moved to powiat 99, which voivodeship 04 does not have."""
    for (cell,) in book["SAS"].iter_rows(min_row=3, min_col=6, max_col=6):
        cell.value = str(cell.value)[:2] + "99" + str(cell.value)[4:]


def main() -> None:
    raw = SLICE.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(raw[: len(raw) // 3])
    (HERE / "is_html.xlsx").write_bytes(HTML)
    _edit("missing_sheet.xlsx", _rename_sas)
    _edit("no_legend.xlsx", _drop_legend)
    _edit("missing_header.xlsx", _set("SAS", 2, 6, "Kod"))
    _edit("non_numeric_count.xlsx", _set("SAS", 5, 18, "b.d."))
    _edit("bad_code.xlsx", _set("SAS", 4, 6, "04010111"))
    _edit("statistics_below_threshold.xlsx", _statistics_for_two)
    _edit("unknown_codes.xlsx", _recode)


if __name__ == "__main__":
    main()
