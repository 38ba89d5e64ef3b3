"""Read a BDL export in the long (CREL-like) layout: one row per unit, dimension and year.

`Kod;Nazwa;<dimension>...;Rok;Wartosc;Jednostka miary;Atrybut`: the columns between `Nazwa`
and `Rok` are the dimensions (`Miesiące`, `Wyszczególnienie`, ...), whose values joined by `;`
name the series the way a CTAB header cell does (`"grudzień;stopa bezrobocia
rejestrowanego"`), so `--column` names it by any of its parts or all of them. Codes may have
lost their leading zero (`201000` for `0201000`, `0` for Polska); an empty value with an
attribute is a gap the source declares, stored as missing with that attribute as its flag. A
number with an attribute keeps it as the flag the BDL API gives it (`s`, "szacunki wstępne":
`preliminary_estimate`), as the API loader does.
"""

import re
from collections.abc import Iterable
from typing import Final

from loaders.bdl.api_json import attribute_for_symbol
from loaders.bdl.export_format import (
    LATEST_YEAR,
    ExportColumn,
    ExportData,
    HeaderCell,
    parse_number,
    to_teryt,
)
from loaders.bdl.export_header import column_keys, naming_key
from loaders.errors import LoadRefused, ProblemCollector
from loaders.observations import ObservationRecord
from loaders.source_text import SourceText

YEAR_COLUMN: Final = "rok"
VALUE_COLUMNS: Final = frozenset({"wartosc", "wartość"})
UNIT_COLUMN: Final = "jednostka miary"
ATTRIBUTE_COLUMN: Final = "atrybut"
_SHORT_CODE: Final = re.compile(r"^\d{1,7}$")
_YEAR: Final = re.compile(r"^(19[5-9]\d|20\d\d)$")


def is_long_layout(header: list[str]) -> bool:
    names = {name.strip().lower() for name in header}
    return YEAR_COLUMN in names and bool(names & VALUE_COLUMNS)


class _Layout:
    """Positions of the columns of one long-layout header."""

    def __init__(self, file: str, header: list[str]) -> None:
        lowered = [name.strip().lower() for name in header]
        self.year = lowered.index(YEAR_COLUMN)
        self.value = next(i for i, name in enumerate(lowered) if name in VALUE_COLUMNS)
        self.unit = lowered.index(UNIT_COLUMN) if UNIT_COLUMN in lowered else None
        self.attribute = lowered.index(ATTRIBUTE_COLUMN) if ATTRIBUTE_COLUMN in lowered else None
        self.dimensions = list(range(2, self.year))
        if not self.dimensions or self.value < self.year:
            raise LoadRefused.one(
                file,
                "expected Kod;Nazwa;<dimensions>;Rok;Wartosc in this order, found "
                + ";".join(header),
                row=1,
                field="Rok",
                code="missing_column",
            )


def _with_attribute(value: float, attribute: str) -> tuple[float | None, str | None]:
    """A number with an `Atrybut`: the flag the BDL API gives that attribute (`s`: preliminary),
    the number kept; an attribute meaning no data (`x`, `n`) makes it missing, flagged as an
    empty cell with that attribute is; an attribute BDL does not list keeps the number, flagged
    with its symbol."""
    known = attribute_for_symbol(attribute)
    if known is not None and known.missing:
        return None, f"attribute_{attribute}"
    if known is not None:
        return value, known.flag
    return value, f"attribute_{attribute}"


