"""Parse and validate the TERC register as GUS publishes it (pure: text in, typed units out).

The official `TERC_Urzedowy_*.csv` is `;`-separated with the header
`WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA`, one row per unit, codes as zero-padded text and
empty fields for the parts a code does not have. Every problem found is reported with its file
row (the header is row 1), and a file with any problem is refused whole.
"""

import csv
import re
from datetime import date, timedelta
from io import StringIO
from typing import Final

import msgspec

from domains.units.kinds import (
    KIND_BY_RODZ,
    KIND_LABEL_PL,
    LEVEL_OF_KIND,
    VOIVODESHIP_CODES,
    Kind,
    Level,
    parent_code,
)
from domains.units.search import fold
from loaders.errors import LoadRefused, ProblemCollector
from loaders.source_text import SourceText

COLUMNS: Final = ("WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD", "STAN_NA")
_TWO_DIGITS: Final = re.compile(r"^\d{2}$")
# Every letter of the register: ASCII plus the Polish diacritics. Anything else in a name
# (Ã, Å, ±, ¶, ...) means the file was re-encoded on the way (UTF-8 read as cp1250, ISO-8859-2).
_NAME_CHARS: Final = re.compile(r"^[A-Za-z0-9ĄĆĘŁŃÓŚŹŻąćęłńóśźż .,()'\-]+$")
_OTHER_SEPARATORS: Final = (",", "\t", "|")
MAX_DAYS_AHEAD: Final = 366
"""GUS publishes a register before it takes effect (changes of 1 January), never years ahead."""


class UnitRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One unit of the register, ready to stage; `row` is its line in the source file."""

    row: int
    teryt: str
    level: Level
    kind: Kind
    rodz: int | None
    name: str
    name_folded: str
    kind_label: str
    parent_teryt: str | None
    twin_teryt: str | None
    stan_na: date


class Register(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    stan_na: date
    units: list[UnitRecord]


def parse_register(source: SourceText) -> Register:
    problems = ProblemCollector(source.file)
    reader = csv.reader(StringIO(source.text, newline=""), delimiter=";", strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise LoadRefused.one(
            source.file, f"no header row: {exc}", row=1, code="missing_header"
        ) from exc
    positions = _check_header(source.file, header)

    units: list[UnitRecord] = []
    try:
        for row_number, fields in enumerate(reader, start=2):
            if not any(field.strip() for field in fields):
                continue  # GUS ends the file with an empty line
            if len(fields) != len(header):
                problems.add(
                    f"expected {len(header)} fields separated by ';', found {len(fields)}"
                    " (truncated or broken row?)",
                    row=row_number,
                    code="unreadable_file",
                )
            else:
                values = {column: fields[i].strip() for column, i in positions.items()}
                unit = _parse_row(problems, row_number, values)
                if unit is not None:
                    units.append(unit)
            if problems.full:
                break
    except csv.Error as exc:
        problems.add(f"malformed CSV: {exc}", row=reader.line_num, code="unreadable_file")

    if not units and not problems.problems:
        problems.add("the file has a header but no units", row=2, code="unreadable_file")
    if problems.problems:
        problems.raise_if_any()
    return _check_register(source.file, units)


def _check_header(file: str, header: list[str]) -> dict[str, int]:
    cleaned = [name.strip().lstrip("\ufeff").upper() for name in header]
    if len(cleaned) == 1:
        first = cleaned[0]
        if first.startswith(("<!DOCTYPE", "<HTML", "<?XML")):
            raise LoadRefused.one(
                file,
                "this is an HTML or XML page, not a TERC CSV file",
                row=1,
                code="unreadable_file",
            )
        for separator in _OTHER_SEPARATORS:
            if separator in first:
                raise LoadRefused.one(
                    file,
                    f"columns are separated by {separator!r}; the TERC file uses ';'",
                    row=1,
                    code="unreadable_file",
                )
    # A trailing ';' yields an empty last column name; tolerate it, nothing else.
    if cleaned and cleaned[-1] == "":
        cleaned = cleaned[:-1]
    missing = [column for column in COLUMNS if column not in cleaned]
    if missing:
        raise LoadRefused.one(
            file,
            f"missing column (header has: {';'.join(cleaned)})",
            row=1,
            field=",".join(missing),
            code="missing_column",
        )
    duplicated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if duplicated:
        raise LoadRefused.one(
            file, "column appears twice", row=1, field=",".join(duplicated), code="duplicate_column"
        )
    return {column: cleaned.index(column) for column in COLUMNS}


def _parse_row(problems: ProblemCollector, row: int, values: dict[str, str]) -> UnitRecord | None:
    before = len(problems.problems)
    woj, pow_, gmi, rodz = values["WOJ"], values["POW"], values["GMI"], values["RODZ"]
    name, kind_label = values["NAZWA"], values["NAZWA_DOD"]

    if not _TWO_DIGITS.match(woj) or woj not in VOIVODESHIP_CODES:
        problems.add(
            f"bad voivodeship code {woj!r} (02, 04, ... 32)", row=row, field="WOJ", code="bad_code"
        )
    if pow_ and (not _TWO_DIGITS.match(pow_) or pow_ == "00"):
        problems.add(
            f"bad powiat code {pow_!r} (two digits, 01-99)", row=row, field="POW", code="bad_code"
        )
    if gmi and (not _TWO_DIGITS.match(gmi) or gmi == "00"):
        problems.add(
            f"bad gmina code {gmi!r} (two digits, 01-99)", row=row, field="GMI", code="bad_code"
        )
    if gmi and not pow_:
        problems.add("a gmina code without a powiat code", row=row, field="POW", code="bad_code")
    if gmi and rodz not in KIND_BY_RODZ:
        problems.add(
            f"unknown RODZ {rodz!r} (GUS kinds: {', '.join(KIND_BY_RODZ)})",
            row=row,
            field="RODZ",
            code="bad_code",
        )
    if not gmi and rodz:
        problems.add(
            f"RODZ {rodz!r} on a row without a gmina code", row=row, field="RODZ", code="bad_code"
        )
    if not name:
        problems.add("empty name", row=row, field="NAZWA", code="missing_column")
    for field, text in (("NAZWA", name), ("NAZWA_DOD", kind_label)):
        if text and not _NAME_CHARS.match(text):
            odd = "".join(sorted({ch for ch in text if not _NAME_CHARS.match(ch)}))
            problems.add(
                f"unexpected character(s) {odd!r} in {text!r}: the file is not in UTF-8 or "
                "Windows-1250 as GUS publishes it (re-encoded on the way?)",
                row=row,
                code="wrong_encoding",
                field=field,
            )
    try:
        stan_na = date.fromisoformat(values["STAN_NA"])
    except ValueError:
        problems.add(
            f"not a date (YYYY-MM-DD): {values['STAN_NA']!r}",
            row=row,
            field="STAN_NA",
            code="invalid_value",
        )
        stan_na = date.min
    if len(problems.problems) > before:
        return None

    kind = _kind_of(problems, row, pow_=pow_, gmi=gmi, rodz=rodz, label=kind_label)
    if kind is None:
        return None
    teryt = woj + pow_ + gmi + rodz
    return UnitRecord(
        row=row,
        teryt=teryt,
        level=LEVEL_OF_KIND[kind],
        kind=kind,
        rodz=int(rodz) if rodz else None,
        name=name,
        name_folded=fold(name),
        kind_label=kind_label,
        parent_teryt=parent_code(teryt, kind),
        twin_teryt=None,
        stan_na=stan_na,
    )


def _kind_of(  # noqa: PLR0911 - one return per kind of row
    problems: ProblemCollector, row: int, *, pow_: str, gmi: str, rodz: str, label: str
) -> Kind | None:
    """The kind from the code, checked against the NAZWA_DOD GUS wrote beside it."""
    if gmi:
        kind = KIND_BY_RODZ[rodz]
        expected = KIND_LABEL_PL[kind]
        if not label.startswith(expected):
            problems.add(
                f"NAZWA_DOD {label!r} does not match RODZ {rodz} ({expected})",
                row=row,
                code="inconsistent",
                field="NAZWA_DOD",
            )
            return None
        return kind
    if pow_:
        if label == "powiat":
            return Kind.POWIAT_ZIEMSKI
        if "na prawach powiatu" in label:
            return Kind.MIASTO_NA_PRAWACH_POWIATU
        problems.add(
            f"NAZWA_DOD {label!r} is not a powiat kind ('powiat' or 'miasto na prawach powiatu')",
            row=row,
            field="NAZWA_DOD",
            code="inconsistent",
        )
        return None
    if label != "województwo":
        problems.add(
            f"NAZWA_DOD {label!r} on a voivodeship row",
            row=row,
            field="NAZWA_DOD",
            code="inconsistent",
        )
        return None
    return Kind.WOJEWODZTWO


def _check_register(file: str, units: list[UnitRecord]) -> Register:
    """Cross-row rules: one date, unique codes, parents present, cities in both roles."""
    problems = ProblemCollector(file)
    dates = {unit.stan_na for unit in units}
    horizon = date.today() + timedelta(days=MAX_DAYS_AHEAD)  # noqa: DTZ011 - a calendar date
    if units and units[0].stan_na > horizon:
        problems.add(
            f"STAN_NA {units[0].stan_na} is more than a year ahead; a typo?",
            row=units[0].row,
            field="STAN_NA",
            code="inconsistent",
        )
    if len(dates) > 1:
        first = units[0].stan_na
        odd = next(unit for unit in units if unit.stan_na != first)
        problems.add(
            f"STAN_NA {odd.stan_na} differs from {first} of row {units[0].row}; "
            "one register has one date",
            row=odd.row,
            code="inconsistent",
            field="STAN_NA",
        )
    by_code: dict[str, UnitRecord] = {}
    for unit in units:
        seen = by_code.get(unit.teryt)
        if seen is not None:
            problems.add(
                f"duplicate code {unit.teryt} (first at row {seen.row})",
                row=unit.row,
                code="duplicate_key",
                field="WOJ,POW,GMI,RODZ",
            )
        else:
            by_code[unit.teryt] = unit
    for unit in units:
        if unit.parent_teryt is not None and unit.parent_teryt not in by_code:
            problems.add(
                f"its parent unit {unit.parent_teryt} is not in the file",
                row=unit.row,
                code="inconsistent",
                field="GMI" if unit.level is Level.GMINA_PART else "POW",
            )
    twins = _city_twins(problems, units)
    problems.raise_if_any()
    resolved = [msgspec.structs.replace(unit, twin_teryt=twins.get(unit.teryt)) for unit in units]
    return Register(file=file, stan_na=units[0].stan_na, units=resolved)


def _city_twins(problems: ProblemCollector, units: list[UnitRecord]) -> dict[str, str]:
    """Pair each city with powiat rights (4-digit) with its single gmina (7-digit)."""
    gminas_by_powiat: dict[str, list[UnitRecord]] = {}
    for unit in units:
        if unit.level is Level.GMINA and unit.parent_teryt is not None:
            gminas_by_powiat.setdefault(unit.parent_teryt, []).append(unit)
    twins: dict[str, str] = {}
    for unit in units:
        if unit.kind is not Kind.MIASTO_NA_PRAWACH_POWIATU:
            continue
        gminas = gminas_by_powiat.get(unit.teryt, [])
        if len(gminas) != 1 or gminas[0].kind is not Kind.GMINA_MIEJSKA:
            problems.add(
                f"city with powiat rights {unit.teryt} must hold exactly one gmina miejska, "
                f"found {len(gminas)} gmina(s)",
                row=unit.row,
                code="inconsistent",
                field="NAZWA_DOD",
            )
            continue
        twins[unit.teryt] = gminas[0].teryt
        twins[gminas[0].teryt] = unit.teryt
    return twins
