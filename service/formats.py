"""Tables to CSV, XLSX and Parquet, the way Polish Excel, Power BI and pandas open them right.

`locale=pl`: `;` between fields, decimal comma, UTF-8 with BOM (Excel then reads the encoding
and the separator of a Polish system); `locale=en`: `,` and `.`, no BOM. Missing values are
empty cells, never 0. Text cells that a spreadsheet would run as a formula (starting with `=`,
`+`, `-`, `@`, tab or CR) are prefixed with `'`. Quoting is Python's csv module; workbooks are
openpyxl; Parquet is pyarrow.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Final, Literal

import msgspec

Locale = Literal["pl", "en"]
Cell = str | int | float | bool | date | None
BOM: Final = "\ufeff"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES: Final = {
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to every text/* type
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


class Column(msgspec.Struct, frozen=True):
    name: str
    description: str = ""


class Table(msgspec.Struct, frozen=True, kw_only=True):
    """A result as rows and named columns, plus what the export file should be called."""

    name: str
    """File name stem, e.g. `miarka-kontekst.ludnosc-2023`."""
    columns: list[Column]
    rows: list[tuple[Cell, ...]]
    source: str = ""


def neutralise(text: str) -> str:
    """Stop a spreadsheet from evaluating a cell as a formula (OWASP CSV injection)."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _number(value: float, locale: Locale) -> str:
    text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)  # noqa: PLR2004
    return text.replace(".", ",") if locale == "pl" else text


def format_cell(value: Cell, locale: Locale) -> str:  # noqa: PLR0911 - one per cell type
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case int():
            return str(value)
        case float():
            return _number(value, locale)
        case datetime():
            return value.isoformat(sep=" ", timespec="seconds")
        case date():
            return value.isoformat()
        case _:
            return neutralise(str(value))


def to_csv(table: Table, locale: Locale) -> bytes:
    buffer = io.StringIO()
    if locale == "pl":
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";" if locale == "pl" else ",", lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    writer.writerows([format_cell(v, locale) for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """A real workbook: typed number cells, bold frozen header, a sheet describing columns."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy; only for this format
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheet = book.create_sheet("dane")
    sheet.append([column.name for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    about = book.create_sheet("opis")
    about.append(["kolumna / column", "opis / description"])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for column in table.columns:
        about.append([column.name, column.description])
    if table.source:
        about.append([])
        about.append(["źródło / source", table.source])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def to_parquet(table: Table) -> bytes:
    import pyarrow as pa  # noqa: PLC0415 - heavy; only for this format
    import pyarrow.parquet as pq  # noqa: PLC0415

    names = [column.name for column in table.columns]
    arrays = {name: [row[i] for row in table.rows] for i, name in enumerate(names)}
    data = pa.table(arrays)
    buffer = io.BytesIO()
    pq.write_table(data, buffer, compression="zstd")
    return buffer.getvalue()


def render(table: Table, fmt: str, locale: Locale) -> bytes:
    if fmt == "csv":
        return to_csv(table, locale)
    if fmt == "xlsx":
        return to_xlsx(table)
    return to_parquet(table)


def flat(values: Sequence[object] | None) -> str:
    """A list cell (flags) as one text cell."""
    return "|".join(str(v) for v in values or [])


def rows_of(structs: Iterable[msgspec.Struct], fields: Sequence[str]) -> list[tuple[Cell, ...]]:
    out = []
    for struct in structs:
        row = []
        for name in fields:
            value = getattr(struct, name)
            row.append(flat(value) if isinstance(value, list) else value)
        out.append(tuple(row))
    return out
