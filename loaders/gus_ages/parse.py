"""Parse GUS table 12 (population by sex and single year of age, per gmina) and check its sums.

One sheet per voivodeship. Each sheet has the title ("... W 2020 R.", "Stan w dniu 30
czerwca"), a header `Wyszczególnienie | Identyfikator terytorialny | Ogółem | ...`, then one
block per unit (see `layout`). Only the `Ogółem` column (both sexes, town and country) is
read. A count of "-" is GUS's sign that the phenomenon did not occur: 0 persons. The TERC code
is text in some sheets and a number (leading zero lost) in others.

Nothing is stored from a file with any problem: every block must add up (each 5-year group
to its single years, the total to the groups, each educational group such as 3-6 to its single
years, a city to its dzielnice or delegatury), so a shifted or retyped row is refused with
its sheet, row and field, never loaded.
"""

import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Final

import msgspec

from loaders.errors import MAX_PROBLEMS, LoadRefused, ProblemCollector, SourceProblem
from loaders.gus_ages.layout import (
    ECONOMIC_GROUPS,
    EDUCATIONAL_GROUPS,
    PRE_WORKING,
    SINGLE_YEARS,
    TOTAL,
    VARIABLE_NAMES,
    AgeRange,
    Label,
    classify,
    normalise_label,
)
from loaders.gus_ages.workbook import Sheet, blank, checked_count, read_sheets, whole_number
from loaders.unit_codes import gmina_code_problem, normalise_terc

COL_LABEL: Final = "Wyszczególnienie"
COL_CODE: Final = "Identyfikator terytorialny"
COL_TOTAL: Final = "Ogółem"
HEADER: Final = (COL_LABEL, COL_CODE, COL_TOTAL)
"""The first three header cells, in this order (the rest are by sex and town/country)."""
HEADER_SEARCH_ROWS: Final = 20
UNIT_RODZ: Final = frozenset("1234589")
DISTRICT_RODZ: Final = frozenset("89")
NONE_OCCURRED: Final = "-"
"""GUS's sign for "the phenomenon did not occur": a count of 0."""
_YEAR: Final = re.compile(r"\bW (\d{4}) R\b", re.IGNORECASE)
_AS_OF: Final = re.compile(r"Stan w dniu (\d{1,2}) (\w+)", re.IGNORECASE)
_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        (
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ),
        start=1,
    )
}


