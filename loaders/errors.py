"""Refusals that name the file, the row and the field, so a steward can fix the source."""

from typing import ClassVar

import msgspec

from domains.errors import MiarkaError

MAX_PROBLEMS = 100


class SourceProblem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing wrong with a source file; `row` is the 1-based line of the file (header = 1)."""

    file: str
    row: int | None = None
    field: str | None = None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


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
        cls, file: str, message: str, *, row: int | None = None, field: str | None = None
    ) -> "LoadRefused":
        return cls([SourceProblem(file=file, row=row, field=field, message=message)])


class ProblemCollector:
    """Gathers problems row by row, so one run reports many of them, not just the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[SourceProblem] = []

    def add(self, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.problems.append(SourceProblem(file=self.file, row=row, field=field, message=message))

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.problems:
            raise LoadRefused(self.problems)
