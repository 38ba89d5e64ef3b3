"""Checks both CKE formats share: the exam year, the sheets a workbook must have, one row a
school."""

from datetime import date

from loaders.cke.header import Sheet
from loaders.cke.model import ExamSchool
from loaders.errors import LoadRefused, SourceProblem, refuse_other_year


def exam_year(file: str, given: int | None, named: int | None, first: int, example: str) -> int:
    """The exam year: from the manifest or the command line, else from the file name.

    CKE's sheets do not say the year; its file names do (`E8_2023.xlsx`). A year given that
    contradicts the name is refused rather than trusted.
    """
    if named is not None:
        refuse_other_year(file, named, given, says="the name says")
    year = given if given is not None else named
    if year is None:
        raise LoadRefused.one(
            file,
            f"the file name does not say the exam year (as in {example}); give the year",
            code="invalid_value",
        )
    if not first <= year <= date.today().year:  # noqa: DTZ011 - a calendar year is enough
        raise LoadRefused.one(
            file, f"no such exam year: {year} (first held in {first})", code="out_of_range"
        )
    return year


def find_sheet(file: str, sheets: dict[str, Sheet], name: str) -> Sheet:
    """The sheet named `name` (case and surrounding spaces ignored)."""
    for sheet, rows in sheets.items():
        if sheet.strip().lower() == name.lower():
            return rows
    raise LoadRefused.one(
        file,
        f"no sheet {name!r} (the workbook has: {', '.join(sheets) or 'none'})",
        sheet=name,
        code="missing_sheet",
    )


def refuse_duplicates(file: str, sheet: str, field: str, schools: list[ExamSchool]) -> None:
    """Two rows for one RSPO number would make the school's figures ambiguous."""
    first: dict[int, int] = {}
    problems = []
    for school in schools:
        if school.rspo in first:
            problems.append(
                SourceProblem(
                    file=file,
                    sheet=sheet,
                    row=school.row,
                    field=field,
                    code="duplicate_key",
                    message=f"RSPO {school.rspo} appears twice (first at row {first[school.rspo]})",
                )
            )
        first.setdefault(school.rspo, school.row)
    if problems:
        raise LoadRefused(problems)
