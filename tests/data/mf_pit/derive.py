"""Re-create the DERIVED slice of the MF PIT statements in this folder from the shipped file.

Run from the repository root: `python tests/data/mf_pit/derive.py`. The slice is
data/mf/udzialy_pit_2019_2020/20210215_Miasta_NPP_2_za_2020.xlsx (cities with powiat rights,
2020) cut after Excel row 19: its title, four header rows and the two rows (gmina share 75621,
powiat share 75622) of each of the first six cities, Jelenia Góra, Legnica, Wrocław,
Wałbrzych, Bydgoszcz and Grudziądz, with every cell unchanged. It is not published data.
"""

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SOURCE = REPO / "data" / "mf" / "udzialy_pit_2019_2020" / "20210215_Miasta_NPP_2_za_2020.xlsx"
SLICE = HERE / "Miasta_NPP_2020_slice_derived.xlsx"
LAST_ROW = 19


def main() -> None:
    book = openpyxl.load_workbook(SOURCE)
    sheet = book.worksheets[0]
    sheet.delete_rows(LAST_ROW + 1, sheet.max_row - LAST_ROW)
    book.save(SLICE)


if __name__ == "__main__":
    main()
