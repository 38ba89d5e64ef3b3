"""Re-create `tabela12_slice_derived.xlsx`: a DERIVED slice of the shipped GUS table 12.

Run from the repository root: `python tests/data/gus_ages/derive.py`. The slice keeps, cell
for cell, the title and header rows of two sheets of data/gus/ludnosc_wiek_2020/tabela12.xls.gz
and the whole blocks of ten units; only the layout is changed (blocks are taken out of their
sheets and written one after another, as .xlsx because pandas and openpyxl cannot write .xls).
No figure is edited. The broken variants (tests/data/bad/gus_ages/) are derived from it.

- Dolnośląskie: Jelenia Góra 0261011 (codes are text in this sheet), Ciepłowody 0224022
  (gmina wiejska; its open age group is "80 i więcej").
- Łódzkie: Łódź 1061011 with its five delegatury 1061029 ... 1061069 (codes are numbers),
  Wolbórz 1010113 (no single-year rows for 20-29), Białaczów 1007012 (a gmina wiejska in 2020,
  miejsko-wiejska 1007013 since).
"""

import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))

from loaders.gus_ages.workbook import read_sheets  # noqa: E402

SOURCE = REPO / "data" / "gus" / "ludnosc_wiek_2020" / "tabela12.xls.gz"
SLICE = HERE / "tabela12_slice_derived.xlsx"
HEAD_ROWS = 8
"""Title, subtitle, English title and date, the header and sub-header rows."""
UNITS = {
    "Dolnośląskie": ["0261011", "0224022"],
    "Łódzkie": ["1061011", "1061029", "1061039", "1061049", "1061059", "1061069", "1010113",
                "1007012"],
}  # fmt: skip


def _code(cell: object) -> str | None:
    text = str(cell).strip() if cell is not None else ""
    return text.zfill(7) if text.isdigit() else None


def blocks(rows: list[list[object]]) -> dict[str, list[list[object]]]:
    """Every unit's block of rows, by code."""
    found: dict[str, list[list[object]]] = {}
    current: list[list[object]] | None = None
    for row in rows[HEAD_ROWS:]:
        code = _code(row[1])
        if code is not None:
            current = found.setdefault(code, [])
        if current is not None:
            current.append(row)
    return found


def main() -> None:
    sheets = read_sheets(SOURCE)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, codes in UNITS.items():
        rows = sheets[name]
        by_code = blocks(rows)
        sheet = book.create_sheet(name)
        for row in [*rows[:HEAD_ROWS], *(r for code in codes for r in by_code[code])]:
            sheet.append(row)
    book.save(SLICE)
    print(f"wrote {SLICE.relative_to(REPO)}")  # noqa: T201 - a script run by hand


if __name__ == "__main__":
    main()
