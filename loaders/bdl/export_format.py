"""What every layout of a BDL web export shares: header cells, codes, numbers, the result."""

import re
from datetime import UTC, datetime
from typing import Final

import msgspec

from loaders.observations import ObservationRecord

YEAR_PART: Final = re.compile(r"^\s*(19[5-9]\d|20\d\d)\s*$")
UNIT_PART: Final = re.compile(r"^\s*\[(.*)\]\s*$")
_MISSING: Final = {"": "missing", "-": "missing", "x": "confidential_or_not_applicable"}
_NUMBER: Final = re.compile(r"^-?\d+(?:[.,]\d+)?$")
LATEST_YEAR: Final = datetime.now(UTC).year


class ExportColumn(msgspec.Struct, frozen=True, kw_only=True):
    header: str
    variable: str
    year: int
    unit: str | None = None
    """The unit the header cell gives (`zł` of `[zł]`), None when it gives none."""


class HeaderCell(msgspec.Struct, frozen=True):
    names: tuple[str, ...]
    """Group, variable and dimension parts, in the file's order."""
    year: int | None
    unit: str | None
    text: str = ""
    """The name parts as the file writes them, without year and unit (`a, b` of `a, b,2024`)."""


def split_header_cell(cell: str) -> HeaderCell:
    """Name parts, year and unit of one header cell (`"ludność w tysiącach,2024,[tys. osób]"`)."""
    separator = ";" if ";" in cell else ","
    parts = cell.split(separator)
    names: list[str] = []
    written: list[str] = []
    year: int | None = None
    unit: str | None = None
    for part in parts:
        if (year_part := YEAR_PART.match(part)) is not None:
            year = int(year_part.group(1))
        elif (bracketed := UNIT_PART.match(part)) is not None:
            unit = bracketed.group(1).strip()
        elif part.strip():
            names.append(part.strip())
            written.append(part)
    if len(names) == len(parts) and separator == ",":
        names = [cell.strip()]  # a plain name with a comma in it, not a joined cell
    return HeaderCell(tuple(names), year, unit, separator.join(written).strip())


class ExportData(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    delimiter: str
    decimal: str
    columns: list[ExportColumn]
    records: list[ObservationRecord]
    skipped: list[tuple[int, str]]
    """(row, words) of rows read that are not units of the register (Polska)."""
    duplicates: int
    """Rows repeating an earlier row of the same code with the same values (dropped)."""


def to_teryt(code: str) -> str | None:
    """`WWPPGGR` -> TERC: `WW` for voivodeships, `WWPP` for powiats; None for Polska."""
    if code == "0000000":
        return None
    if code.endswith("00000"):
        return code[:2]
    if code.endswith("000"):
        return code[:4]
    return code


def parse_number(raw: str, decimal: str) -> tuple[float | None, str | None]:
    """(value, flag): a number; (None, flag) for a documented gap; (None, None) if garbage."""
    if raw.lower() in _MISSING:
        return None, _MISSING[raw.lower()]
    compact = raw.replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(compact):
        return None, None
    if decimal == "," and "." in compact and "," not in compact:
        return None, None  # a point in a decimal-comma file is not a number we can trust
    return float(compact.replace(",", ".")), None
