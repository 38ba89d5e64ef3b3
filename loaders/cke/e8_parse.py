"""Parse one CKE eighth-grade exam workbook (results per school) and check every row.

A school row gives, per subject, its takers and, from CKE's threshold of takers on (`Legenda`),
its mean, standard deviation, median and mode. All four statistics or none; none only below
the threshold. Anything else (a shifted column, a statistic for 3 takers, a retyped count) is
refused with sheet, row and field; nothing is stored from a file with any problem.
"""

from pathlib import Path

import msgspec

from loaders.cke import cells
from loaders.cke.checks import exam_year, find_sheet, refuse_duplicates
from loaders.cke.e8_layout import (
    ALL_MEASURES,
    COL_RSPO,
    ID_COLUMNS,
    LEGEND_SHEET,
    PUBLISHED_STATISTICS,
    REQUIRED_SUBJECTS,
    STATISTICS,
    STORED,
    SUBJECTS,
    TAKERS,
    WITHHELD_FLAG,
    measure,
    threshold_in,
    year_in_name,
)
from loaders.cke.header import Sheet
from loaders.cke.identity import (
    COL_CODE,
    SHEET,
    find_header,
    identify,
    school_rows,
)
from loaders.cke.model import ExamSchool, ExamTable
from loaders.errors import LoadRefused, ProblemCollector
from loaders.gus_ages.workbook import read_sheets

FIRST_EXAM_YEAR = 2019
SCHOOL_TYPE = "Szkoła podstawowa"
"""RSPO's type name for every school in the file: only primary schools hold this exam."""


class Block(msgspec.Struct, frozen=True):
    """One subject's columns: statistic name -> column index, and the headers to name."""

    subject: str
    label: str
    columns: dict[str, int]
    headers: dict[str, str]


class Layout(msgspec.Struct, frozen=True):
    header: int
    """Index of the lower header row (Excel row header + 1)."""
    ids: dict[str, int]
    blocks: list[Block]


def parse_cke_e8(path: Path, *, year: int | None = None) -> ExamTable:
    """Read and check the workbook; refuse it with every problem found (up to 100)."""
    file = path.name
    exam = exam_year(file, year, year_in_name(file), FIRST_EXAM_YEAR, "E8_2023.xlsx")
    sheets = read_sheets(path)
    rows = find_sheet(file, sheets, SHEET)
    threshold = _threshold(file, find_sheet(file, sheets, LEGEND_SHEET))
    collector = ProblemCollector(file, sheet=SHEET)
    layout = _layout(collector, rows)
    schools = [] if layout is None else _schools(collector, rows, layout, threshold)
    if layout is not None and not schools and not collector.problems:
        collector.add("the sheet has a header but no schools", code="missing_header")
    collector.raise_if_any()
    refuse_duplicates(file, SHEET, COL_RSPO, schools)
    return ExamTable(
        file=file,
        sheet=SHEET,
        year=exam,
        code_field=COL_CODE,
        schools=schools,
        measures=ALL_MEASURES,
    )


def _threshold(file: str, legend: Sheet) -> int:
    text = " ".join(str(value) for row in legend for value in row if not cells.blank(value))
    found = threshold_in(text)
    if found is None:
        raise LoadRefused.one(
            file,
            "the legend does not say from how many takers statistics are published "
            "('... powyżej 4 (5 i więcej)')",
            sheet=LEGEND_SHEET,
            code="missing_header",
        )
    return found


