"""Re-create the DERIVED slice of the national school register used by the broken-file tests.

Run from the repository root: `python tests/data/schools/derive.py`. It takes the header and
the rows of powiat bolesławiecki (woj 02, pow 01) from the shipped register
(data/sio/wykaz_szkol_2018/schoolsData.xlsx) and leaves out every column that holds personal
or contact data (phone, fax, e-mail, web site, the governing body's name), so the slice has
none of them. It is not published data.
"""

from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SOURCE = REPO / "data" / "sio" / "wykaz_szkol_2018" / "schoolsData.xlsx"
SLICE = HERE / "schoolsData_boleslawiecki_derived.xlsx"
PERSONAL = ("Telefon", "Fax", "WWW", "e-mail", "Nazwa organu prowadzącego")


def main() -> None:
    frame = pd.read_excel(SOURCE, engine="calamine", dtype=object, header=0)
    frame = frame.drop(columns=list(PERSONAL))
    rows = frame[(frame["woj"] == "02") & (frame["pow"] == "01")]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Identyfikacja"
    sheet.append(list(frame.columns))
    sheet.append([None])
    for values in rows.itertuples(index=False, name=None):
        sheet.append([None if pd.isna(v) else v for v in values])
    book.save(SLICE)


if __name__ == "__main__":
    main()
