"""Parse an MF statement of JST shares in PIT (any of the five series) and check every row.

Pure: bytes in, rows out. Nothing is stored from a file with any problem: the header must be
the published one, every code a TERC code of the kind of unit its rozdział is for, every
amount a number of zł >= 0 with at most two decimals, and the closing balance must follow
from the amounts (należności pozostałe do zapłaty = należności - dochody wykonane +
nadpłaty; zaległości netto a part of it), so a shifted or retyped column is refused with its
sheet, row and field, never loaded.
"""

import re
from decimal import Decimal
from pathlib import Path
from typing import Final

import msgspec

from domains.units.kinds import VOIVODESHIP_CODES
from loaders.errors import LoadRefused, ProblemCode, ProblemCollector, SourceProblem
from loaders.gus_ages.workbook import Sheet, blank, read_sheets
from loaders.mf_pit.cells import amount_of, cell, code_part, text_of
from loaders.mf_pit.layout import (
    CODE_FIELD,
    COL_DW,
    COL_DZIAL,
    COL_GK,
    COL_GT,
    COL_NA,
    COL_NAME,
    COL_NO,
    COL_NP,
    COL_NZ,
    COL_PARAGRAF,
    COL_PK,
    COL_ROZDZIAL,
    COL_WK,
    DZIAL,
    FIELDS,
    HEADER,
    HEADER_ROWS,
    HEADER_SEARCH_ROWS,
    NOT_APPLICABLE,
    PIT_PARAGRAF,
    ROZDZIALY,
    TITLE_PREFIX,
    RowKind,
)

MAX_AMOUNT: Final = Decimal(10) ** 11
"""100 bn zł: Warsaw's gmina share, the largest, is about 5 bn a year."""
AMOUNT_COLUMNS: Final[dict[int, str]] = {
    COL_NA: "na",
    COL_DW: "dw",
    COL_NO: "no",
    COL_NZ: "nz",
    COL_NP: "np",
}
"""Columns -> the Rb-27S line column the amount is stored in (`budget_report_line`)."""
REQUIRED: Final = frozenset({COL_NA, COL_DW})
_YEAR: Final = re.compile(r"za rok budżetowy (\d{4})", re.IGNORECASE)
_FIRST_YEAR, _LAST_YEAR = 2004, 2100
"""Shares in PIT as a percentage of the tax paid by residents: since the 2004 act."""


class PitRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a statement: one unit's share for one rozdział, amounts as published."""

    sheet: str
    row: int
    """Excel row."""
    kind: RowKind
    code: str
    """TERC as the row gives it: 7 digits (gmina), 4 (city with powiat rights, powiat), 2
    (voivodeship; for the metropolis the voivodeship it lies in)."""
    wk: str
    pk: str
    gk: str
    gt: str
    """The codes as published, `-` where one does not apply."""
    name: str
    dzial: str
    rozdzial: str
    paragraf: str
    """Three digits, as budget lines store it; `p4` is the fourth."""
    p4: str
    amounts: dict[str, Decimal]
    """Only the amounts the row gives (na, dw always; no, nz, np where not empty)."""

    def problem(self, file: str, code: ProblemCode, message: str) -> SourceProblem:
        """A problem with the unit this row names, pointed at its code columns."""
        return SourceProblem(
            file=file, sheet=self.sheet, row=self.row, field=CODE_FIELD, code=code, message=message
        )


