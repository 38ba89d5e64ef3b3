"""Read BDL API v1 JSON bodies (`data/by-variable`, `data/by-unit`) into `ObservationRecord`s.

Pure: bytes in, records out. BDL keys units by its own 12-digit ids; we keep the TERC code they
embed and list every unit without one (Polska, makroregiony, regiony, podregiony) as skipped,
so the caller can report them. Each value carries an `attrId` saying what the number is; the
ones meaning "no data", "confidential" or "-" become `value=None` with a flag, never 0. A body
that is not BDL JSON is refused naming the file or URL, the result's row and the field.
"""

import re
from typing import Final, TypeVar

import msgspec

from domains.units.bdl_ids import teryt_from_bdl_id
from loaders.errors import LoadRefused, ProblemCollector
from loaders.observations import ObservationRecord

__all__ = [
    "ATTRIBUTES",
    "SYMBOLS",
    "Attribute",
    "PageInfo",
    "ParsedData",
    "SkippedUnit",
    "attribute_for_symbol",
    "parse_unit_data",
    "parse_variable_page",
    "read_page_info",
]


class Attribute(msgspec.Struct, frozen=True):
    flag: str | None
    """Short lower_snake meaning stored with the value; None for a plain value."""
    missing: bool
    """The number BDL sends (usually 0) is not a measurement: store None."""


# BDL's value attributes (`attrId`), read off the real `/attributes` answer saved in
# tests/data/bdl/pyBDL_samples/samples_raw_attributes.json: id -> (name, symbol, description).
# A new id stops the load (see `_attribute`) rather than being guessed.
ATTRIBUTES: Final[dict[int, Attribute]] = {
    # "0", no symbol, no description: BDL shows 0 but says nothing of it; a true zero has its
    # own attributes (94/98 "z"), so we cannot tell this from an absent record.
    0: Attribute("zero_without_attribute", missing=True),
    1: Attribute(None, missing=False),  # "wartość"
    3: Attribute("incomplete_aggregate", missing=False),  # k: "Agregat może być niekompletny"
    # x: "Brak informacji, konieczność zachowania tajemnicy statystycznej lub wypełnienie
    # pozycji jest niemożliwe albo niecelowe" (no data, confidential, or not applicable)
    4: Attribute("no_data_confidential_or_not_applicable", missing=True),
    7: Attribute("below_display_precision", missing=False),  # a: smaller than the shown format
    9: Attribute("preliminary_estimate", missing=False),  # s: "Szacunki wstępne"
    11: Attribute("methodology_change", missing=False),  # M: "Zmiany metodologiczne"
    13: Attribute("methodology_change_incomplete_aggregate", missing=False),  # K
    14: Attribute("methodology_change_no_data_confidential_or_not_applicable", missing=True),  # X
    # "-": no data because the presentation level, the list of units or the list of
    # characteristics changed in the period
    15: Attribute("dash_unit_or_level_change", missing=True),
    17: Attribute("methodology_change_below_display_precision", missing=False),  # A
    20: Attribute("low_precision", missing=False),  # v: "Dane o niskiej precyzji"
    21: Attribute("low_precision", missing=False),  # v (same text as 20)
    50: Attribute("not_yet_available", missing=True),  # n: "Dana jeszcze niedostępna"
    91: Attribute("no_data_confidential_or_not_applicable", missing=True),  # x (same as 4)
    # z: a real zero from a balance of non-zero inputs (e.g. births = deaths): keep the 0
    94: Attribute("zero_from_balance", missing=False),
    97: Attribute("powiat_and_city_combined", missing=False),  # p: powiat + city with its rights
    98: Attribute("methodology_change_zero_from_balance", missing=False),  # Z
}

# The symbols of those attributes in the same answer, as BDL's web exports print them in their
# `Atrybut` column (issue 17: the long layout keeps them beside the number). Symbols shared by
# two ids (x: 4 and 91, v: 20 and 21) mean the same.
SYMBOLS: Final[dict[str, int]] = {
    "k": 3, "x": 4, "a": 7, "s": 9, "M": 11, "K": 13, "X": 14, "A": 17, "v": 20, "n": 50,
    "z": 94, "p": 97, "Z": 98,
}  # fmt: skip


def attribute_for_symbol(symbol: str) -> Attribute | None:
    """The attribute an export's `Atrybut` cell names by its symbol (`s`) or its id (`9`)."""
    if symbol.isdigit():
        return ATTRIBUTES.get(int(symbol))
    found = SYMBOLS.get(symbol)
    return None if found is None else ATTRIBUTES[found]


T = TypeVar("T")

_YEAR: Final = re.compile(r"^\d{4}$")
_AT_PATH: Final = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
_MISSING_FIELD: Final = re.compile(r"missing required field `(?P<name>[^`]+)`")


class SkippedUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit with values but no TERC code (Polska, makroregion, region, podregion)."""

    bdl_id: str
    name: str
    row: int | None
    """The result's row in the page; None when the whole by-unit answer is for this unit."""
    values: int


