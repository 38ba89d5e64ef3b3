"""The header of a BDL wide (CTAB) export in every layout BDL writes, and what `--column` names.

BDL's exports separate fields by `;` (decimal comma) or by `,` (decimal point); a column's
header holds its name parts (group, variable, dimension), year and unit either joined in one
quoted cell (`"gminy łącznie z miastami na prawach powiatu;razem;2015;[zł]"`,
`"ludność w tysiącach,2024,[tys. osób]"`) or split over cells of their own
(`Kod;Nazwa;ludność w tysiącach;2023;[tys. osób];`, so the header has more cells than a row).
Since a joined cell holds the other separator, the separator is counted outside quotes only.
A `--column` key names a column by its name parts (any run of them, or all of them as the
file writes them), whatever year and unit follow; a key that gives a year or a unit too
names only the columns with that year or unit.
"""

import re
from collections.abc import Iterable
from typing import Final

import msgspec

from loaders.bdl.export_format import UNIT_PART, YEAR_PART, HeaderCell, split_header_cell

SEPARATORS: Final = (";", ",", "\t")
_DECIMAL_COMMA: Final = re.compile(r"\d,\d")
_DECIMAL_POINT: Final = re.compile(r"\d\.\d")
NAME_COLUMNS: Final = 2
"""`Kod` and `Nazwa` come before the value columns."""


def sniff_dialect(header_line: str) -> str:
    """The field separator of a header line, counting only separators outside quotes."""
    outside = "".join(header_line.split('"')[0::2])
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    delimiter = max(counts, key=lambda sep: counts[sep])
    return delimiter if counts[delimiter] else ";"


def detect_decimal(delimiter: str, body: str) -> str:
    """The decimal mark of the values: a point in a `,` file; in a `;` file a comma, unless
    no value has one and some have a point (a file mixing both is refused row by row)."""
    if delimiter == ",":
        return "."
    if _DECIMAL_COMMA.search(body) is None and _DECIMAL_POINT.search(body) is not None:
        return "."
    return ","


class WideColumn(msgspec.Struct, frozen=True):
    position: int
    """Index of the column's value in a data row."""
    header: str
    """The header as the file writes it; split cells joined by `;`."""
    cell: HeaderCell


def wide_columns(header: list[str], first_row: list[str] | None) -> list[WideColumn]:
    """The value columns of a wide header (trailing empty cell dropped), one per value of
    `first_row` (the first data row): one header cell each, or the cells split over several
    cells grouped back, each group closed by its unit (by its year when no cell has a unit).
    When no grouping fits, one column per cell: the rows are then refused for their length."""
    cells = header[NAME_COLUMNS:]
    one_each = [
        WideColumn(position, name, split_header_cell(name))
        for position, name in enumerate(cells, start=NAME_COLUMNS)
    ]
    if first_row is None:
        return one_each
    values = len(first_row) - NAME_COLUMNS
    counts = {values, values - 1} if first_row[-1] == "" else {values}
    if len(cells) in counts:
        return one_each
    groups = _split_groups(cells)
    if groups is None or len(groups) not in counts:
        return one_each
    return [
        WideColumn(position, ";".join(group), split_header_cell(";".join(group)))
        for position, group in enumerate(groups, start=NAME_COLUMNS)
    ]


def _split_groups(cells: list[str]) -> list[list[str]] | None:
    closes = UNIT_PART if any(UNIT_PART.match(cell) for cell in cells) else YEAR_PART
    groups: list[list[str]] = []
    current: list[str] = []
    for cell in cells:
        current.append(cell)
        if closes.match(cell):
            groups.append(current)
            current = []
    return groups if groups and not current else None


class ColumnKey(msgspec.Struct, frozen=True):
    key: str
    cell: HeaderCell


def column_keys(keys: Iterable[str]) -> list[ColumnKey]:
    return [ColumnKey(key, split_header_cell(key)) for key in keys]


def naming_key(keys: list[ColumnKey], header: str, cell: HeaderCell) -> str | None:
    """The key naming this column, the most specific when several do, None when none does."""
    best: tuple[int, str] | None = None
    for key in keys:
        score = _specificity(key, header, cell)
        if score is not None and (best is None or score > best[0]):
            best = (score, key.key)
    return None if best is None else best[1]


def _specificity(key: ColumnKey, header: str, cell: HeaderCell) -> int | None:
    if key.key == header:
        return len(cell.names) + 2
    wanted = key.cell
    if wanted.year is not None and wanted.year != cell.year:
        return None
    if wanted.unit is not None and wanted.unit != cell.unit:
        return None
    if wanted.text == cell.text:
        return len(cell.names) + 1
    size = len(wanted.names)
    runs = {cell.names[i : i + size] for i in range(len(cell.names) - size + 1)}
    return size if size and wanted.names in runs else None