class PitStatement(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    year: int
    rows: list[PitRow]


def parse_mf_pit(path: Path) -> PitStatement:
    """Every non-empty sheet of the workbook: title, header, rows; refused on any problem."""
    file = path.name
    sheets = {name: rows for name, rows in read_sheets(path).items() if _has_content(rows)}
    if not sheets:
        raise LoadRefused.one(file, "the workbook has no sheet with content", code="missing_sheet")
    problems: list[SourceProblem] = []
    years: dict[str, int] = {}
    rows: list[PitRow] = []
    for name, sheet in sheets.items():
        collector = ProblemCollector(file, sheet=name)
        year, found = _parse_sheet(collector, sheet)
        problems.extend(collector.problems)
        if year is not None:
            years[name] = year
        rows.extend(found)
    if not problems and len(set(years.values())) > 1:
        shown = "; ".join(f"{sheet}: {year}" for sheet, year in years.items())
        raise LoadRefused.one(file, f"the sheets' titles name different years ({shown})",
                              row=1, code="inconsistent")  # fmt: skip
    if not problems:
        problems.extend(_duplicates(file, rows))
    if problems:
        raise LoadRefused(problems)
    return PitStatement(file=file, year=next(iter(years.values())), rows=rows)


def _has_content(sheet: Sheet) -> bool:
    return any(not blank(value) for row in sheet for value in row)


def _parse_sheet(collector: ProblemCollector, sheet: Sheet) -> tuple[int | None, list[PitRow]]:
    header = next(
        (i for i, row in enumerate(sheet[:HEADER_SEARCH_ROWS])
         if text_of(cell(row, COL_WK)).casefold() == "wk"),
        None,
    )  # fmt: skip
    if header is None:
        collector.add(
            f"no header row (a row starting with 'WK') in the first {HEADER_SEARCH_ROWS} rows",
            field="WK",
            code="missing_header",
        )
        return None, []
    year = _title_year(collector, sheet[:header])
    _check_header(collector, sheet, header)
    if collector.problems:
        return year, []
    rows = []
    for index in range(header + HEADER_ROWS, len(sheet)):
        if collector.full:
            break
        values = sheet[index]
        if all(blank(value) for value in values):
            continue
        found = _parse_row(collector, values, row=index + 1)
        if found is not None:
            rows.append(found)
    if not rows and not collector.problems:
        collector.add("the header is followed by no rows", row=header + HEADER_ROWS)
    return year, rows


def _title_year(collector: ProblemCollector, above: list[list[object]]) -> int | None:
    for index, row in enumerate(above):
        title = text_of(cell(row, 0))
        if not title.casefold().startswith(TITLE_PREFIX):
            continue
        found = _YEAR.search(title)
        year = int(found.group(1)) if found is not None else None
        if year is None or not _FIRST_YEAR <= year <= _LAST_YEAR:
            collector.add(f"the title names no budget year we can use: {title!r}",
                          row=index + 1, field="tytuł", code="out_of_range")  # fmt: skip
            return None
        return year
    collector.add(
        "no title 'Informacja o udziałach jednostek samorządu terytorialnego w podatku PIT za "
        "rok budżetowy <rok>' above the header",
        row=1,
        field="tytuł",
        code="missing_header",
    )
    return None


def _check_header(collector: ProblemCollector, sheet: Sheet, first: int) -> None:
    for expected in HEADER:
        index = first + expected.offset
        found = text_of(cell(sheet[index], expected.column)) if index < len(sheet) else ""
        if not found.casefold().startswith(expected.text.casefold()):
            collector.add(
                f"header cell {expected.text!r} expected, found {found!r}",
                row=index + 1,
                field=expected.text,
                code="missing_header",
            )


def _parse_row(collector: ProblemCollector, values: list[object], *, row: int) -> PitRow | None:
    before = len(collector.problems)
    codes = _codes(collector, values, row)
    classification = _classification(collector, values, row)
    name = text_of(cell(values, COL_NAME))
    if not name:
        collector.add("no name of the unit", row=row, field=FIELDS[COL_NAME])
    amounts = _amounts(collector, values, row)
    if len(collector.problems) > before or codes is None or classification is None:
        return None
    rozdzial, paragraf, p4 = classification
    kind = _kind(collector, codes, rozdzial, row)
    if kind is None:
        return None
    wk, pk, gk, gt = codes
    code = {"gmina": wk + pk + gk + gt, "city_gmina": wk + pk, "powiat": wk + pk}.get(kind, wk)
    _check_balance(collector, amounts, row)
    if len(collector.problems) > before:
        return None
    return PitRow(
        sheet=collector.sheet or "",
        row=row,
        kind=kind,
        code=code,
        wk=wk,
        pk=pk,
        gk=gk,
        gt=gt,
        name=name,
        dzial=DZIAL,
        rozdzial=rozdzial,
        paragraf=paragraf,
        p4=p4,
        amounts=amounts,
    )


def _codes(
    collector: ProblemCollector, values: list[object], row: int
) -> tuple[str, str, str, str] | None:
    parts = []
    for column, digits in ((COL_WK, 2), (COL_PK, 2), (COL_GK, 2), (COL_GT, 1)):
        raw = cell(values, column)
        part = code_part(raw, digits)
        if part is None or (column == COL_WK and part not in VOIVODESHIP_CODES):
            expected = "a voivodeship code" if column == COL_WK else f"{digits} digit(s) or '-'"
            collector.add(f"{FIELDS[column]} {raw!r} is not a TERC code part ({expected})",
                          row=row, field=FIELDS[column], code="bad_code")  # fmt: skip
            return None
        parts.append(part)
    return parts[0], parts[1], parts[2], parts[3]


def _classification(
    collector: ProblemCollector, values: list[object], row: int
) -> tuple[str, str, str] | None:
    dzial = text_of(cell(values, COL_DZIAL))
    rozdzial = text_of(cell(values, COL_ROZDZIAL))
    paragraf = code_part(cell(values, COL_PARAGRAF), 4) or ""
    if dzial != DZIAL:
        collector.add(f"dział {dzial!r}: the statements are of dział {DZIAL} only",
                      row=row, field=FIELDS[COL_DZIAL])  # fmt: skip
        return None
    if not rozdzial.startswith(dzial):
        collector.add(f"rozdział {rozdzial!r} is not a rozdział of dział {dzial}",
                      row=row, field=FIELDS[COL_ROZDZIAL], code="inconsistent")  # fmt: skip
        return None
    if rozdzial not in ROZDZIALY:
        collector.add(
            f"rozdział {rozdzial!r} is none of the PIT share rozdziały {', '.join(ROZDZIALY)}",
            row=row,
            field=FIELDS[COL_ROZDZIAL],
        )
        return None
    if not (paragraf.isdigit() and paragraf[:3] == PIT_PARAGRAF):
        collector.add(f"paragraf {cell(values, COL_PARAGRAF)!r}: expected 0010 (PIT)",
                      row=row, field=FIELDS[COL_PARAGRAF], code="bad_code")  # fmt: skip
        return None
    return rozdzial, paragraf[:3], paragraf[3]


def _kind(
    collector: ProblemCollector, codes: tuple[str, str, str, str], rozdzial: str, row: int
) -> RowKind | None:
    """The kind of unit a row is for, from its rozdział and which codes it gives."""
    _, pk, gk, gt = codes
    given = (pk != NOT_APPLICABLE, gk != NOT_APPLICABLE, gt != NOT_APPLICABLE)
    shapes: dict[tuple[bool, bool, bool], RowKind] = {
        (True, True, True): "gmina",
        (True, False, False): "city_gmina" if rozdzial == "75621" else "powiat",
        (False, False, False): "metropolis" if rozdzial == "75634" else "voivodeship",
    }
    kind = shapes.get(given)
    if kind == "gmina" and gt not in {"1", "2", "3"}:
        kind = None  # RODZ of a gmina part or district: no share of its own
    if kind is None or kind not in ROZDZIALY[rozdzial].kinds:
        wanted = " or ".join(ROZDZIALY[rozdzial].kinds)
        collector.add(
            f"codes {'/'.join(codes)} are not those of a {wanted} (rozdział {rozdzial})",
            row=row,
            field=CODE_FIELD,
            code="bad_code",
        )
        return None
    return kind


def _amounts(collector: ProblemCollector, values: list[object], row: int) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for column, name in AMOUNT_COLUMNS.items():
        raw = cell(values, column)
        if blank(raw):
            if column in REQUIRED:
                collector.add("an empty cell where the statement gives an amount",
                              row=row, field=FIELDS[column], code="not_a_number")  # fmt: skip
            continue
        amount = amount_of(raw)
        field = FIELDS[column]
        if amount is None:
            collector.add(f"expected an amount in zł, found {raw!r}",
                          row=row, field=field, code="not_a_number")  # fmt: skip
        elif amount < 0:
            collector.add(f"a negative amount: {amount}", row=row, field=field,
                          code="negative_count")  # fmt: skip
        elif amount > MAX_AMOUNT:
            collector.add(f"{amount} zł is more than any unit's share in PIT",
                          row=row, field=field, code="out_of_range")  # fmt: skip
        else:
            amounts[name] = amount
    return amounts


def _check_balance(collector: ProblemCollector, amounts: dict[str, Decimal], row: int) -> None:
    """Należności pozostałe do zapłaty = należności - dochody wykonane + nadpłaty."""
    zero = Decimal(0)
    left = amounts.get("no", zero)
    expected = amounts["na"] - amounts["dw"] + amounts.get("np", zero)
    if left != expected:
        collector.add(
            f"należności pozostałe do zapłaty {left} differ from należności - dochody "
            f"wykonane + nadpłaty = {expected}",
            row=row,
            field=FIELDS[COL_NO],
            code="inconsistent",
        )
    elif amounts.get("nz", zero) > left:
        collector.add(f"zaległości netto {amounts['nz']} exceed the {left} left to pay",
                      row=row, field=FIELDS[COL_NZ], code="inconsistent")  # fmt: skip


def _duplicates(file: str, rows: list[PitRow]) -> list[SourceProblem]:
    """A second row for the same unit and rozdział would make the load ambiguous."""
    first: dict[tuple[str, str, str], PitRow] = {}
    problems = []
    for row in rows:
        key = (row.kind, row.code, row.rozdzial)
        seen = first.setdefault(key, row)
        if seen is not row:
            problems.append(
                row.problem(
                    file,
                    "duplicate_key",
                    f"a second row for {row.code}, rozdział {row.rozdzial} (first: "
                    f"sheet {seen.sheet}, row {seen.row})",
                )
            )
    return problems