class UnitAges(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's block: persons by variable (None: the block has no row for that age)."""

    sheet: str
    row: int
    """Excel row of the unit's name, code and total."""
    name: str
    code: str
    """The 7-digit TERC code as the file gives it (2020 division), zero-padded."""
    values: dict[str, int | None]
    rows: dict[str, int]
    """Excel row each value was read from (for a missing age: its 5-year group's row)."""


class AgesTable(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    year: int
    as_of: date
    units: list[UnitAges]


class _Row(msgspec.Struct, frozen=True):
    label: Label
    row: int
    value: int


class _Block:
    """The rows of one unit while they are read."""

    def __init__(self, sheet: str, row: int, name: str, code: str, total: int) -> None:
        self.sheet = sheet
        self.row = row
        self.name = name
        self.code = code
        self.total = total
        self.singles: dict[int, _Row] = {}
        self.groups: list[_Row] = []
        self.educational: dict[str, _Row] = {}
        self.educational_total: _Row | None = None
        self.economic: dict[str, _Row] = {}
        self.broken = False
        """A cell of the block was refused: its sums are not checked (no follow-on problems)."""


def parse_gus_ages(path: Path) -> AgesTable:
    """Read and check the whole workbook; refuse it with every problem found (up to 100)."""
    file = path.name
    sheets = read_sheets(path)
    problems: list[SourceProblem] = []
    units: list[UnitAges] = []
    years: dict[str, tuple[int, date]] = {}
    for name, rows in sheets.items():
        collector = ProblemCollector(file, sheet=name)
        dated = _title(collector, rows)
        sheet_units = _units(collector, name, rows)
        if dated is not None:
            years[name] = dated
        if not sheet_units and not collector.problems:
            collector.add("the sheet has a header but no units", code="missing_header")
        problems.extend(collector.problems)
        units.extend(sheet_units)
        if len(problems) >= MAX_PROBLEMS:
            break
    if not sheets:
        problems.append(SourceProblem(file=file, message="the workbook has no sheets"))
    problems.extend(_cross_checks(file, units, years))
    if problems:
        raise LoadRefused(problems)
    year, as_of = next(iter(years.values()))
    return AgesTable(file=file, year=year, as_of=as_of, units=units)


def _cell(row: list[object], index: int) -> object:
    return row[index] if index < len(row) else None


def _title(collector: ProblemCollector, rows: Sheet) -> tuple[int, date] | None:
    """The year ("... W 2020 R.") and the day ("Stan w dniu 30 czerwca") of the sheet."""
    lines = [
        " ".join(str(cell).split())
        for row in rows[:HEADER_SEARCH_ROWS]
        for cell in row[:1]
        if isinstance(cell, str)
    ]
    year = next((int(m.group(1)) for line in lines if (m := _YEAR.search(line))), None)
    stan = next((m for line in lines if (m := _AS_OF.search(line))), None)
    if year is None or stan is None:
        missing = "the year ('... W 2020 R.')" if year is None else "'Stan w dniu ...'"
        collector.add(f"the title lacks {missing}", row=1, field=COL_LABEL, code="missing_header")
        return None
    month = _MONTHS.get(stan.group(2).lower())
    try:
        return year, date(year, month or 0, int(stan.group(1)))
    except ValueError:
        collector.add(f"not a date: {stan.group(0)!r}", row=1, field=COL_LABEL)
        return None


def _header_row(collector: ProblemCollector, rows: Sheet) -> int | None:
    """Index of the header row, after checking its first three cells."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if normalise_label(_cell(row, 0) or "").startswith(COL_LABEL):
            for position, expected in enumerate(HEADER):
                if not normalise_label(_cell(row, position) or "").startswith(expected):
                    collector.add(
                        f"header cell {position + 1} should be {expected!r}, "
                        f"found {_cell(row, position)!r}",
                        row=index + 1,
                        field=expected,
                        code="missing_header",
                    )
                    return None
            return index
    collector.add(
        f"no header row ({' | '.join(HEADER)}) in the first {HEADER_SEARCH_ROWS} rows",
        field=COL_LABEL,
        code="missing_header",
    )
    return None


def _units(collector: ProblemCollector, sheet: str, rows: Sheet) -> list[UnitAges]:
    header = _header_row(collector, rows)
    if header is None:
        return []
    units: list[UnitAges] = []
    block: _Block | None = None
    for index in range(header + 1, len(rows)):
        if collector.full:
            break
        row, excel_row = rows[index], index + 1
        label, code_cell, count_cell = (_cell(row, i) for i in range(3))
        if blank(label) and blank(code_cell) and blank(count_cell):
            continue  # the sub-header (razem, mężczyźni, ...) and empty rows
        count = _count(collector, excel_row, count_cell)
        if not blank(code_cell):
            if block is not None and (unit := _finish(collector, block)) is not None:
                units.append(unit)
            code = _code(collector, excel_row, code_cell)
            block = None
            if code is not None and count is not None:
                block = _Block(sheet, excel_row, " ".join(str(label).split()), code, count)
            continue
        if block is None:
            if not collector.problems:
                collector.add(
                    f"a row of ages before the first unit: {label!r}",
                    row=excel_row,
                    field=COL_CODE,
                    code="missing_header",
                )
            continue
        _add_row(collector, block, excel_row, label, count)
    if block is not None and (unit := _finish(collector, block)) is not None:
        units.append(unit)
    return units


def _code(collector: ProblemCollector, row: int, cell: object) -> str | None:
    code = normalise_terc(cell)
    problem = gmina_code_problem(code, cell, UNIT_RODZ, "a GUS kind of gmina or part (1-5, 8, 9)")
    if problem is not None:
        collector.add(problem, row=row, field=COL_CODE, code="bad_code")
        return None
    return code


def _count(collector: ProblemCollector, row: int, cell: object) -> int | None:
    """Persons in a cell: a whole number, or "-" (none occurred) as 0."""
    if isinstance(cell, str) and cell.strip() == NONE_OCCURRED:
        return 0
    return checked_count(
        collector, cell, whole_number(cell), row=row, field=COL_TOTAL, expected="a count of persons"
    )


def _add_row(
    collector: ProblemCollector, block: _Block, row: int, raw: object, count: int | None
) -> None:
    text = normalise_label(raw)
    label = classify(text)
    if label is None:
        collector.add(
            f"unknown row label {text!r} in the block of {block.name} ({block.code})",
            row=row,
            field=COL_LABEL,
        )
        return
    if count is None:
        block.broken = True
        return
    entry = _Row(label, row, count)
    duplicate = False
    if label.kind == "single" and label.ages is not None:
        duplicate = label.ages.first in block.singles
        block.singles.setdefault(label.ages.first, entry)
    elif label.kind == "educational":
        duplicate = text in block.educational
        block.educational.setdefault(text, entry)
    elif label.kind == "group":
        duplicate = any(g.label.ages == label.ages for g in block.groups)
        if not duplicate:
            block.groups.append(entry)
    elif label.kind == "educational_total":
        duplicate = block.educational_total is not None
        block.educational_total = block.educational_total or entry
    elif label.kind == "economic" and label.variable is not None:
        duplicate = label.variable in block.economic
        block.economic.setdefault(label.variable, entry)
    if duplicate:
        collector.add(
            f"row {text!r} appears twice in the block of {block.name} ({block.code})",
            row=row,
            field=COL_LABEL,
            code="duplicate_key",
        )


def _finish(collector: ProblemCollector, block: _Block) -> UnitAges | None:
    """Check the block's sums and turn it into a unit; None when any check failed."""
    if block.broken:
        return None
    before = len(collector.problems)
    groups = sorted(block.groups, key=lambda g: _ages(g).first)
    _check_groups(collector, block, groups)
    _check_singles(collector, block, groups)
    _check_educational(collector, block, groups)
    _check_economic(collector, block, groups)
    if len(collector.problems) > before:
        return None
    values: dict[str, int | None] = {TOTAL: block.total}
    rows = {TOTAL: block.row}
    for age in SINGLE_YEARS:
        single = block.singles.get(age)
        values[f"age_{age}"] = single.value if single is not None else None
        rows[f"age_{age}"] = single.row if single is not None else _group_row(groups, age, block)
    for label, (variable, _) in EDUCATIONAL_GROUPS.items():
        values[variable] = block.educational[label].value
        rows[variable] = block.educational[label].row
    for variable, entry in block.economic.items():
        values[variable] = entry.value
        rows[variable] = entry.row
    return UnitAges(
        sheet=block.sheet,
        row=block.row,
        name=block.name,
        code=block.code,
        values=values,
        rows=rows,
    )


def _ages(row: _Row) -> AgeRange:
    return row.label.ages or AgeRange(-1, -1)


def _group_row(groups: list[_Row], age: int, block: _Block) -> int:
    for group in groups:
        ages = _ages(group)
        if ages.first <= age and (ages.last is None or age <= ages.last):
            return group.row
    return block.row


def _check_groups(collector: ProblemCollector, block: _Block, groups: list[_Row]) -> None:
    """The age groups cover 0 to an open group once each, and add up to the total."""
    expected_first = 0
    for group in groups:
        ages = _ages(group)
        if ages.first != expected_first or (ages.last is None and group is not groups[-1]):
            collector.add(
                f"the age groups of {block.name} ({block.code}) do not follow on: expected a "
                f"group from {expected_first}, found {group.label.ages}",
                row=group.row,
                field=COL_LABEL,
                code="missing_header",
            )
            return
        expected_first = (ages.last or 0) + 1
    if not groups or _ages(groups[-1]).last is not None:
        collector.add(
            f"the block of {block.name} ({block.code}) has no open age group ('85 i więcej')",
            row=block.row,
            field=COL_LABEL,
            code="missing_header",
        )
        return
    total = sum(group.value for group in groups)
    if total != block.total:
        collector.add(
            f"{block.name} ({block.code}): total {block.total} but its age groups sum to {total}",
            row=block.row,
            field=COL_TOTAL,
            code="inconsistent",
        )


def _check_singles(collector: ProblemCollector, block: _Block, groups: list[_Row]) -> None:
    """Below 30, a group has a row for each of its years, or none; the years add up to it."""
    for group in groups:
        ages = _ages(group)
        if ages.last is None or ages.last not in SINGLE_YEARS:
            continue
        years = range(ages.first, ages.last + 1)
        present = [age for age in years if age in block.singles]
        if not present:
            continue  # ages missing at source (a few small gminas): stored as missing
        if len(present) < len(years):
            absent = ", ".join(str(age) for age in years if age not in block.singles)
            collector.add(
                f"{block.name} ({block.code}): group {ages.first}-{ages.last} has single-year "
                f"rows, but none for {absent}",
                row=group.row,
                field=COL_LABEL,
                code="missing_header",
            )
            continue
        total = sum(block.singles[age].value for age in years)
        if total != group.value:
            collector.add(
                f"{block.name} ({block.code}): {ages.first}-{ages.last} is {group.value} but "
                f"its single years sum to {total}",
                row=group.row,
                field=COL_TOTAL,
                code="inconsistent",
            )


def _check_educational(collector: ProblemCollector, block: _Block, groups: list[_Row]) -> None:
    """Every educational group is there and equals its ages (3-6 = 3 + 4 + 5 + 6, ...)."""
    absent = [label for label in EDUCATIONAL_GROUPS if label not in block.educational]
    if absent or block.educational_total is None:
        missing = ", ".join(absent) or "Edukacyjne grupy wieku"
        collector.add(
            f"the block of {block.name} ({block.code}) has no row {missing}",
            row=block.row,
            field=COL_LABEL,
            code="missing_header",
        )
        return
    for label, entry in block.educational.items():
        _check_sum_of_ages(collector, block, groups, label=label, entry=entry, ages=_ages(entry))
    total = sum(entry.value for entry in block.educational.values())
    if total != block.educational_total.value:
        collector.add(
            f"{block.name} ({block.code}): educational age groups are "
            f"{block.educational_total.value} but the five groups sum to {total}",
            row=block.educational_total.row,
            field=COL_TOTAL,
            code="inconsistent",
        )


def _check_economic(collector: ProblemCollector, block: _Block, groups: list[_Row]) -> None:
    """The three economic groups are there, add up to the total, and pre-working is 0-17."""
    absent = [label for label, code in ECONOMIC_GROUPS.items() if code not in block.economic]
    if absent:
        collector.add(
            f"the block of {block.name} ({block.code}) has no row {', '.join(absent)}",
            row=block.row,
            field=COL_LABEL,
            code="missing_header",
        )
        return
    total = sum(entry.value for entry in block.economic.values())
    if total != block.total:
        collector.add(
            f"{block.name} ({block.code}): the economic age groups sum to {total}, the total "
            f"is {block.total}",
            row=block.economic["age_working"].row,
            field=COL_TOTAL,
            code="inconsistent",
        )
    pre_working = block.economic["age_pre_working"]
    _check_sum_of_ages(
        collector, block, groups, label="Wiek przedprodukcyjny", entry=pre_working, ages=PRE_WORKING
    )


def _check_sum_of_ages(
    collector: ProblemCollector,
    block: _Block,
    groups: list[_Row],
    *,
    label: str,
    entry: _Row,
    ages: AgeRange,
) -> None:
    """The row `label` of a block equals the persons of its (closed) range of ages."""
    last = ages.last or ages.first
    summed = _sum_of_ages(block, groups, ages.first, last)
    if summed is not None and summed != entry.value:
        collector.add(
            f"{block.name} ({block.code}): {label} is {entry.value} but ages "
            f"{ages.first}..{last} sum to {summed}",
            row=entry.row,
            field=COL_TOTAL,
            code="inconsistent",
        )


def _sum_of_ages(block: _Block, groups: list[_Row], first: int, last: int) -> int | None:
    """Persons aged first..last from single years, or whole 5-year groups where years are
    missing; None when the block cannot tell (never happens in the 2020 file)."""
    by_first = {_ages(group).first: group for group in groups}
    total, age = 0, first
    while age <= last:
        if age in block.singles:
            total += block.singles[age].value
            age += 1
            continue
        group = by_first.get(age)
        group_last = _ages(group).last if group is not None else None
        if group is None or group_last is None or group_last > last:
            return None
        total += group.value
        age = group_last + 1
    return total


def _cross_checks(
    file: str, units: list[UnitAges], dates: dict[str, tuple[int, date]]
) -> list[SourceProblem]:
    """Across blocks: one date, each code once, one voivodeship a sheet, cities = districts."""
    problems: list[SourceProblem] = []
    if len(set(dates.values())) > 1:
        shown = "; ".join(f"{sheet}: {when[1]}" for sheet, when in dates.items())
        problems.append(
            SourceProblem(
                file=file,
                field=COL_LABEL,
                code="inconsistent",
                message=f"the sheets hold different dates ({shown})",
            )
        )
    problems.extend(_duplicates(file, units))
    problems.extend(_foreign_codes(file, units))
    problems.extend(_cities_against_districts(file, units))
    return problems


def _problem(file: str, unit: UnitAges, field: str, code: str, message: str) -> SourceProblem:
    return msgspec.convert(
        {
            "file": file,
            "sheet": unit.sheet,
            "row": unit.row,
            "field": field,
            "code": code,
            "message": message,
        },
        SourceProblem,
    )


def _duplicates(file: str, units: list[UnitAges]) -> list[SourceProblem]:
    first: dict[str, UnitAges] = {}
    problems = []
    for unit in units:
        if unit.code in first:
            seen = first[unit.code]
            problems.append(
                _problem(
                    file,
                    unit,
                    COL_CODE,
                    "duplicate_key",
                    f"code {unit.code} appears twice (first: sheet {seen.sheet}, row {seen.row})",
                )
            )
        first.setdefault(unit.code, unit)
    return problems


def _foreign_codes(file: str, units: list[UnitAges]) -> list[SourceProblem]:
    """A code of another voivodeship than the rest of its sheet: a pasted or retyped row."""
    by_sheet: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for unit in units:
        by_sheet[unit.sheet][unit.code[:2]] += 1
    problems = []
    for unit in units:
        usual = by_sheet[unit.sheet].most_common(1)[0][0]
        if unit.code[:2] != usual:
            problems.append(
                _problem(
                    file,
                    unit,
                    COL_CODE,
                    "inconsistent",
                    f"code {unit.code} of voivodeship {unit.code[:2]} in a sheet of "
                    f"voivodeship {usual}",
                )
            )
    return problems


def _cities_against_districts(file: str, units: list[UnitAges]) -> list[SourceProblem]:
    """Warsaw is the sum of its dzielnice, Łódź, Poznań, Wrocław of their delegatury."""
    by_code = {unit.code: unit for unit in units}
    districts: defaultdict[str, list[UnitAges]] = defaultdict(list)
    for unit in units:
        if unit.code[6] in DISTRICT_RODZ:
            districts[unit.code[:4] + "011"].append(unit)
    problems = []
    for city_code, parts in sorted(districts.items()):
        city = by_code.get(city_code)
        if city is None:
            continue
        for variable in VARIABLE_NAMES:
            values = [part.values[variable] for part in parts]
            whole = city.values[variable]
            known = [value for value in values if value is not None]
            if whole is None or len(known) < len(values) or sum(known) == whole:
                continue
            problems.append(
                _problem(
                    file,
                    msgspec.structs.replace(city, row=city.rows[variable]),
                    COL_TOTAL,
                    "inconsistent",
                    f"{city.name} ({city_code}): {variable} is {whole} but its {len(parts)} "
                    f"districts sum to {sum(known)}",
                )
            )
    return problems
