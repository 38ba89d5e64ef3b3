"""Re-create the DERIVED slice of the unemployed copy in this folder.

Run from the repository root: `python tests/data/bdl_derived/derive.py`. The slice is the
header and the first 42 rows (powiaty bocheński and krakowski, 2002-2022) of
data/derived/bdl_powiaty_2002_2022/Number of unemployed.xlsx, cells unchanged.
"""

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SOURCE = REPO / "data" / "derived" / "bdl_powiaty_2002_2022" / "Number of unemployed.xlsx"
SLICE = HERE / "Number of unemployed_slice_derived.xlsx"
ROWS = 43  # the header and 42 rows


def main() -> None:
    source = openpyxl.load_workbook(SOURCE, read_only=True).worksheets[0]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = source.title
    for row in source.iter_rows(max_row=ROWS, values_only=True):
        sheet.append(list(row))
    book.save(SLICE)


if __name__ == "__main__":
    main()
