"""Read BDL web exports (`*_CTAB_*.csv`, `*_CREL_*.csv`) into observations.

The exports differ from file to file: `;` or `,` between fields, decimal comma or point, a
quoted or bare header, a trailing separator, the year in a column header or nowhere at all,
the header cells joined or split (loaders/bdl/export_header.py reads every such header).
The year and unit are taken from the header when it says them; a year it does not say must
be given by the steward (never guessed from a file name). `--column` names a column by its
variable (or group, dimension: any run of its name parts, or all of them joined by `;`),
whatever year and unit follow. The first column is the 7-digit code `WWPPGGR` (`0000000`
Polska, `WW00000` voivodeship, `WWPP000` powiat), the second the name with the RODZ in
brackets (`"Kraków (1)"`); the same unit may appear twice.
"""

import csv
import re
from collections import Counter
from collections.abc import Collection
from io import StringIO
from itertools import chain
from typing import Final

from loaders.bdl.export_format import (
    LATEST_YEAR,
    ExportColumn,
    ExportData,
    parse_number,
    to_teryt,
)
from loaders.bdl.export_header import (
    NAME_COLUMNS,
    WideColumn,
    column_keys,
    detect_decimal,
    naming_key,
    sniff_dialect,
    wide_columns,
)
from loaders.bdl.export_long import is_long_layout, parse_bdl_long_export
from loaders.errors import LoadRefused, ProblemCollector
from loaders.observations import ObservationRecord
from loaders.source_text import SourceText

_CODE: Final = re.compile(r"^\d{7}$")
_YEAR_IN_HEADER: Final = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_RODZ_IN_NAME: Final = re.compile(r"\((\d)\)\s*$")
_NAME: Final = re.compile(r"^[A-Za-z0-9ĄĆĘŁŃÓŚŹŻąćęłńóśźż .,()'\-/]+$")
NEGATIVE_FLAG: Final = "negative_at_source"
ZERO_FLAG: Final = "zero_at_source"
"""A 0 the quantity cannot be (a gmina's own revenue), stored as missing (`zero_as_missing`)."""


