"""Read the cell values of an XLSX sheet row by row, refusing files that are not workbooks.

Downloads go wrong in a few typical ways: an HTML error page or a CSV saved under the `.xlsx`
name, an old binary `.xls`, a download cut short. openpyxl reports each of these as a
low-level ZIP or XML error; here they become a `LoadRefused` that says what the file looks
like instead. Values come as openpyxl gives them (text stays text, so "02" stays "02").
"""

import zipfile
import zlib
from collections.abc import Generator
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from loaders.errors import LoadRefused

ZIP_MAGIC: Final = b"PK\x03\x04"
OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF_BYTES: Final = 4096

Row = tuple[object, ...]


def iter_sheet_rows(path: Path, sheet: str | None = None) -> Generator[Row, None, None]:
    """Yield the rows of `sheet` (default: the first sheet); the n-th row yielded is row n.

    openpyxl's read-only mode pads rows missing from the XML with empty ones, so counting
    rows from 1 gives the row numbers Excel shows.
    """
    file = path.name
    _check_looks_like_xlsx(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, EOFError, zlib.error, ParseError) as exc:
        raise LoadRefused.one(
            file, f"not a readable XLSX workbook (truncated?): {exc}", code="unreadable_file"
        ) from exc
    except (KeyError, InvalidFileException) as exc:
        raise LoadRefused.one(
            file, f"a ZIP archive, but not an Excel workbook (XLSX): {exc}", code="unreadable_file"
        ) from exc
    try:
        names: list[str] = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise LoadRefused.one(
                file, f"no sheet {sheet!r} (sheets: {', '.join(names)})", code="missing_sheet"
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        try:
            yield from worksheet.iter_rows(values_only=True)
        except (zipfile.BadZipFile, EOFError, zlib.error, ParseError) as exc:
            # The sheet is inflated and parsed lazily: a damaged member shows up mid-way.
            raise LoadRefused.one(
                file,
                f"the workbook is damaged (truncated or corrupted): {exc}",
                code="unreadable_file",
            ) from exc
    finally:
        book.close()


def _check_looks_like_xlsx(path: Path) -> None:
    file = path.name
    if not path.is_file():
        raise LoadRefused.one(file, "file not found", code="missing_file")
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise LoadRefused.one(file, "the file is empty", code="unreadable_file")
    if head.startswith(ZIP_MAGIC):
        return
    if head.startswith(OLE2_MAGIC):
        raise LoadRefused.one(
            file,
            "this is an old binary Excel file (.xls); save it as .xlsx",
            code="unreadable_file",
        )
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        raise LoadRefused.one(
            file, "this is an HTML or XML page, not an XLSX workbook", code="unreadable_file"
        )
    if b"\x00" not in head:
        raise LoadRefused.one(
            file,
            "this is a text file (CSV?) named like a workbook, not an XLSX workbook",
            code="unreadable_file",
        )
    raise LoadRefused.one(
        file, "not an XLSX workbook (an XLSX file is a ZIP archive)", code="unreadable_file"
    )
