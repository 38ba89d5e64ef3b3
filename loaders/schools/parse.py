"""Parse the register workbook into one checked `RegisterRow` per school, or refuse it.

Codes come as text with their leading zeros in this file, but a re-saved copy turns them into
numbers: both are read (`normalise_terc`). Counts must be non-negative numbers; oddziały and
part-time posts may be fractional. Nothing is returned from a file with any problem: every
problem (up to a limit) is listed with sheet, row and column.
"""

import math
from collections.abc import Callable
from pathlib import Path
from typing import Final

import msgspec

from loaders.errors import LoadRefused, ProblemCollector
from loaders.gus_ages.workbook import Sheet, read_sheets
from loaders.schools import layout as col
from loaders.unit_codes import normalise_terc

_Cell = Callable[[str], object]
_Text = Callable[[str], str | None]

MAX_COUNT: Final = 100_000
"""More pupils or posts than any school in Poland has: a shifted column."""


class RegisterRow(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    """1-based row of the sheet."""
    rspo: int | None
    """None for the institutions the extract gives no RSPO number (184 of them)."""
    reporting_rspo: int | None
    name: str
    type_code: int
    type_name: str
    public: bool
    locality: str | None
    address: str | None
    location_code: str
    """7-digit TERC of the 2018 division: woj + pow + gm + the RODZ of `Typ gminy`."""
    governing_body: str
    """RSPO's 4-digit code of the kind of governing body."""
    governing_code: str | None
    """TERC of the local government that runs it (7 digits for a gmina or a city, 4 for a
    powiat, 2 for a voivodeship), None for every other body."""
    counts: dict[str, float]
    """Count column -> value (every column of `layout.COUNT_COLUMNS`)."""


class Register(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    rows: list[RegisterRow]


def parse_register(path: Path) -> Register:
    sheets = read_sheets(path)
    file = path.name
    if col.SHEET not in sheets:
        raise LoadRefused.one(
            file, f"no sheet {col.SHEET!r} (sheets: {', '.join(sheets)})", code="missing_sheet"
        )
    sheet = sheets[col.SHEET]
    problems = ProblemCollector(file, sheet=col.SHEET)
    index = _header(sheet, problems)
    rows: list[RegisterRow] = []
    for offset, cells in enumerate(sheet[col.HEADER_ROW :], start=col.HEADER_ROW + 1):
        if problems.full:
            break
        if all(cell is None for cell in cells):
            continue
        parsed = _row(offset, cells, index, problems)
        if parsed is not None:
            rows.append(parsed)
    if not rows and not problems.problems:
        problems.add(
            "the sheet has a header but no schools", row=col.HEADER_ROW, code="invalid_value"
        )
    problems.raise_if_any()
    return Register(file=file, rows=rows)


def _header(sheet: Sheet, problems: ProblemCollector) -> dict[str, int]:
    header = [str(cell).strip() if cell is not None else "" for cell in (sheet[0] if sheet else [])]
    index = {name: i for i, name in enumerate(header) if name}
    missing = [name for name in col.REQUIRED if name not in index]
    if missing:
        problems.add(
            f"the header (row {col.HEADER_ROW}) lacks the column(s) {', '.join(missing)}",
            row=col.HEADER_ROW,
            field=missing[0],
            code="missing_column",
        )
        problems.raise_if_any()
    return index


def _row(
    row: int, cells: list[object], index: dict[str, int], problems: ProblemCollector
) -> RegisterRow | None:
    def cell(name: str) -> object:
        position = index[name]
        return cells[position] if position < len(cells) else None

    def text(name: str) -> str | None:
        value = cell(name)
        if value is None:
            return None
        rendered = str(value).strip()
        return rendered or None

    before = len(problems.problems)
    rspo = _rspo(cell(col.RSPO), row, col.RSPO, problems, allow_none=True)
    reporting = _rspo(cell(col.REPORTING_RSPO), row, col.REPORTING_RSPO, problems, allow_none=True)
    location = _location(cell, row, problems)
    type_code = _code_number(cell(col.TYPE_CODE), row, col.TYPE_CODE, problems)
    body = normalise_terc(cell(col.GOVERNING_CODE), 4)
    if body is None or body not in col.GOVERNING_KINDS:
        problems.add(
            f"{cell(col.GOVERNING_CODE)!r} is not an RSPO code of a kind of governing body",
            row=row, field=col.GOVERNING_CODE, code="bad_code",
        )  # fmt: skip
    public = text(col.PUBLIC)
    if public is None or not public.isdigit():
        problems.add(
            f"{public!r} is not a code of public status", row=row, field=col.PUBLIC, code="bad_code"
        )
    counts = {name: _count(cell(name), row, name, problems) for name in col.COUNT_COLUMNS}
    if len(problems.problems) > before or location is None or body is None:
        return None
    name = text(col.NAME) or ""
    return RegisterRow(
        row=row,
        rspo=rspo,
        reporting_rspo=reporting if reporting is not None else rspo,
        name=name,
        type_code=type_code or 0,
        type_name=text(col.TYPE_NAME) or "",
        public=str(public).zfill(3) == col.PUBLIC_CODE,
        locality=text(col.LOCALITY),
        address=None if body in col.NATURAL_PERSON_BODIES else _address(text),
        location_code=location,
        governing_body=body,
        governing_code=_governing(cell, body, row, problems),
        counts=counts,
    )


def _rspo(
    value: object, row: int, field: str, problems: ProblemCollector, *, allow_none: bool = False
) -> int | None:
    if value is None and allow_none:
        return None
    number = _code_number(value, row, field, problems)
    if number is not None and number <= 0:
        problems.add(f"{value!r} is not an RSPO number", row=row, field=field, code="bad_code")
        return None
    return number


def _code_number(value: object, row: int, field: str, problems: ProblemCollector) -> int | None:
    rendered = str(value).strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        rendered = str(int(value))
    if not rendered.isdigit():
        problems.add(f"{value!r} is not a numeric code", row=row, field=field, code="bad_code")
        return None
    return int(rendered)


def _location(cell: _Cell, row: int, problems: ProblemCollector) -> str | None:
    woj, pow_, gm = (normalise_terc(cell(name), 2) for name in (col.WOJ, col.POW, col.GM))
    kind = str(cell(col.GMINA_KIND) or "").strip()
    if woj is None or pow_ is None or gm is None:
        bad = next(
            name for name, part in ((col.WOJ, woj), (col.POW, pow_), (col.GM, gm)) if part is None
        )
        problems.add(
            f"{cell(bad)!r} is not a 2-digit TERC part", row=row, field=bad, code="bad_code"
        )
        return None
    if kind not in col.GMINA_RODZ:
        problems.add(
            f"{kind!r} is not a kind of gmina (M, Gm, M-Gm)",
            row=row, field=col.GMINA_KIND, code="bad_code",
        )  # fmt: skip
        return None
    return woj + pow_ + gm + col.GMINA_RODZ[kind]


def _governing(cell: _Cell, body: str, row: int, problems: ProblemCollector) -> str | None:
    """The TERC of a governing local government, as the 2018 division writes it."""
    if body not in {col.GMINA_BODY, col.CITY_BODY, col.POWIAT_BODY, col.VOIVODESHIP_BODY}:
        return None
    woj = normalise_terc(cell(col.GOV_WOJ), 2)
    pow_ = normalise_terc(cell(col.GOV_POW), 2)
    if body == col.VOIVODESHIP_BODY and woj is not None:
        return woj
    if body == col.POWIAT_BODY and woj is not None and pow_ is not None:
        return woj + pow_
    if body == col.CITY_BODY and woj is not None and pow_ is not None:
        # A city with powiat rights is one gmina, urban, numbered 01 in its own powiat.
        return woj + pow_ + "011"
    gm = normalise_terc(cell(col.GOV_GM), 2)
    kind = str(cell(col.GOV_GMINA_KIND) or "").strip()
    if woj is not None and pow_ is not None and gm is not None and kind in col.GMINA_RODZ:
        return woj + pow_ + gm + col.GMINA_RODZ[kind]
    problems.add(
        "the governing local government's code (woj., pow., gmina org. prow., typ gminy) is "
        "incomplete",
        row=row, field=col.GOV_WOJ, code="bad_code",
    )  # fmt: skip
    return None


def _count(value: object, row: int, field: str, problems: ProblemCollector) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0.0
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.add(f"{value!r} is not a number", row=row, field=field, code="not_a_number")
        return 0.0
    if math.isnan(number) or number < 0:
        problems.add(f"{value!r} is negative", row=row, field=field, code="negative_count")
        return 0.0
    if number > MAX_COUNT or (field not in col.FRACTIONAL and not number.is_integer()):
        problems.add(
            f"{value!r} is not a plausible count", row=row, field=field, code="out_of_range"
        )
    return number


def _address(text: _Text) -> str | None:
    street, house, postcode = text(col.STREET), text(col.HOUSE), text(col.POSTCODE)
    if street is not None and not street.strip("0"):
        street = None  # a run of zeros: the register's "no street" (villages without streets)
    place = " ".join(part for part in (street, house) if part)
    full = ", ".join(part for part in (place, postcode) if part)
    return full or None
