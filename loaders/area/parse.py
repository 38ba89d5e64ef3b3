"""Parse and validate the official list of areas of territorial units (workbook in, records out).

The annual "Wykaz powierzchni ... wg stanu na DD.MM.YYYY" is one sheet with the header
`TERYT | Nazwa jednostki | Powierzchnia [ha] | Powierzchnia [km2]` and notes beside it. Each
unit gives two observations, `area_ha` and `area_km2`. The notes say km² are rounded from the
hectares to whole km² (Kryłow-Bradis rule), so km² may differ from ha/100 by up to 0.5.
TERYT codes are text with spaces between the parts ("02 01  ", "02 01 01 1"); removing the
spaces gives the TERC code. The date the areas hold for is written only in the file name
("..._wg_stanu_na_01012025_..."), not in the sheet. Every problem is reported with its Excel
row (header = 1), and a file with any problem is refused whole.
"""

import re
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Final, Literal, NamedTuple

import msgspec

from domains.units.kinds import KIND_BY_RODZ, VOIVODESHIP_CODES, parent_code
from loaders.area.workbook import Row, iter_sheet_rows
from loaders.errors import LoadRefused, ProblemCollector
from loaders.observations import ObservationRecord

VARIABLE_HA: Final = "area_ha"
VARIABLE_KM2: Final = "area_km2"
COL_TERYT: Final = "TERYT"
COL_NAME: Final = "Nazwa jednostki"
COL_HA: Final = "Powierzchnia [ha]"
COL_KM2: Final = "Powierzchnia [km2]"
COLUMNS: Final = (COL_TERYT, COL_NAME, COL_HA, COL_KM2)
POLSKA: Final = "00"
# km² are ha/100 rounded to whole km² (up to 0.5 off); 0.01 more absorbs float noise.
KM2_TOLERANCE: Final = 0.51
TERC_LENGTHS: Final = (2, 4, 7)

_AS_OF_IN_NAME: Final = re.compile(r"stan(?:u)?_na_(\d{2})(\d{2})(\d{4})(?!\d)", re.IGNORECASE)
_DIGITS: Final = re.compile(r"^[0-9]+$")
_NUMBER_TEXT: Final = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")
# Longest first: "Powiat m. St. Warszawa" and "m. St. Warszawa" are TERC's "Warszawa".
_NAME_PREFIXES: Final = (
    "WOJ. ",
    "Powiat m. St. ",
    "Powiat m. ",
    "Powiat ",
    "m. St. ",
    "M. ",
    "m. ",
)
# Parts of gminas carry their kind after a dash, spelt loosely: "Nowogrodziec - miasto",
# "Bircza- miasto", "Ropczyce - Obszar Wiejski".
_PART_SUFFIXES: Final = {
    rodz: re.compile(rf"\s*-\s*{label}$", re.IGNORECASE)
    for rodz, label in (
        ("4", "miasto"),
        ("5", "obszar wiejski"),
        ("8", "dzielnica"),
        ("9", "delegatura"),
    )
}

AsOfFrom = Literal["file_name", "argument"]


class SkippedRow(msgspec.Struct, frozen=True, kw_only=True):
    """A valid row that yields no records (the Polska total), reported rather than dropped."""

    row: int
    teryt: str
    name: str
    reason: str