def parse_bdl_export(  # noqa: PLR0912, PLR0915 - one pass, one check per field
    source: SourceText,
    *,
    columns: dict[str, str],
    year: int | None = None,
    multiplier: float = 1.0,
    allow_negative: bool = False,
    negative_as_missing: Collection[str] = (),
    zero_as_missing: bool = False,
) -> ExportData:
    """Observations of the mapped `columns` (`--column` key -> Miarka variable code).

    `multiplier` converts the file's unit (e.g. thousands of persons) into the variable's;
    values must be counts (non-negative) unless `allow_negative` (balances, changes). Columns
    in `negative_as_missing` keep a negative count as missing, flagged `negative_at_source`: the
    steward's documented decision for a known defect of a published file (data/PROVENANCE.md).
    """
    text = source.text
    first_line, _, body = text.partition("\n")
    delimiter = sniff_dialect(first_line)
    decimal = detect_decimal(delimiter, body)
    reader = csv.reader(StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise LoadRefused.one(
            source.file, f"no header row: {exc}", row=1, code="missing_header"
        ) from exc
    if header and header[-1] == "":
        header = header[:-1]
    if len(header) < 3 or header[0].lower() not in {"kod", "code"}:  # noqa: PLR2004
        raise LoadRefused.one(
            source.file,
            f"expected a BDL export header starting with Kod;Nazwa, found {first_line[:80]!r}",
            row=1,
            field=header[0] if header else None,
            code="missing_header",
        )
    if is_long_layout(header):
        return parse_bdl_long_export(
            source, header, reader, delimiter=delimiter, decimal=decimal, columns=columns,
            multiplier=multiplier, allow_negative=allow_negative,
        )  # fmt: skip
    problems = ProblemCollector(source.file)
    rows = enumerate(reader, start=2)
    read_ahead: list[tuple[int, list[str]]] = []
    try:
        for row_number, raw_fields in rows:
            read_ahead.append((row_number, raw_fields))
            if any(field.strip() for field in raw_fields):
                break
        layout = wide_columns(header, read_ahead[-1][1] if read_ahead else None)
        width = NAME_COLUMNS + len(layout)
        wanted = _mapped_columns(source.file, layout, columns, year)
        negative_keys = column_keys(negative_as_missing)
        kept_negative = {
            position
            for position, head in enumerate(layout, start=NAME_COLUMNS)
            if naming_key(negative_keys, head.header, head.cell) is not None
        }
        records: list[ObservationRecord] = []
        seen: dict[str, tuple[int, list[str]]] = {}
        skipped: list[tuple[int, str]] = []
        duplicates = 0
        for row_number, raw_fields in chain(read_ahead, rows):
            if not any(field.strip() for field in raw_fields):
                continue
            trailing = bool(raw_fields) and raw_fields[-1] == ""
            fields = raw_fields[:-1] if trailing and len(raw_fields) == width + 1 else raw_fields
            if len(fields) != width:
                problems.add(f"expected {width} fields, found {len(fields)}", row=row_number)
                continue
            code, name = fields[0].strip(), fields[1].strip()
            if not _CODE.match(code):
                problems.add(
                    f"not a 7-digit code: {code!r}", row=row_number, field=header[0],
                    code="bad_code",
                )  # fmt: skip
                continue
            teryt = to_teryt(code)
            if teryt is None:
                skipped.append((row_number, f"{name} ({code}) is not a unit of the register"))
                continue
            if not _NAME.match(name):
                odd = "".join(sorted({ch for ch in name if not _NAME.match(ch)}))
                problems.add(
                    f"unexpected character(s) {odd!r} in {name!r}: the file was re-encoded "
                    "on the way (BDL exports are UTF-8 or Windows-1250)",
                    row=row_number,
                    field=header[1],
                    code="wrong_encoding",
                )
                continue
            rodz = _RODZ_IN_NAME.search(name)
            if len(teryt) == 7 and rodz is not None and rodz.group(1) != teryt[6]:  # noqa: PLR2004
                problems.add(
                    f"name {name!r} says RODZ {rodz.group(1)} but the code says {teryt[6]}",
                    row=row_number,
                    field=header[1],
                    code="inconsistent",
                )
                continue
            values = [fields[i].strip() for i in wanted]
            earlier = seen.get(teryt)
            if earlier is not None:
                if earlier[1] == values:
                    duplicates += 1
                    continue
                problems.add(
                    f"code {code} appears again with other values (first at row {earlier[0]})",
                    row=row_number,
                    field=header[0],
                    code="duplicate_key",
                )
                continue
            seen[teryt] = (row_number, values)
            for (position, column), raw in zip(wanted.items(), values, strict=True):
                value, flag = parse_number(raw, decimal)
                if value is None and flag is None:
                    problems.add(
                        f"not a number: {raw!r}", row=row_number, field=column.header,
                        code="not_a_number",
                    )  # fmt: skip
                    continue
                if value == 0 and zero_as_missing:
                    value, flag = None, ZERO_FLAG
                if value is not None and value < 0 and position in kept_negative:
                    value, flag = None, NEGATIVE_FLAG
                if value is not None and value < 0 and not allow_negative:
                    problems.add(
                        f"negative value {raw} in a column of counts", row=row_number,
                        field=column.header, code="negative_count",
                    )  # fmt: skip
                    continue
                records.append(
                    ObservationRecord(
                        row=row_number,
                        teryt=teryt,
                        variable=column.variable,
                        year=column.year,
                        value=None if value is None else value * multiplier,
                        flag=flag,
                    )
                )
            if problems.full:
                break
    except csv.Error as exc:
        problems.add(f"malformed CSV: {exc}", row=reader.line_num, code="unreadable_file")
        problems.raise_if_any()
    problems.raise_if_any()
    if not records:
        raise LoadRefused.one(source.file, "the file holds no values", row=2)
    return ExportData(
        file=source.file,
        delimiter=delimiter,
        decimal=decimal,
        columns=list(wanted.values()),
        records=records,
        skipped=skipped,
        duplicates=duplicates,
    )


def _mapped_columns(
    file: str, layout: list[WideColumn], columns: dict[str, str], year: int | None
) -> dict[int, ExportColumn]:
    wanted: dict[int, ExportColumn] = {}
    keys = column_keys(columns)
    named: set[str] = set()
    for head in layout:
        name, cell = head.header, head.cell
        key = naming_key(keys, name, cell)
        if key is None:
            continue
        named.add(key)
        found = cell.year
        if found is None and (in_text := _YEAR_IN_HEADER.search(name)) is not None:
            found = int(in_text.group(1))
        column_year = found if found is not None else year
        if column_year is not None and column_year > LATEST_YEAR:
            raise LoadRefused.one(
                file, f"year {column_year} is in the future; no statistics exist for it yet",
                row=1, field=name, code="out_of_range",
            )  # fmt: skip
        if column_year is None:
            raise LoadRefused.one(
                file,
                f"column {name!r} does not say its year and none was given: pass --year",
                row=1,
                field=name,
                code="missing_header",
            )
        if found is not None and year is not None and found != year:
            raise LoadRefused.one(
                file,
                f"column {name!r} says {found} but --year {year} was given",
                row=1,
                field=name,
                code="inconsistent",
            )
        wanted[head.position] = ExportColumn(
            header=name, variable=columns[key], year=column_year, unit=cell.unit
        )
    missing = [key for key in columns if key not in named]
    if missing:
        listed = "; ".join(["Kod", "Nazwa", *(head.header for head in layout)])
        raise LoadRefused.one(
            file,
            f"column missing: no column is named {missing[0]!r} (header has: {listed})",
            row=1,
            field=missing[0],
            code="missing_column",
        )
    _refuse_repeated_or_mixed(file, list(wanted.values()))
    return wanted


def _refuse_repeated_or_mixed(file: str, columns: list[ExportColumn]) -> None:
    """One column per variable and year, and one unit per variable: one multiplier fits all."""
    twice = Counter((column.variable, column.year) for column in columns)
    repeated = [pair for pair, n in twice.items() if n > 1]
    if repeated:
        variable, column_year = repeated[0]
        raise LoadRefused.one(
            file,
            f"two columns give {variable} for {column_year}: name the column more exactly "
            "(all its name parts joined by ';')",
            row=1,
            field=next(c.header for c in columns if c.variable == variable),
            code="duplicate_column",
        )
    units: dict[str, ExportColumn] = {}
    for column in columns:
        first = units.setdefault(column.variable, column)
        if column.unit is not None and first.unit is not None and column.unit != first.unit:
            raise LoadRefused.one(
                file,
                f"column {column.header!r} gives {column.variable} in [{column.unit}] but "
                f"{first.header!r} in [{first.unit}]: one multiplier cannot fit both; "
                "load them as separate variables",
                row=1,
                field=column.header,
                code="inconsistent",
            )
