"""Re-create the broken variants of the CKE matura workbook in this folder.

Run from the repository root: `python tests/data/bad/cke_matura/derive.py` (after
tests/data/cke/derive.py). Each file is one deliberate breakage of the DERIVED slice
tests/data/cke/EM2023_2023_slice_derived.xlsx, named for what it breaks; none is published
data. Rows and columns below are the slice's (Excel numbering): column F is `Kod teryt gminy`,
N, O and P the whole exam's certificates, takers and pass rate; row 5 is a liceum of 91 takers
and 89 certificates (97.8 %).
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
SLICE = REPO / "tests" / "data" / "cke" / "EM2023_2023_slice_derived.xlsx"


def _edit(name: str, edit: Callable[[Workbook], None]) -> None:
    book = openpyxl.load_workbook(BytesIO(SLICE.read_bytes()))
    edit(book)
    book.save(HERE / name)


def _set(row: int, column: int, value: object) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        book["SAS"].cell(row=row, column=column, value=value)

    return edit


def _rename_sas(book: Workbook) -> None:
    book["SAS"].title = "Wyniki"


def main() -> None:
    raw = SLICE.read_bytes()
    (HERE / "truncated.xlsx").write_bytes(raw[: len(raw) // 2])
    _edit("missing_sheet.xlsx", _rename_sas)
    _edit("missing_header.xlsx", _set(3, 15, "* Liczba zdających"))
    _edit("non_numeric_count.xlsx", _set(5, 14, "brak"))
    _edit("bad_code.xlsx", _set(4, 6, "X401011"))
    _edit("certificates_over_takers.xlsx", _set(5, 14, 95))
    _edit("pass_rate_mismatch.xlsx", _set(5, 16, 70.0))


if __name__ == "__main__":
    main()