class AreaRegister(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    as_of: date
    as_of_from: AsOfFrom
    """Where `as_of` came from: the file name, or the caller when the name has no date."""
    records: list[ObservationRecord]
    names: dict[str, str]
    """TERC code to unit name without the list's prefixes ("M. ", "WOJ. ", "Powiat ", ...)
    and part suffixes (" - miasto", ...), for cross-checking against the TERC register."""
    skipped: list[SkippedRow]


class _Unit(NamedTuple):
    row: int
    teryt: str
    name: str
    ha: float
    km2: float


def parse_area_workbook(path: Path, as_of: date | None = None) -> AreaRegister:
    """Read the area list; `as_of` is needed only when the file name carries no date."""
    file = path.name
    stan_na, as_of_from = _as_of(file, as_of)
    problems = ProblemCollector(file)
    units: list[_Unit] = []
    with closing(iter_sheet_rows(path)) as rows:
        header = next(rows, None)
        if header is None:
            raise LoadRefused.one(file, "the sheet is empty", row=1, code="unreadable_file")
        positions = _check_header(file, header)
        for row_number, cells in enumerate(rows, start=2):
            values = [cells[i] if i < len(cells) else None for i in positions]
            if all(_blank(value) for value in values):
                continue  # empty rows, or rows holding only a note in column F
            unit = _parse_row(problems, row_number, values)
            if unit is not None:
                units.append(unit)
            if problems.full:
                break
    if not units and not problems.problems:
        problems.add("the sheet has a header but no units", row=2, code="missing_header")
    problems.raise_if_any()
    return _check_units(file, stan_na, as_of_from, units)


def _as_of(file: str, given: date | None) -> tuple[date, AsOfFrom]:
    match = _AS_OF_IN_NAME.search(file)
    if match is None:
        if given is None:
            raise LoadRefused.one(
                file,
                "the file name does not say the date the areas hold for "
                "('..._stanu_na_DDMMYYYY_...'); pass it as as_of",
            )
        return given, "argument"
    day, month, year = (int(part) for part in match.groups())
    try:
        named = date(year, month, day)
    except ValueError as exc:
        raise LoadRefused.one(
            file, f"the date in the file name is not a DDMMYYYY date: {match.group(0)!r}"
        ) from exc
    if given is not None and given != named:
        raise LoadRefused.one(
            file, f"the file name says the areas hold on {named}, but as_of={given} was given"
        )
    return named, "file_name"


def _check_header(file: str, header: Row) -> list[int]:
    cleaned = [_header_key(value) for value in header]
    missing = [column for column in COLUMNS if _header_key(column) not in cleaned]
    if missing:
        shown = " | ".join(str(value) for value in header if not _blank(value))
        raise LoadRefused.one(
            file,
            f"missing column (header has: {shown or 'nothing'})",
            row=1,
            field=", ".join(missing),
            code="missing_column",
        )
    twice = [column for column in COLUMNS if cleaned.count(_header_key(column)) > 1]
    if twice:
        raise LoadRefused.one(
            file, "column appears twice", row=1, field=", ".join(twice), code="duplicate_column"
        )
    return [cleaned.index(_header_key(column)) for column in COLUMNS]


def _header_key(value: object) -> str:
    return "" if value is None else " ".join(str(value).split()).casefold().replace("²", "2")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_row(problems: ProblemCollector, row: int, values: list[object]) -> _Unit | None:
    code_cell, name_cell, ha_cell, km2_cell = values
    before = len(problems.problems)
    teryt = _teryt(problems, row, code_cell)
    name = name_cell.strip() if isinstance(name_cell, str) else ""
    if not name:
        problems.add(
            f"expected the unit's name, found {name_cell!r}",
            row=row,
            field=COL_NAME,
            code="missing_column",
        )
    ha = _area(problems, row, COL_HA, ha_cell)
    km2 = _area(problems, row, COL_KM2, km2_cell)
    if ha is not None and km2 is not None and abs(km2 - ha / 100) > KM2_TOLERANCE:
        problems.add(
            f"{km2:g} km² does not match {ha:g} ha (= {ha / 100:.2f} km²; the list rounds "
            "km² from ha to whole km²)",
            row=row,
            field=COL_KM2,
            code="inconsistent",
        )
    if len(problems.problems) > before or teryt is None or ha is None or km2 is None:
        return None
    return _Unit(row=row, teryt=teryt, name=name, ha=ha, km2=km2)


def _teryt(problems: ProblemCollector, row: int, cell: object) -> str | None:
    """The TERC code: the cell's text without its spaces ("02 01 01 1" -> "0201011")."""
    if isinstance(cell, int | float):
        problems.add(
            f"TERYT is a number ({cell!r}), not text: leading zeros are lost "
            "(the code must be text such as '02 01 01 1')",
            row=row,
            field=COL_TERYT,
            code="not_a_number",
        )
        return None
    code = "".join(cell.split()) if isinstance(cell, str) else ""
    if not code:
        problems.add(
            f"expected a TERYT code, found {cell!r}", row=row, field=COL_TERYT, code="bad_code"
        )
        return None
    message = _code_problem(code)
    if message is not None:
        problems.add(f"{message}: {cell!r}", row=row, field=COL_TERYT)
        return None
    return code


def _code_problem(code: str) -> str | None:
    """What is wrong with a TERC code (spaces already removed), or None when it is sound."""
    if not _DIGITS.match(code) or len(code) not in TERC_LENGTHS:
        return "bad TERYT code, expected 2, 4 or 7 digits with spaces between parts"
    if code == POLSKA:
        return None
    rodz = code[6:]
    checks = (
        (code[:2] not in VOIVODESHIP_CODES, f"bad voivodeship part {code[:2]!r} (02, 04, ... 32)"),
        (code[2:4] == "00", "bad powiat part '00'"),
        (code[4:6] == "00", "bad gmina part '00'"),
        (bool(rodz) and rodz not in KIND_BY_RODZ, f"unknown RODZ {rodz!r} (GUS kinds: 1-5, 8, 9)"),
    )
    return next((message for failed, message in checks if failed), None)


def _area(problems: ProblemCollector, row: int, field: str, cell: object) -> float | None:
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        problems.add(_not_a_number(cell), row=row, field=field, code="not_a_number")
        return None
    value = float(cell)
    if not value >= 0 or value == float("inf"):  # `not >=` also catches NaN
        problems.add(
            f"an area must be a non-negative number, found {cell!r}",
            row=row,
            field=field,
            code="negative_count",
        )
        return None
    return value


def _not_a_number(cell: object) -> str:
    if _blank(cell):
        return "empty cell, expected an area (a number)"
    if isinstance(cell, str):
        if _NUMBER_TEXT.match("".join(cell.split())):
            return f"a number stored as text ({cell!r}); the cell must be numeric"
        return f"expected an area (a number), found text {cell!r}"
    return f"expected an area (a number), found {type(cell).__name__} {cell!r}"


def _check_units(file: str, as_of: date, as_of_from: AsOfFrom, units: list[_Unit]) -> AreaRegister:
    """Cross-row rules: each code once, each unit's parent present; then build the records."""
    problems = ProblemCollector(file)
    first_row: dict[str, int] = {}
    for unit in units:
        if unit.teryt in first_row:
            problems.add(
                f"duplicate code {unit.teryt} (first at row {first_row[unit.teryt]})",
                row=unit.row,
                field=COL_TERYT,
                code="duplicate_key",
            )
        else:
            first_row[unit.teryt] = unit.row
    for unit in units:
        parent = _parent(unit.teryt)
        if parent is not None and parent not in first_row:
            problems.add(
                f"its parent unit {parent} is not in the file",
                row=unit.row,
                field=COL_TERYT,
                code="inconsistent",
            )
    problems.raise_if_any()

    records: list[ObservationRecord] = []
    names: dict[str, str] = {}
    skipped: list[SkippedRow] = []
    for unit in units:
        if unit.teryt == POLSKA:
            reason = "the national total; Miarka has no unit for Poland as a whole"
            skipped.append(
                SkippedRow(row=unit.row, teryt=unit.teryt, name=unit.name, reason=reason)
            )
            continue
        for variable, value in ((VARIABLE_HA, unit.ha), (VARIABLE_KM2, unit.km2)):
            records.append(
                ObservationRecord(
                    row=unit.row, teryt=unit.teryt, variable=variable, year=as_of.year, value=value
                )
            )
        names[unit.teryt] = plain_name(unit.teryt, unit.name)
    return AreaRegister(
        file=file,
        as_of=as_of,
        as_of_from=as_of_from,
        records=records,
        names=names,
        skipped=skipped,
    )


def _parent(teryt: str) -> str | None:
    if teryt == POLSKA or len(teryt) == TERC_LENGTHS[0]:
        return None
    if len(teryt) == TERC_LENGTHS[1]:
        return teryt[:2]
    return parent_code(teryt, KIND_BY_RODZ[teryt[6]])


def plain_name(teryt: str, name: str) -> str:
    """The name as TERC mostly writes it: "M. Kraków" -> "Kraków", "Bircza- miasto" -> "Bircza".

    Letter case is kept ("WOJ. DOLNOŚLĄSKIE" -> "DOLNOŚLĄSKIE", as TERC has it); compare
    folded names.
    """
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    suffix = _PART_SUFFIXES.get(teryt[6]) if len(teryt) == TERC_LENGTHS[2] else None
    return suffix.sub("", name) if suffix is not None else name
