"""Refusals that name the file, the row and the field, so a steward can fix the source.

Every problem carries a stable `code` from `PROBLEM_CODES` (after frictionless's error
catalogue), so tests and stewards filter by code, never by message text.
"""

from typing import ClassVar, Final, Literal

import msgspec

from domains.errors import MiarkaError

MAX_PROBLEMS = 100

ProblemCode = Literal[
    "invalid_value",
    "missing_file",
    "unreadable_file",
    "wrong_encoding",
    "missing_sheet",
    "missing_header",
    "missing_column",
    "duplicate_column",
    "bad_code",
    "unknown_unit",
    "duplicate_key",
    "not_a_number",
    "negative_count",
    "out_of_range",
    "inconsistent",
    "too_many_unplaced",
    "stale_register",
    "too_many_closures",
    "source_unavailable",
    "metadata_mismatch",
    "internal_error",
    "abandoned",
    "placement_report",
]
PROBLEM_CODES: Final[dict[str, str]] = {
    "invalid_value": "a value that breaks a rule of the format not covered by a finer code",
    "missing_file": "the file (or a member of an archive) is not there",
    "unreadable_file": "not a file of the expected format, truncated or corrupt",
    "wrong_encoding": "bytes that are not text in the expected encoding",
    "missing_sheet": "a workbook without the sheet the format has",
    "missing_header": "the header row or a header cell the format has is absent",
    "missing_column": "a column the format has is absent",
    "duplicate_column": "two columns of the same name",
    "bad_code": "a unit, school or classification code that is not well formed",
    "unknown_unit": "a well-formed code of no unit in the register (in force or in history)",
    "duplicate_key": "a second row for the same key",
    "not_a_number": "text where the format has a number",
    "negative_count": "a count or amount below zero",
    "out_of_range": "a number outside what the quantity can be",
    "inconsistent": "values that contradict each other (a part larger than its whole, ...)",
    "too_many_unplaced": "more rows than allowed could not be placed on a unit",
    "stale_register": "a register older than the one loaded",
    "too_many_closures": "a register that would close too many units at once",
    "source_unavailable": "the source API failed or refused the request",
    "metadata_mismatch": "the source describes the variable otherwise than the catalogue",
    "internal_error": "a fault of Miarka, not of the source: report it",
    "abandoned": "the process running the load ended before it finished",
    "placement_report": "not a problem: how many rows were placed on units in force, which way",
}


class SourceProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing wrong with a source file; `row` is the 1-based line of the file (header = 1)."""

    file: str
    row: int | None = None
    field: str | None = None
    message: str
    code: ProblemCode = "invalid_value"
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


class CellError(ValueError):
    """A cell that cannot be read as the format says, with the problem code it amounts to."""

    def __init__(self, message: str, *, code: ProblemCode = "invalid_value") -> None:
        super().__init__(message)
        self.code: ProblemCode = code


class LoadRefused(MiarkaError):
    """The source was refused as a whole; nothing published was touched."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "load-refused"
    title: ClassVar[str] = "Source refused"

    def __init__(self, problems: list[SourceProblem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        more = len(problems) - len(self.problems)
        text = "\n".join(str(p) for p in self.problems)
        if more > 0:
            text += f"\n... and {more} more problems"
        super().__init__(text)

    @classmethod
    def one(
        cls,
        file: str,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        code: ProblemCode = "invalid_value",
        sheet: str | None = None,
    ) -> "LoadRefused":
        return cls(
            [
                SourceProblem(
                    file=file, row=row, field=field, message=message, code=code, sheet=sheet
                )
            ]
        )

    @property
    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


def refuse_other_year(
    file: str,
    found: int,
    expected: int | None,
    *,
    says: str,
    row: int | None = None,
    field: str | None = None,
) -> None:
    """Refuse a file whose own year (`says`: where it is read, "the title says") is not the
    year expected (by the manifest or the command line); no year expected, no check."""
    if expected is not None and expected != found:
        raise LoadRefused.one(
            file,
            f"{says} {found}, but year {expected} was expected",
            row=row,
            field=field,
            code="inconsistent",
        )


class ProblemCollector:
    """Gathers problems row by row, so one run reports many of them, not just the first."""

    def __init__(self, file: str, *, sheet: str | None = None) -> None:
        self.file = file
        self.sheet = sheet
        self.problems: list[SourceProblem] = []

    def add(
        self,
        message: str,
        *,
        row: int | None = None,
        field: str | None = None,
        code: ProblemCode = "invalid_value",
    ) -> None:
        self.problems.append(
            SourceProblem(
                file=self.file, sheet=self.sheet, row=row, field=field, message=message, code=code
            )
        )

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.problems:
            raise LoadRefused(self.problems)
