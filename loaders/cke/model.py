"""What a CKE results workbook is read into: one row per school, its figures by measure."""

import msgspec


class ExamSchool(msgspec.Struct, frozen=True, kw_only=True):
    """One school's row of a results sheet (no personal data: the file has none)."""

    row: int
    """Excel row of the school."""
    rspo: int
    code: str
    """The TERC code of its gmina or gmina part as the file gives it, zero-padded."""
    name: str
    locality: str | None
    address: str | None
    public: bool | None
    type_name: str
    figures: dict[str, float]
    """School measure (`e8.matematyka.mean`, ...) -> value; absent = not published."""
    flags: dict[str, str] = {}
    """School measure -> flag (e.g. takers whose statistics CKE withholds)."""


class ExamTable(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    sheet: str
    year: int
    code_field: str
    """The header of the column the TERC codes are in (named in placement problems)."""
    schools: list[ExamSchool]
    measures: list[str]
    """Every school measure this kind of file can carry: the rows a load replaces."""
    skipped_rows: int = 0
    skipped_note: str = ""
    """Rows read but not schools (e.g. the exam boards' own rows), said in the run warnings."""
