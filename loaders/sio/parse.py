"""Read SIO (System Informacji Oświatowej) school files: pupils and teacher FTEs per school.

Three comma-separated layouts are known, all from the real Kutno files in tests/data/sio:

* `schools` (SIO_30_09_2022_schools.csv): RSPO, the registering body's type and codes (Woj,
  Pow, Gmi, names, Typ gminy), REGON, school type and name, the school's own location codes
  (the same header names again), the governing body's type, "Liczba uczniów", P1..Pn. Codes
  may lack zero padding (`10,2,1`) and REGONs their leading zeros (`903280`).
* `pupils` (uczniowie.csv): RSPO, school type, name, Regon, "Liczba uczniów", ..., registering
  and governing bodies by name only, no unit codes.
* `fte` (SIO_etaty.csv): RSPO, school, Regon, "Etat - umowa" and its parts, bodies by name.

Pupils can be fractional in SIO and stay fractional (`Decimal`). The files were written by a
program that printed binary floats with 17 significant digits (`456.73599999999999`); such a
value is read as the shortest decimal that prints the same float (`456.736`), every other
value exactly as written. The reference date (30 September) comes from the file name
(`SIO_30_09_2022_...`) or must be given.
"""

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final, Literal, TypeVar

import msgspec

from loaders.errors import CellError, LoadRefused, ProblemCode, ProblemCollector
from loaders.source_text import read_source_text

__all__ = ["Layout", "SchoolRecord", "SioBatch", "date_in_name", "parse_sio", "sio_number"]

Layout = Literal["schools", "pupils", "fte"]
T = TypeVar("T")
RODZ_BY_GMINA_TYPE: Final = {"M": "1", "W": "2", "M-W": "3", "MW": "3"}
JST_BODIES: Final = frozenset({"Gmina", "Powiat", "Województwo", "Samorząd województwa"})
_DATE_IN_NAME = re.compile(r"(\d{2})_(\d{2})_(\d{4})")
_FLOAT_PRINT_DIGITS: Final = 16
_DIGITS = re.compile(r"\d+")


class _BadCell(ValueError):
    def __init__(self, field: str, message: str, code: ProblemCode = "invalid_value") -> None:
        super().__init__(message)
        self.field = field
        self.code: ProblemCode = code


