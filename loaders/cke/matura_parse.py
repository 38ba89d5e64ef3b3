"""Parse one CKE matura workbook (results per school, one formula) and check every row.

Only the whole-exam block is read: takers (those who sat every required exam), certificates
(świadectwo dojrzałości) and the pass rate. CKE gives takers and certificates for every school
and the rate only from 5 takers on; where the rate is given it must equal 100 x certificates /
takers, and certificates never exceed takers, so a shifted or retyped column is refused with
its sheet, row and field. The exam boards' rows of external candidates are set aside (counted
in the run's warnings): they are not schools, and their candidates live anywhere.
"""

from pathlib import Path

import msgspec

from loaders.cke import cells
from loaders.cke.checks import exam_year, find_sheet, refuse_duplicates
from loaders.cke.header import Sheet
from loaders.cke.identity import (
    COL_CODE,
    COL_NAME,
    SHEET,
    find_header,
    identify,
    school_rows,
)
from loaders.cke.matura_layout import (
    COL_CERTIFICATES,
    COL_PASS_RATE,
    COL_RSPO,
    COL_TAKERS,
    COL_TYPE,
    EXAM_BOARD_PREFIX,
    ID_COLUMNS,
    PASS_RATE_TOLERANCE,
    SCHOOL_TYPES,
    WHOLE_EXAM,
    WHOLE_EXAM_COLUMNS,
    formula_mark,
    measure,
    measures,
    name_says,
)
from loaders.cke.model import ExamSchool, ExamTable
from loaders.errors import LoadRefused, ProblemCollector
from loaders.gus_ages.workbook import read_sheets

FIRST_EXAM_YEAR = 2005
"""The first "new" matura; the 2015 and 2023 formulas are later."""


class Layout(msgspec.Struct, frozen=True):
    header: int
    ids: dict[str, int]
    whole: dict[str, int]
    """Whole-exam header -> column index."""
    formula: int | None
    """What the exams' marks say ((M) 2023, (E) 2015); None when no block is marked."""


class MaturaTable(msgspec.Struct, frozen=True, kw_only=True):
    formula: int
    table: ExamTable


def parse_cke_matura(
    path: Path, *, year: int | None = None, formula: int | None = None
) -> MaturaTable:
    """Read and check the workbook; refuse it with every problem found (up to 100)."""
    file = path.name
    named_formula, named_year = name_says(file)
    exam = exam_year(file, year, named_year, FIRST_EXAM_YEAR, "EM2023_2023.xlsx")
    rows = find_sheet(file, read_sheets(path), SHEET)
    collector = ProblemCollector(file, sheet=SHEET)
    layout = _layout(collector, rows)
    collector.raise_if_any()
    assert layout is not None  # noqa: S101 - no problems means a layout
    which = _formula(file, formula, named_formula, layout)
    schools, boards, board_takers = _schools(collector, rows, layout, which)
    if not schools and not collector.problems:
        collector.add("the sheet has a header but no schools", code="missing_header")
    collector.raise_if_any()
    refuse_duplicates(file, SHEET, COL_RSPO, schools)
    note = (
        f"{boards} row(s) of the exam boards (external candidates, {board_takers:,} takers) "
        "are not schools: not stored, not counted in any unit"
        if boards
        else ""
    )
    return MaturaTable(
        formula=which,
        table=ExamTable(
            file=file,
            sheet=SHEET,
            year=exam,
            code_field=COL_CODE,
            schools=schools,
            measures=measures(which),
            skipped_rows=boards,
            skipped_note=note,
        ),
    )


def _formula(file: str, given: int | None, named: int | None, layout: Layout) -> int:
    """The formula: given, named (`EM2023_...`) and marked in the headers must agree."""
    said = {
        source: value
        for source, value in (("given", given), ("name", named), ("headers", layout.formula))
        if value is not None
    }
    if len(set(said.values())) > 1:
        shown = ", ".join(f"{source} {value}" for source, value in said.items())
        raise LoadRefused.one(
            file,
            f"the matura formula is contradictory ({shown})",
            sheet=SHEET,
            row=layout.header,
            code="inconsistent",
        )
    if not said:
        raise LoadRefused.one(
            file,
            "neither the name (EM2023_2023.xlsx) nor the headers ((M), (E)) say the formula",
            sheet=SHEET,
            row=layout.header,
            code="missing_header",
        )
    return next(iter(said.values()))