class _LongReader:
    """One pass over the rows; the state a row is checked against (series found, keys seen)."""

    def __init__(
        self, source: SourceText, header: list[str], *, decimal: str,
        columns: dict[str, str], multiplier: float, allow_negative: bool,
    ) -> None:  # fmt: skip
        self.file = source.file
        self.header = header
        self.layout = _Layout(source.file, header)
        self.columns = columns
        self.keys = column_keys(columns)
        self.multiplier = multiplier
        self.allow_negative = allow_negative
        self.decimal = decimal
        self.problems = ProblemCollector(source.file)
        self.records: list[ObservationRecord] = []
        self.found: dict[tuple[str, int], ExportColumn] = {}
        self.named: set[str] = set()
        self.seen: dict[tuple[str, str, int], int] = {}
        self.skipped: list[tuple[int, str]] = []

    def _series(self, fields: list[str]) -> tuple[str, str] | None:
        """(series name, the `columns` key it matched), None for a series nobody asked for."""
        parts = tuple(fields[i].strip() for i in self.layout.dimensions)
        series = ";".join(parts)
        key = naming_key(self.keys, series, HeaderCell(parts, None, None, series))
        return None if key is None else (series, key)

    def _column(self, series: str, variable: str, year: int, unit: str, row: int) -> None:
        column = self.found.setdefault(
            (variable, year),
            ExportColumn(header=series, variable=variable, year=year, unit=unit or None),
        )
        if column.header != series:
            raise LoadRefused.one(
                self.file,
                f"two series give {variable} for {year} ({column.header!r} and {series!r}): "
                "name the series more exactly (all its dimension values joined by ';')",
                row=row,
                field=self.header[self.layout.dimensions[-1]],
                code="duplicate_column",
            )

    def _value(self, row: int, fields: list[str]) -> tuple[float | None, str | None] | None:
        """(value, flag), or None after reporting a value that is no number."""
        layout, field = self.layout, self.header[self.layout.value]
        raw = fields[layout.value].strip()
        attribute = fields[layout.attribute].strip() if layout.attribute is not None else ""
        if raw == "" and attribute:
            return None, f"attribute_{attribute}"
        value, flag = parse_number(raw, self.decimal)
        if value is None and flag is None:
            self.problems.add(f"not a number: {raw!r}", row=row, field=field, code="not_a_number")
            return None
        if value is not None and value < 0 and not self.allow_negative:
            self.problems.add(f"negative value {raw}", row=row, field=field, code="negative_count")
            return None
        if attribute and value is not None:
            return _with_attribute(value, attribute)
        return value, flag

    def read(self, row: int, fields: list[str]) -> None:
        header, layout, add = self.header, self.layout, self.problems.add
        matched = self._series(fields)
        if matched is None:
            return
        series, key = matched
        self.named.add(key)
        code, name = fields[0].strip(), fields[1].strip()
        raw_year = fields[layout.year].strip()
        if not _SHORT_CODE.match(code):
            add(f"not a unit code: {code!r}", row=row, field=header[0], code="bad_code")
            return
        if not _YEAR.match(raw_year) or int(raw_year) > LATEST_YEAR:
            add(f"not a year of statistics: {raw_year!r}", row=row,
                field=header[layout.year], code="out_of_range")  # fmt: skip
            return
        year, variable = int(raw_year), self.columns[key]
        unit = fields[layout.unit].strip() if layout.unit is not None else ""
        self._column(series, variable, year, unit, row)
        teryt = to_teryt(code.zfill(7))
        if teryt is None:
            self.skipped.append((row, f"{name} ({code}) is not a unit of the register"))
            return
        earlier = self.seen.setdefault((teryt, variable, year), row)
        if earlier != row:
            add(f"{name} ({code}) has a second value of {series!r} for {year} "
                f"(first at row {earlier})", row=row, field=header[0],
                code="duplicate_key")  # fmt: skip
            return
        parsed = self._value(row, fields)
        if parsed is None:
            return
        value, flag = parsed
        scaled = None if value is None else value * self.multiplier
        self.records.append(ObservationRecord(
            row=row, teryt=teryt, variable=variable, year=year, value=scaled, flag=flag
        ))  # fmt: skip


def parse_bdl_long_export(
    source: SourceText,
    header: list[str],
    rows: Iterable[list[str]],
    *,
    delimiter: str,
    decimal: str,
    columns: dict[str, str],
    multiplier: float = 1.0,
    allow_negative: bool = False,
) -> ExportData:
    """Observations of the series named in `columns` (series name -> Miarka variable code)."""
    reader = _LongReader(
        source, header, decimal=decimal, columns=columns, multiplier=multiplier,
        allow_negative=allow_negative,
    )  # fmt: skip
    for row, raw_fields in enumerate(rows, start=2):
        trailing = len(raw_fields) == len(header) + 1 and raw_fields[-1] == ""
        fields = raw_fields[:-1] if trailing else raw_fields
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            reader.problems.add(f"expected {len(header)} fields, found {len(fields)}", row=row)
        else:
            reader.read(row, fields)
        if reader.problems.full:
            break
    missing = sorted(set(columns) - reader.named)
    if missing:
        dimensions = ";".join(header[i] for i in reader.layout.dimensions)
        raise LoadRefused.one(
            source.file,
            f"series missing: no row has {dimensions} = {missing[0]!r}",
            row=1,
            field=missing[0],
            code="missing_column",
        )
    reader.problems.raise_if_any()
    if not reader.records:
        raise LoadRefused.one(source.file, "the file holds no values", row=2)
    return ExportData(
        file=source.file,
        delimiter=delimiter,
        decimal=reader.decimal,
        columns=sorted(reader.found.values(), key=lambda c: (c.variable, c.year)),
        records=reader.records,
        skipped=reader.skipped,
        duplicates=0,
    )
