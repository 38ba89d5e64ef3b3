"""Re-create the BDL export layout files in this folder from the real shipped exports.

Run from the repository root: `python tests/data/bdl_layouts/derive.py`. Each file takes a few
rows of a real file in data/bdl/ and writes them again in one of the layouts BDL exports come
in (separator, decimal mark, header cells joined or split, trailing empty column), the figures
unchanged: DERIVED test files, not published exports (README.md lists them).
"""

import csv
from io import StringIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
BDL = HERE.parents[2] / "data" / "bdl"
# Polska, a voivodeship, its powiat and gminas, and two more of each (Kutno, Kraków)
CODES = ("0000000", "0200000", "0201000", "0201011", "0201022", "1000000", "1002000",
         "1002011", "1200000", "1261000", "1261011")  # fmt: skip
POWIATS = ("0201000", "0202000", "1002000", "1261000")
UNEMPLOYMENT_UNITS = ("0", "1000000", "1002000", "201000")


def _read(name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a shipped `;` export, its trailing empty column dropped."""
    rows = [
        row for row in csv.reader(StringIO((BDL / name).read_text(encoding="utf-8")), delimiter=";")
        if row
    ]  # fmt: skip
    if rows[0][-1] != "":
        return rows[0], rows[1:]
    return rows[0][:-1], [row[:-1] for row in rows[1:]]


def _write(
    name: str, header: list[str], rows: list[list[str]], *, sep: str, trailing: bool = True
) -> None:
    """`sep` between fields, every field quoted as BDL does, values with the file's mark."""
    decimal = "." if sep == "," else ","
    lines = [header] + [[*row[:2], *(v.replace(",", decimal) for v in row[2:])] for row in rows]
    end = sep if trailing else ""
    text = "".join(sep.join(f'"{field}"' for field in line) + end + "\r\n" for line in lines)
    (HERE / name).write_text(text, encoding="utf-8", newline="")


def _joined(header: list[str], inner: str) -> list[str]:
    return [*header[:2], *(cell.replace(";", inner) for cell in header[2:])]


def _split(header: list[str]) -> list[str]:
    return [*header[:2], *(part for cell in header[2:] for part in cell.split(";"))]


def ludn_2425() -> None:
    """LUDN 2425 2023 (one column, no year or unit in the shipped header): the header of the
    current export, `ludność w tysiącach`, 2023 and `[tys. osób]` joined or split."""
    header, rows = _read("LUDN_2425_CTAB_20241028202819_2023.csv")
    rows = [row for row in rows if row[0] in CODES]
    current = [*header[:2], "ludność w tysiącach;2023;[tys. osób]"]
    _write("LUDN_2425_CTAB_comma_joined_comma_derived.csv", _joined(current, ","), rows, sep=",")
    _write("LUDN_2425_CTAB_semicolon_split_derived.csv", _split(current), rows, sep=";")
    _write("LUDN_2425_CTAB_comma_split_derived.csv", _split(current), rows, sep=",")


def fina_2622() -> None:
    """FINA 2622, ten years, a group before the variable (`gminy łącznie z ...;razem`)."""
    header, rows = _read("FINA_2622_CTAB_20260608161005.csv")
    rows = [row for row in rows if row[0] in CODES]
    _write("FINA_2622_CTAB_comma_joined_semicolon_derived.csv", header, rows, sep=",")
    _write(
        "FINA_2622_CTAB_semicolon_joined_comma_no_trailing_derived.csv",
        _joined(header, ","), rows, sep=";", trailing=False,
    )  # fmt: skip
    _write("FINA_2622_CTAB_semicolon_split_derived.csv", _split(header), rows, sep=";")


def kult_3881() -> None:
    """KULT 3881, five variables each with a dimension after it (`stadiony;ogółem`)."""
    header, rows = _read("KULT_3881_CTAB_20220211231432.csv")
    rows = [row for row in rows if row[0] in POWIATS]
    _write("KULT_3881_CTAB_comma_joined_comma_derived.csv", _joined(header, ","), rows, sep=",")


def unemployment() -> None:
    """The long (CREL) layout: the December rows, with `,` and decimal points, every field
    quoted, the 7-digit codes BDL writes and a trailing empty column."""
    header, rows = _read("GUS_bezrobocie.csv")
    december = [
        [row[0].zfill(7), *row[1:]]
        for row in rows
        if row[0] in UNEMPLOYMENT_UNITS and row[2] == "grudzień"
    ]
    _write("GUS_bezrobocie_CREL_comma_derived.csv", header, december, sep=",")


if __name__ == "__main__":
    ludn_2425()
    fina_2622()
    kult_3881()
    unemployment()