def _layout(collector: ProblemCollector, rows: Sheet) -> Layout | None:
    found = find_header(collector, rows, ID_COLUMNS, "exam blocks")
    if found is None:
        return None
    header, lower, labels = found.row, found.cells, found.labels
    whole: dict[str, int] = {}
    wanted = {name.lower(): name for name in WHOLE_EXAM_COLUMNS}
    for index, value in enumerate(lower):
        name = wanted.get(cells.header_text(value).lower())
        if name is None or labels[index].lower() != WHOLE_EXAM:
            continue
        if name in whole:
            collector.add(
                f"two columns {name!r} in the block {WHOLE_EXAM!r}",
                row=header + 1,
                field=name,
                code="duplicate_column",
            )
        whole.setdefault(name, index)
    for name in WHOLE_EXAM_COLUMNS:
        if name not in whole:
            collector.add(
                f"no column {name!r} in the block {WHOLE_EXAM!r}",
                row=header + 1,
                field=name,
                code="missing_header",
            )
    marks = {mark for label in set(labels) if (mark := formula_mark(label)) is not None}
    if len(marks) > 1:
        collector.add(
            "the exam blocks carry the marks of both formulas, (M) and (E)",
            row=header,
            field=WHOLE_EXAM,
            code="inconsistent",
        )
    if collector.problems:
        return None
    return Layout(header=header, ids=found.ids, whole=whole, formula=next(iter(marks), None))


def _schools(
    collector: ProblemCollector, rows: Sheet, layout: Layout, formula: int
) -> tuple[list[ExamSchool], int, int]:
    """The schools, and how many exam-board rows (and their takers) were set aside."""
    schools: list[ExamSchool] = []
    boards = board_takers = 0
    ids, whole = layout.ids, layout.whole
    for excel_row, row in school_rows(collector, rows, layout.header):
        before = len(collector.problems)
        name = cells.text_or_none(cells.cell(row, ids[COL_NAME]))
        takers = cells.count(collector, excel_row, COL_TAKERS, cells.cell(row, whole[COL_TAKERS]))
        certificates = cells.count(
            collector, excel_row, COL_CERTIFICATES, cells.cell(row, whole[COL_CERTIFICATES])
        )
        rate = cells.percent(
            collector, excel_row, COL_PASS_RATE, cells.cell(row, whole[COL_PASS_RATE])
        )
        if name is not None and name.upper().startswith(EXAM_BOARD_PREFIX):
            boards += 1
            board_takers += takers or 0
            continue
        kind = cells.text_or_none(cells.cell(row, ids[COL_TYPE])) or ""
        school = identify(
            collector,
            excel_row,
            row,
            ids,
            rspo_header=COL_RSPO,
            type_name=SCHOOL_TYPES.get(kind.lower(), kind),
        )
        _check_whole_exam(collector, excel_row, takers, certificates, rate)
        if len(collector.problems) > before or school is None:
            continue
        figures: dict[str, float] = {}
        for statistic, value in (
            ("takers", takers),
            ("certificates", certificates),
            ("pass_rate", rate),
        ):
            if value is not None:
                figures[measure(formula, statistic)] = float(value)
        schools.append(msgspec.structs.replace(school, figures=figures))
    return schools, boards, board_takers


def _check_whole_exam(
    collector: ProblemCollector,
    row: int,
    takers: int | None,
    certificates: int | None,
    rate: float | None,
) -> None:
    """Takers and certificates together; no more certificates than takers; the rate theirs."""
    if (takers is None) != (certificates is None):
        missing = COL_TAKERS if takers is None else COL_CERTIFICATES
        collector.add(
            "takers and certificates are given together or not at all",
            row=row,
            field=missing,
            code="inconsistent",
        )
        return
    if takers is None or certificates is None:
        if rate is not None:
            collector.add(
                f"a pass rate of {rate:g} % without takers",
                row=row,
                field=COL_PASS_RATE,
                code="inconsistent",
            )
        return
    if certificates > takers:
        collector.add(
            f"{certificates} certificates for {takers} takers",
            row=row,
            field=COL_CERTIFICATES,
            code="inconsistent",
        )
        return
    if rate is not None and (
        takers == 0 or abs(100 * certificates / takers - rate) > PASS_RATE_TOLERANCE
    ):
        collector.add(
            f"a pass rate of {rate:g} % for {certificates} certificates of {takers} takers",
            row=row,
            field=COL_PASS_RATE,
            code="inconsistent",
        )