class ParsedData(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    total_records: int
    page: int
    page_size: int
    records: list[ObservationRecord]
    skipped: list[SkippedUnit]


class PageInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What paging needs from a page, read without decoding its values."""

    total_records: int
    page: int
    page_size: int
    results: int


class _Value(msgspec.Struct, frozen=True, rename="camel"):
    year: str
    attr_id: int
    val: float | None = None


class _VariableResult(msgspec.Struct, frozen=True):
    id: str
    name: str
    values: list[_Value]


class _UnitResult(msgspec.Struct, frozen=True):
    id: int
    values: list[_Value]


class _Envelope(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    total_records: int
    results: list[msgspec.Raw]
    page: int = 0
    page_size: int = 0


class _VariablePage(_Envelope, frozen=True, kw_only=True, rename="camel"):
    variable_id: int


class _UnitBody(_Envelope, frozen=True, kw_only=True, rename="camel"):
    unit_id: str
    unit_name: str


def read_page_info(raw: bytes, *, source: str) -> PageInfo:
    page = _decode(raw, _Envelope, source, "paged answer")
    return PageInfo(
        total_records=page.total_records,
        page=page.page,
        page_size=page.page_size,
        results=len(page.results),
    )


def parse_variable_page(raw: bytes, *, source: str) -> ParsedData:
    """One page of `data/by-variable/{id}`: one result per unit, each with yearly values."""
    page = _decode(raw, _VariablePage, source, "data/by-variable page")
    problems = ProblemCollector(source)
    records: list[ObservationRecord] = []
    skipped: list[SkippedUnit] = []
    for row, raw_result in _rows(page):
        result = _decode_row(raw_result, _VariableResult, row, problems)
        if result is None:
            continue
        teryt = teryt_from_bdl_id(result.id)
        # Values of skipped units are checked too: a broken body is refused whichever unit.
        read = _records(
            result.values, teryt=teryt or "", variable=str(page.variable_id), row=row, p=problems
        )
        if teryt is None:
            skipped.append(
                SkippedUnit(bdl_id=result.id, name=result.name, row=row, values=len(result.values))
            )
        else:
            records.extend(read)
    problems.raise_if_any()
    return _parsed(source, page, records, skipped)


def parse_unit_data(raw: bytes, *, source: str) -> ParsedData:
    """`data/by-unit/{unitId}`: one unit, one result per variable, each with yearly values."""
    body = _decode(raw, _UnitBody, source, "data/by-unit answer")
    problems = ProblemCollector(source)
    teryt = teryt_from_bdl_id(body.unit_id)
    records: list[ObservationRecord] = []
    values = 0
    for row, raw_result in _rows(body):
        result = _decode_row(raw_result, _UnitResult, row, problems)
        if result is None:
            continue
        values += len(result.values)
        read = _records(
            result.values, teryt=teryt or "", variable=str(result.id), row=row, p=problems
        )
        if teryt is not None:
            records.extend(read)
    problems.raise_if_any()
    skipped = []
    if teryt is None:
        skipped.append(
            SkippedUnit(bdl_id=body.unit_id, name=body.unit_name, row=None, values=values)
        )
    return _parsed(source, body, records, skipped)


def _parsed(
    source: str, page: _Envelope, records: list[ObservationRecord], skipped: list[SkippedUnit]
) -> ParsedData:
    return ParsedData(
        source=source,
        total_records=page.total_records,
        page=page.page,
        page_size=page.page_size,
        records=records,
        skipped=skipped,
    )


def _rows(page: _Envelope) -> list[tuple[int, msgspec.Raw]]:
    """Number results 1, 2, ... across pages, so row N is the N-th result of the whole query."""
    offset = page.page * page.page_size
    return [(offset + index, raw) for index, raw in enumerate(page.results, start=1)]


def _records(
    values: list[_Value], *, teryt: str, variable: str, row: int, p: ProblemCollector
) -> list[ObservationRecord]:
    records = []
    for index, value in enumerate(values):
        field = f"values[{index}]"
        if not _YEAR.match(value.year):
            p.add(f"year {value.year!r} is not a four-digit year", row=row, field=f"{field}.year")
            continue
        attribute = ATTRIBUTES.get(value.attr_id)
        if attribute is None:
            p.add(
                f"unknown attrId {value.attr_id}; read its meaning from BDL /attributes and add"
                " it to loaders.bdl.api_json.ATTRIBUTES",
                row=row,
                field=f"{field}.attrId",
            )
            continue
        if not attribute.missing and value.val is None:
            p.add(
                f"val is null but attrId {value.attr_id} says it is a value",
                row=row,
                field=f"{field}.val",
            )
            continue
        records.append(
            ObservationRecord(
                row=row,
                teryt=teryt,
                variable=variable,
                year=int(value.year),
                value=None if attribute.missing else value.val,
                flag=attribute.flag,
            )
        )
    return records


def _decode(raw: bytes, kind: type[T], source: str, what: str) -> T:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:  # a subclass of DecodeError: catch it first
        message, field = _split_error(exc)
        raise LoadRefused.one(
            source, f"not a BDL {what}: {message}", field=field, code="unreadable_file"
        ) from exc
    except msgspec.DecodeError as exc:
        raise LoadRefused.one(
            source,
            f"not BDL JSON ({exc}); the body starts with {raw[:80]!r}",
            code="unreadable_file",
        ) from exc


def _decode_row(raw: msgspec.Raw, kind: type[T], row: int, p: ProblemCollector) -> T | None:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        message, field = _split_error(exc)
        p.add(message, row=row, field=field)
        return None


def _split_error(exc: msgspec.ValidationError) -> tuple[str, str | None]:
    """msgspec says "Expected `float`, got `str` - at `$.values[3].val`"; split the path off."""
    text = str(exc)
    at = _AT_PATH.search(text)
    path = at["path"] if at else ""
    message = text[: at.start()] if at else text
    missing = _MISSING_FIELD.search(message)
    if missing:
        path = f"{path}.{missing['name']}" if path else missing["name"]
    return message, path or None