def _layout(collector: ProblemCollector, rows: Sheet) -> Layout | None:
    found = find_header(collector, rows, ID_COLUMNS, "subjects")
    if found is None:
        return None
    header, lower, labels = found.row, found.cells, found.labels
    blocks: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    for index, value in enumerate(lower):
        statistic = STATISTICS.get(cells.header_text(value).lower())
        if statistic is None:
            continue
        label = labels[index]
        subject = SUBJECTS.get(label.lower())
        if subject is None:
            collector.add(
                f"statistic {cells.header_text(value)!r} under an unknown subject {label!r} "
                "(known: " + ", ".join(SUBJECTS) + ")",
                row=header,
                field=label or cells.header_text(value),
                code="missing_header" if not label else "invalid_value",
            )
            continue
        block = blocks.setdefault(subject, {})
        names[subject] = label
        field = f"{label}: {cells.header_text(value)}"
        if statistic in block:
            collector.add(
                f"two columns {cells.header_text(value)!r} under {label!r}",
                row=header + 1,
                field=field,
                code="duplicate_column",
            )
            continue
        block[statistic] = index
        headers.setdefault(subject, {})[statistic] = field
    for subject in REQUIRED_SUBJECTS:
        if subject not in blocks:
            shown = next(name for name, code in SUBJECTS.items() if code == subject)
            collector.add(
                f"no block of results for {shown!r}",
                row=header,
                field=shown,
                code="missing_header",
            )
    for subject, block in blocks.items():
        for statistic in (*STORED, "mode"):
            if statistic not in block:
                header_name = next(h for h, s in STATISTICS.items() if s == statistic)
                collector.add(
                    f"no column {header_name!r} under {names[subject]!r}",
                    row=header + 1,
                    field=f"{names[subject]}: {header_name}",
                    code="missing_header",
                )
    if collector.problems:
        return None
    return Layout(
        header=header,
        ids=found.ids,
        blocks=[
            Block(subject, names[subject], block, headers[subject])
            for subject, block in blocks.items()
        ],
    )


def _schools(
    collector: ProblemCollector, rows: Sheet, layout: Layout, threshold: int
) -> list[ExamSchool]:
    schools: list[ExamSchool] = []
    for excel_row, row in school_rows(collector, rows, layout.header):
        before = len(collector.problems)
        school = identify(
            collector, excel_row, row, layout.ids, rspo_header=COL_RSPO, type_name=SCHOOL_TYPE
        )
        figures: dict[str, float] = {}
        flags: dict[str, str] = {}
        for block in layout.blocks:
            _subject(
                collector,
                excel_row=excel_row,
                row=row,
                block=block,
                threshold=threshold,
                figures=figures,
                flags=flags,
            )
        if len(collector.problems) > before or school is None:
            continue
        schools.append(msgspec.structs.replace(school, figures=figures, flags=flags))
    return schools


def _subject(
    collector: ProblemCollector,
    *,
    excel_row: int,
    row: list[object],
    block: Block,
    threshold: int,
    figures: dict[str, float],
    flags: dict[str, str],
) -> None:
    """Read one subject's cells into `figures`, checking them against CKE's threshold."""
    raw = {statistic: cells.cell(row, index) for statistic, index in block.columns.items()}
    if all(cells.blank(value) for value in raw.values()):
        return  # nobody in the school took this subject (most rows, for most languages)
    takers_field = block.headers[TAKERS]
    takers = cells.count(collector, excel_row, takers_field, raw[TAKERS])
    statistics = {
        statistic: cells.percent(collector, excel_row, block.headers[statistic], raw[statistic])
        for statistic in (*PUBLISHED_STATISTICS, "mode")
    }
    published = [s for s in PUBLISHED_STATISTICS if statistics[s] is not None]
    shown = takers if takers is not None else "no"
    if published and len(published) < len(PUBLISHED_STATISTICS):
        missing = next(s for s in PUBLISHED_STATISTICS if s not in published)
        collector.add(
            f"{block.label}: some statistics are published and {missing!r} is not",
            row=excel_row,
            field=block.headers[missing],
            code="inconsistent",
        )
    elif statistics["mode"] is not None and not published:
        collector.add(
            f"{block.label}: a mode but no mean, deviation or median",
            row=excel_row,
            field=block.headers["mean"],
            code="inconsistent",
        )
    elif published and (takers is None or takers < threshold):
        collector.add(
            f"{block.label}: statistics published for {shown} takers, but CKE publishes "
            f"them only from {threshold} takers on",
            row=excel_row,
            field=takers_field,
            code="inconsistent",
        )
    elif not published and takers is not None and takers >= threshold:
        collector.add(
            f"{block.label}: no statistics for {takers} takers, though CKE publishes them "
            f"from {threshold} takers on",
            row=excel_row,
            field=block.headers["mean"],
            code="inconsistent",
        )
    if takers is None:
        return
    figures[measure(block.subject, TAKERS)] = float(takers)
    if not published:
        flags[measure(block.subject, TAKERS)] = WITHHELD_FLAG
        return
    for statistic in STORED:
        value = statistics.get(statistic)
        if value is not None:
            figures[measure(block.subject, statistic)] = value
