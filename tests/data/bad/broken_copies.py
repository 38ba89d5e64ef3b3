"""What the broken-workbook scripts here share (`<source>/derive.py`): copies of one workbook,
each broken in one way and named for it, written beside the script that names them.

The scripts run as files (`python tests/data/bad/<source>/derive.py` from the repository
root), so each puts this folder on `sys.path` to import this module.
"""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HTML = b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n"
"""A proxy's error page saved under a workbook's name: what a failed download leaves."""


class BrokenCopies:
    """Broken copies of `workbook` in `out`; sheet edits go to `sheet` unless told otherwise."""

    def __init__(self, workbook: Path, out: Path, sheet: str | int = 0) -> None:
        self.workbook = workbook
        self.out = out
        self.sheet = sheet

    def truncated(self, name: str = "truncated.xlsx", keep: int = 3) -> None:
        """The first 1/`keep` of the bytes: a download cut short."""
        raw = self.workbook.read_bytes()
        (self.out / name).write_bytes(raw[: len(raw) // keep])

    def html(self, name: str = "is_html.xlsx") -> None:
        (self.out / name).write_bytes(HTML)

    def book(self, name: str, edit: Callable[[Workbook], None]) -> None:
        book = openpyxl.load_workbook(BytesIO(self.workbook.read_bytes()))
        edit(book)
        book.save(self.out / name)

    def edit(
        self, name: str, edit: Callable[[Worksheet], object], sheet: str | int | None = None
    ) -> None:
        chosen = self.sheet if sheet is None else sheet

        def on_sheet(book: Workbook) -> None:
            edit(book.worksheets[chosen] if isinstance(chosen, int) else book[chosen])

        self.book(name, on_sheet)

    def cell(
        self,
        name: str,
        row: int,
        column: int,
        value: str | float | None,
        sheet: str | int | None = None,
    ) -> None:
        """One cell written otherwise (Excel numbering: row 1 and column 1 = A)."""
        self.edit(name, lambda s: s.cell(row=row, column=column, value=value), sheet)
