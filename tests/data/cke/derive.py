"""Re-create the DERIVED slices of the shipped CKE workbooks in this folder.

Run from the repository root: `python tests/data/cke/derive.py`. Each slice keeps the sheets,
the header rows and a few real school rows of the published file (values unchanged), so the
broken variants in tests/data/bad/cke_e8/ and bad/cke_matura/ stay small. Not published data.

- `E8_2023_slice_derived.xlsx`: sheet Legenda whole; sheet SAS rows 1-42 (header and the first
  40 schools, powiats aleksandrowski and brodnicki), 305-307 (Mogilno, town and rural part,
  a school of 2 takers without statistics), 5271-5275 (Bircza, a gmina wiejska in 2023,
  miejsko-wiejska since: code_changed; two schools of 3 takers).
- `EM2023_2023_slice_derived.xlsx`: sheet SAS rows 1-33 (header and 30 schools), 48
  (a school without takers of the whole exam), 51 (3 takers, no pass rate), 135-136 (the
  Gdańsk examination board's rows of external candidates).
"""

from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
E8 = REPO / "data" / "cke" / "e8" / "E8_2023.xlsx"
MATURA = REPO / "data" / "cke" / "matura" / "EM2023_2023.xlsx"
E8_ROWS = [*range(1, 43), *range(305, 308), *range(5271, 5276)]
MATURA_ROWS = [*range(1, 34), 48, 51, 135, 136]


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    return {
        str(name): [
            [None if pd.isna(value) else value for value in row]
            for row in frame.itertuples(index=False, name=None)
        ]
        for name, frame in frames.items()
    }


def _write(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _slice(path: Path, rows: list[int]) -> dict[str, list[list[object]]]:
    sheets = _sheets(path)
    sheets["SAS"] = [sheets["SAS"][row - 1] for row in rows]
    return sheets


def main() -> None:
    _write(HERE / "E8_2023_slice_derived.xlsx", _slice(E8, E8_ROWS))
    _write(HERE / "EM2023_2023_slice_derived.xlsx", _slice(MATURA, MATURA_ROWS))


if __name__ == "__main__":
    main()