class SchoolRecord(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    """1-based line of the file (header = 1); the first row when several were summed."""
    rspo: int
    regon: str | None
    name: str
    school_type: str
    governing_type: str | None
    registering_teryt: str | None = None
    governing_teryt: str | None = None
    pupils: Decimal | None = None
    teacher_fte: Decimal | None = None


class SioBatch(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    sha256: str
    layout: Layout
    as_of: date
    schools: list[SchoolRecord]
    warnings: list[str] = []


def date_in_name(name: str) -> date | None:
    match = _DATE_IN_NAME.search(name)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def sio_number(text: str) -> Decimal | None:
    """A SIO count as a Decimal; None for an empty cell; raises ValueError when not a number."""
    value = text.strip()
    if not value:
        return None
    try:
        exact = Decimal(value)
    except InvalidOperation:
        raise CellError(f"not a number: {value!r}", code="not_a_number") from None
    if not exact.is_finite():
        raise CellError(f"not a number: {value!r}", code="not_a_number")
    if len(exact.as_tuple().digits) >= _FLOAT_PRINT_DIGITS:
        return Decimal(repr(float(value)))
    return exact


MAX_COUNT: Final = Decimal(100_000)
"""No school has this many pupils or teacher FTEs on one row (the largest have a few thousand)."""


def plausible_count(text: str) -> Decimal | None:
    """A count of pupils or FTEs: a number, not negative, not absurd."""
    count = sio_number(text)
    if count is not None and count < 0:
        raise CellError(f"a negative count: {text.strip()!r}", code="negative_count")
    if count is not None and count > MAX_COUNT:
        raise CellError(f"implausibly large for one school: {text.strip()!r}", code="out_of_range")
    return count


def _layout(header: list[str]) -> Layout | None:
    if "Etat - umowa" in header:
        return "fte"
    if "Woj" in header and "Liczba uczniów" in header:
        return "schools"
    if "Liczba uczniów" in header:
        return "pupils"
    return None


def _positions(header: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.strip(), []).append(index)
    return positions


def _regon(value: str) -> str | None:
    digits = value.strip()
    if not digits:
        return None
    if not _DIGITS.fullmatch(digits) or len(digits) > 14:  # noqa: PLR2004
        raise ValueError(f"not a REGON: {value!r}")
    return digits.zfill(9) if len(digits) <= 9 else digits.zfill(14)  # noqa: PLR2004


def _code(value: str, width: int) -> str:
    digits = value.strip()
    if not _DIGITS.fullmatch(digits) or len(digits) > width:
        raise ValueError(f"not a {width}-digit code: {value!r}")
    return digits.zfill(width)


def _registering_teryt(row: list[str], at: dict[str, list[int]]) -> str | None:
    """TERC of the registering body from the first Woj/Pow/Gmi/Typ gminy columns."""
    body = row[at["Typ organu rejestrującego"][0]].strip()
    woj = _code(row[at["Woj"][0]], 2)
    if body in {"Województwo", "Samorząd województwa"}:
        return woj
    pow_ = _code(row[at["Pow"][0]], 2)
    if body == "Powiat":
        return woj + pow_
    if body != "Gmina":
        return None
    kind = row[at["Typ gminy"][0]].strip()
    if kind not in RODZ_BY_GMINA_TYPE:
        raise CellError(f"unknown Typ gminy {kind!r} (expected M, W or M-W)", code="bad_code")
    return woj + pow_ + _code(row[at["Gmi"][0]], 2) + RODZ_BY_GMINA_TYPE[kind]


class _Columns:
    """Header positions of one layout; duplicated names (Woj, Pow, ...) keep every position."""

    REQUIRED: Final[dict[str, tuple[str, ...]]] = {
        "schools": (
            "Numer RSPO",
            "Typ organu rejestrującego",
            "Woj",
            "Pow",
            "Gmi",
            "Typ gminy",
            "REGON",
            "Typ szkoły/placówki",
            "Nazwa szkoły/placówki",
            "Typ organu prowadzącego",
            "Liczba uczniów",
        ),
        "pupils": (
            "Numer RSPO",
            "Regon",
            "Typ szkoły / placówki",
            "Nazwa szkoły / placówki",
            "Typ organu prowadzącego",
            "Liczba uczniów",
        ),
        "fte": (
            "Numer RSPO",
            "Regon",
            "Typ szkoły / placówki",
            "Nazwa szkoły / placówki",
            "Typ organu prowadzącego",
            "Etat - umowa",
        ),
    }

    def __init__(self, layout: Layout, header: list[str], file: str) -> None:
        self.layout = layout
        self.at = _positions(header)
        missing = [name for name in self.REQUIRED[layout] if name not in self.at]
        if missing:
            raise LoadRefused.one(
                file,
                f"the {layout} layout needs columns {', '.join(missing)}",
                row=1,
                code="missing_column",
            )
        suffix = "" if layout == "schools" else " "
        self.regon = "REGON" if layout == "schools" else "Regon"
        self.school_type = f"Typ szkoły{suffix}/{suffix}placówki"
        self.name = f"Nazwa szkoły{suffix}/{suffix}placówki"

    def cell(self, row: list[str], name: str) -> str:
        return row[self.at[name][0]].strip()


def _record(row: list[str], line: int, cols: _Columns) -> SchoolRecord:
    def parsed(field: str, parse: Callable[[str], T], value: str) -> T:
        try:
            return parse(value)
        except ValueError as exc:
            raise _BadCell(field, str(exc), getattr(exc, "code", "invalid_value")) from None

    governing = cols.cell(row, "Typ organu prowadzącego") or None
    registering = None
    if cols.layout == "schools":
        registering = parsed(
            "Woj/Pow/Gmi/Typ gminy", lambda _: _registering_teryt(row, cols.at), ""
        )
    same_body = cols.layout == "schools" and governing == cols.cell(
        row, "Typ organu rejestrującego"
    )
    count_column = "Etat - umowa" if cols.layout == "fte" else "Liczba uczniów"
    count = parsed(count_column, plausible_count, cols.cell(row, count_column))
    return SchoolRecord(
        row=line,
        rspo=int(parsed("Numer RSPO", lambda v: _code(v, 9), cols.cell(row, "Numer RSPO"))),
        regon=parsed(cols.regon, _regon, cols.cell(row, cols.regon)),
        name=cols.cell(row, cols.name),
        school_type=cols.cell(row, cols.school_type),
        governing_type=governing,
        registering_teryt=registering,
        # A local government runs the public schools it registers; a school run by anyone
        # else (a parish, an association) has no governing unit in the register.
        governing_teryt=registering if same_body and governing in JST_BODIES else None,
        pupils=None if cols.layout == "fte" else count,
        teacher_fte=count if cols.layout == "fte" else None,
    )


def _merge(first: SchoolRecord, other: SchoolRecord) -> SchoolRecord:
    """Pupil files have a row per school x oddział type x mode of study: pupils add up."""
    pupils = (
        None
        if first.pupils is None and other.pupils is None
        else ((first.pupils or Decimal(0)) + (other.pupils or Decimal(0)))
    )
    return msgspec.structs.replace(first, pupils=pupils)


def _read_rows(
    rows: list[list[str]], cols: _Columns, file: str
) -> tuple[dict[int, SchoolRecord], list[str]]:
    problems = ProblemCollector(file)
    schools: dict[int, SchoolRecord] = {}
    warnings: list[str] = []
    width = len(rows[0])
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            problems.add(
                f"{len(row)} fields, the header has {width}", row=line, code="unreadable_file"
            )
            continue
        try:
            record = _record(row, line, cols)
        except _BadCell as bad:
            problems.add(str(bad), row=line, field=bad.field, code=bad.code)
            continue
        previous = schools.get(record.rspo)
        if previous is None:
            schools[record.rspo] = record
        elif cols.layout == "fte":
            message = f"RSPO {record.rspo} again (first at row {previous.row})"
            problems.add(message, row=line, field="Numer RSPO", code="duplicate_key")
        else:
            schools[record.rspo] = _merge(previous, record)
            warnings.append(f"RSPO {record.rspo}: rows {previous.row} and {line} summed")
        if problems.full:
            break
    problems.raise_if_any()
    counted = [s.teacher_fte if cols.layout == "fte" else s.pupils for s in schools.values()]
    missing = [rspo for rspo, n in zip(schools, counted, strict=True) if n is None]
    if missing:
        warnings.append(f"no count for RSPO {', '.join(map(str, missing))} (stored as missing)")
    return schools, warnings


def parse_sio(path: Path, *, as_of: date | None = None, file_name: str | None = None) -> SioBatch:
    """All schools of the file; refuses the file on any malformed row (file, row and field)."""
    source = read_source_text(path)
    file = file_name or source.file
    named = date_in_name(file)
    if as_of is not None and named is not None and as_of != named:
        raise LoadRefused.one(file, f"the name says {named}, --as-of says {as_of}")
    when = as_of or named
    if when is None:
        raise LoadRefused.one(file, "the file does not say its reference date: give --as-of")
    if when > date.today():  # noqa: DTZ011 - SIO dates are calendar days, not instants
        raise LoadRefused.one(file, f"the reference date {when} has not come yet")
    reader = csv.reader(io.StringIO(source.text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's limit: a broken line
        raise LoadRefused.one(
            file, f"not readable as CSV: {exc}", row=reader.line_num, code="unreadable_file"
        ) from None
    if not rows:
        raise LoadRefused.one(file, "the file is empty", code="unreadable_file")
    if len(rows) == 1:
        raise LoadRefused.one(file, "only a header, no school rows", row=1, code="unreadable_file")
    layout = _layout([h.strip() for h in rows[0]])
    if layout is None:
        raise LoadRefused.one(
            file,
            "not a known SIO layout (no 'Liczba uczniów' or 'Etat')",
            row=1,
            code="missing_column",
        )
    cols = _Columns(layout, [h.strip() for h in rows[0]], file)
    schools, warnings = _read_rows(rows, cols, file)
    return SioBatch(
        file=file,
        sha256=source.sha256,
        layout=layout,
        as_of=when,
        schools=list(schools.values()),
        warnings=warnings,
    )
